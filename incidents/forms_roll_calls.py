"""Forms of the reachability check pages: starting one, filtering the
unreachable, and the demo's simulated SMS reply. They check the shape of
what was typed; incidents.services.roll_calls decides the rest."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from incidents.models import RollCallAudience

# The reminder goes out between an hour and three days after the start:
# sooner leaves no time to answer, later is too close to polling day.
MAX_REMIND_AFTER_HOURS = 72


class RollCallStartForm(TypedInputForm, forms.Form):
    audience = forms.ChoiceField(
        label=_("Who is asked"),
        choices=RollCallAudience.choices,
        widget=forms.RadioSelect,
    )
    remind_after_hours = forms.IntegerField(
        label=_("Remind those who have not confirmed after (hours)"),
        min_value=1,
        max_value=MAX_REMIND_AFTER_HOURS,
        initial=6,
    )

    @property
    def remind_after(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.cleaned_data["remind_after_hours"])


class RollCallFilterForm(TypedInputForm, forms.Form):
    """The unreachable list's filter (GET): a group and a search. A value
    that does not fit is ignored, as an unknown filter is."""

    group = forms.TypedChoiceField(
        label=_("Group"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(
        label=_("Name or phone"), required=False, max_length=100, strip=True
    )

    def __init__(self, *args, groups=(), group_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = form_field(self, "group", forms.ChoiceField)
        field.choices = [("", _("All"))] + [
            (g.pk, g.name) for g in groups if g.pk is not None
        ]
        if group_label:
            field.label = group_label


class SimulatedReplyForm(TypedInputForm, forms.Form):
    """What an SMS gateway's incoming webhook gives: who sent it and what."""

    phone = forms.CharField(
        label=_("From (phone)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    text = forms.CharField(label=_("Text of the SMS"), max_length=160)


class IncomingSmsForm(SimulatedReplyForm):
    """The same fields, posted by the gateway: a long or concatenated SMS is
    taken whole (it is then simply not a confirmation)."""

    text = forms.CharField(max_length=1600)
