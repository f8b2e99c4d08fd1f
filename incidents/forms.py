"""Incident forms. They check the shape of what was typed;
incidents.services checks the rules (times in order, areas in the
province, the life cycle)."""

from django import forms
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField, IdMultipleChoiceField
from contacts.models import AdministrativeUnit, Organisation
from contacts.selectors.units import province_units
from contacts.validators import validate_date_in_range
from contacts.widgets import LongSelect, LongSelectMultiple
from incidents.models import Category, IncidentStatus, Service, Severity

# A phone's own date-time picker; what it sends is ISO, which both locales'
# DATETIME_INPUT_FORMATS read (config/formats), as is a typed 23/05/2021 10:30.
PICKER = "%Y-%m-%dT%H:%M"


def _moment_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=PICKER),
        validators=[validate_date_in_range],
    )


def _now_local() -> str:
    return timezone.localtime().strftime(PICKER)


def units_of_province(province: AdministrativeUnit):
    """The province's areas (districts, or the communes of a two-tier
    structure), each district followed by its communes."""
    is_area = Q(parent=province)
    district_code = Case(When(is_area, then=F("code")), default=F("parent__code"))
    communes_after = Case(When(is_area, then=0), default=1)
    return (
        province_units(province.pk)
        .annotate(district_code=district_code, communes_after=communes_after)
        .order_by("district_code", "communes_after", "code")
    )


class UnitChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, unit: AdministrativeUnit) -> str:
        # A commune under its district; one directly under the province is
        # an area of its own (units_of_province annotates which).
        if getattr(unit, "communes_after", 0):
            return f"— {unit.name}"
        return unit.name


class IncidentReportForm(TypedInputForm, forms.Form):
    """Under a minute on a phone: the essentials first, details optional."""

    organisation = IdChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        widget=LongSelect,
    )
    category = forms.ChoiceField(label=_("What happened"), choices=Category.choices)
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        widget=forms.RadioSelect,
        initial=Severity.MAJOR,
    )
    title = forms.CharField(
        label=pgettext_lazy("incident", "Summary"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Fibre cut on the route to Quảng Xương")}
        ),
    )
    units = UnitChoiceField(
        label=_("Affected districts and communes"),
        queryset=AdministrativeUnit.objects.none(),
        widget=LongSelectMultiple(attrs={"size": 8}),
    )
    services = forms.MultipleChoiceField(
        label=_("Services affected"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    started_at = _moment_field(_("Started at"))
    detected_at = _moment_field(_("Detected at"))
    affected_bodies = forms.CharField(
        label=_("Election bodies or polling areas affected (if known)"),
        max_length=300,
        required=False,
    )
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, province: AdministrativeUnit, on_behalf, **kwargs):
        """`on_behalf`: the organisations staff may report for, or None for
        a member reporting for their own organisation."""
        kwargs.setdefault(
            "initial", {"started_at": _now_local(), "detected_at": _now_local()}
        )
        super().__init__(*args, **kwargs)
        units = form_field(self, "units", IdMultipleChoiceField)
        units.queryset = units_of_province(province)
        if on_behalf is None:
            del self.fields["organisation"]
        else:
            organisation = form_field(self, "organisation", IdChoiceField)
            organisation.queryset = on_behalf


class IncidentUpdateForm(TypedInputForm, forms.Form):
    """An update for the timeline, with a file and a status change if the
    user may make one; resolving needs its time and note."""

    text = forms.CharField(
        label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    file = forms.FileField(label=_("Attachment"), required=False)
    status = forms.ChoiceField(label=_("Change status to"), required=False)
    resolved_at = _moment_field(_("Resolved at"))

    def __init__(self, *args, moves: list[str], **kwargs):
        kwargs.setdefault("initial", {"resolved_at": _now_local()})
        super().__init__(*args, **kwargs)
        self.fields["resolved_at"].required = False
        if moves:
            status = form_field(self, "status", forms.ChoiceField)
            status.choices = [("", _("(no change)"))] + [
                (to, IncidentStatus(to).label) for to in moves
            ]
        else:
            del self.fields["status"]
        if IncidentStatus.RESOLVED not in moves:
            del self.fields["resolved_at"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not (cleaned.get("text") or cleaned.get("file") or cleaned.get("status")):
            raise forms.ValidationError(
                _("Write an update, attach a file or change the status.")
            )
        return cleaned


class AnswerForm(TypedInputForm, forms.Form):
    answer = forms.CharField(
        label=_("The Department's answer"), widget=forms.Textarea(attrs={"rows": 4})
    )


class SeverityPolicyForm(forms.Form):
    """Time limits, in minutes, for one severity."""

    acknowledge_minutes = forms.IntegerField(
        label=_("Acknowledge within (minutes)"), min_value=1, max_value=7 * 24 * 60
    )
    leadership_minutes = forms.IntegerField(
        label=_("Then to leadership after (minutes)"),
        min_value=1,
        max_value=7 * 24 * 60,
    )
