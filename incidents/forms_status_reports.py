"""Forms of the status-report pages: a carrier's report for the moment due
now, and a reporting moment of the Department's schedule. They check the
shape of what was typed; incidents.services.status_reports checks the
moment and the mail figures against the schedule and the carrier's kind."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm
from incidents.importers import TIME_FORMATS
from incidents.models import OverallStatus, ReportingPeriod
from incidents.selectors.status_reports import Moment

# Far above any province's base stations or a day's election mail: a bigger
# number is a typo, and would overflow the database's integer.
MAX_FIGURE = 1_000_000
NOTE_MAX = 2000
MOMENT_CHANGED = _(
    "The reporting moment changed while the form was open: the report is now "
    "for the moment shown above. Check the figures and send it again."
)
MAIL_FIELDS = ("mail_accepted", "mail_delivered", "mail_delayed")


def _figure(label, help_text="") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_FIGURE,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class StatusReportForm(TypedInputForm, forms.Form):
    """One carrier's report for `moment`; the mail figures only for a postal
    firm (a telecom firm's form has none)."""

    # The moment the form was opened for: if another has come since, the
    # report is not filed for the wrong one (MOMENT_CHANGED).
    due_at = forms.CharField(widget=forms.HiddenInput, max_length=40)
    overall_status = forms.ChoiceField(
        label=_("Overall status"),
        choices=OverallStatus.choices,
        widget=forms.RadioSelect,
        initial=OverallStatus.NORMAL,
    )
    sites_out = _figure(
        _("Sites out of service"),
        _("Base stations (telecom) or post offices (postal) out of service now."),
    )
    mail_accepted = _figure(
        _("Election mail accepted"), _("Items since the last report.")
    )
    mail_delivered = _figure(
        _("Election mail delivered"), _("Items since the last report.")
    )
    mail_delayed = _figure(
        _("Election mail delayed"), _("Items since the last report.")
    )
    open_incidents = _figure(
        _("Open incidents"),
        _("Proposed from your open incidents in the app; correct it if needed."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, moment: Moment, is_postal: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.moment = moment
        self.initial.setdefault("due_at", moment.at.isoformat())
        self.initial.setdefault("sites_out", 0)
        if not is_postal:
            for name in MAIL_FIELDS:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        rows = ["due_at", "overall_status", "sites_out"]
        if is_postal:
            rows.append(Row(*(Column(name) for name in MAIL_FIELDS)))
        self.helper.layout = Layout(*rows, "open_incidents", "note")

    def clean(self) -> dict:
        cleaned = super().clean()
        if "due_at" in cleaned and cleaned["due_at"] != self.moment.at.isoformat():
            # Shown again for the moment due now, with what was typed.
            # A mutable copy of request.POST (or of a plain dict).
            data = (
                self.data.copy() if isinstance(self.data, QueryDict) else {**self.data}
            )
            data["due_at"] = self.moment.at.isoformat()
            self.data = data
            raise forms.ValidationError(MOMENT_CHANGED)
        return cleaned


class ReportingMomentForm(TypedInputForm, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=ReportingPeriod.choices)
    time_of_day = forms.TimeField(
        label=_("Time"),
        input_formats=list(TIME_FORMATS),
        help_text=_("Hour:minute, Vietnam time, e.g. 16:00."),
        widget=forms.TimeInput(
            format="%H:%M",
            attrs={"placeholder": "hh:mm", "inputmode": "numeric", "size": 5},
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("period"), Column("time_of_day")))
