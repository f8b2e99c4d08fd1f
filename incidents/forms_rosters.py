"""Forms of the duty roster pages: they check the shape of what was typed
and normalise it; incidents.services.rosters checks what spans fields.

Dates and times are typed the Vietnamese way whatever the page language:
23/05/2021 07:30, and "7h30" for a time.
"""

import datetime
from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.forms import ContactImportForm, TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import Organisation, User
from contacts.phones import InvalidPhone, format_national, normalise_phone
from contacts.validators import validate_date_in_range
from incidents.importers import TIME_FORMATS, ShiftDraft, shift_span
from incidents.models import Shift

SHIFT_AT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M"]
SHIFT_AT_WIDGET_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
# Rows offered per day in the week grid: three eight-hour shifts cover a day.
ROWS_PER_DAY = 3
DAYS_PER_WEEK = 7

# The roster import checks only the file's size and kind, as the contact
# list's does; incidents.importers reads it.
RosterImportForm = ContactImportForm


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidPhone as exc:
        raise forms.ValidationError(exc.message) from None


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(
        format=SHIFT_AT_WIDGET_FORMAT,
        attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
    )


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(
        format="%H:%M",
        attrs={"placeholder": "hh:mm", "inputmode": "numeric", "size": 5},
    )


def _tel_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})


class ShiftForm(TypedInputForm, forms.ModelForm):
    class Meta:
        model = Shift
        fields = [
            "person_name",
            "role",
            "phone",
            "location",
            "starts_at",
            "ends_at",
            "user",
        ]
        field_classes = {"user": IdChoiceField}
        widgets = {
            "phone": _tel_widget(),
            "starts_at": _datetime_widget(),
            "ends_at": _datetime_widget(),
        }
        help_texts = {
            "phone": _(
                "A mobile number: shifts without one are flagged, and the "
                "organisation is reminded the day before."
            ),
            "starts_at": _("Day/month/year hour:minute, e.g. 23/05/2021 07:30."),
            "user": _(
                "If the person on duty has an account: the Department's "
                "escalations reach them."
            ),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            form_field(self, name, forms.DateTimeField).input_formats = SHIFT_AT_FORMATS
            self.fields[name].validators.append(validate_date_in_range)
        form_field(self, "user", IdChoiceField).queryset = User.objects.filter(
            membership__organisation=organisation, is_active=True
        ).order_by("full_name", "username")
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = format_national(self.instance.phone)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("person_name"), Column("role")),
            Row(Column("phone"), Column("location")),
            Row(Column("starts_at"), Column("ends_at")),
            "user",
        )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return cleaned


# --- The week grid -------------------------------------------------------------


class WeekStartForm(forms.Form):
    start = forms.DateField(
        label=_("Week starting on"),
        input_formats=DATE_FORMATS,
        # A week at the end of the calendar has no next week to link to.
        validators=[validate_date_in_range],
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
        ),
    )


def week_days(start: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range(DAYS_PER_WEEK)]


class WeekRowForm(TypedInputForm, forms.Form):
    """One shift of the grid: a day of the week, two times and the person.
    A row left as it was offered is skipped."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=datetime.date.fromisoformat)
    starts = forms.TimeField(
        label=pgettext_lazy("shift", "From"),
        input_formats=TIME_FORMATS,
        widget=_time_widget(),
    )
    ends = forms.TimeField(
        label=pgettext_lazy("shift", "To"),
        input_formats=TIME_FORMATS,
        widget=_time_widget(),
    )
    person_name = forms.CharField(label=_("Person on duty"), max_length=150)
    role = forms.CharField(label=_("Duty"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, widget=_tel_widget())
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, days: list[datetime.date], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "day", forms.ChoiceField).choices = [
            (day.isoformat(), date_format(day, "D d/m")) for day in days
        ]
        # The grid is a table, not a crispy layout: Bootstrap's small inputs.
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if name == "day"
                else "form-control form-control-sm"
            )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def draft(self, row_number: int) -> ShiftDraft:
        data = self.cleaned_data
        starts_at, ends_at = shift_span(data["day"], data["starts"], data["ends"])
        return ShiftDraft(
            person_name=data["person_name"],
            role=data["role"],
            phone=data["phone"],
            location=data["location"],
            starts_at=starts_at,
            ends_at=ends_at,
            row_number=row_number,
        )


class BaseWeekFormSet(forms.BaseFormSet):
    def __init__(self, *args, start: datetime.date, **kwargs) -> None:
        self.days = week_days(start)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict:
        # Each row offers its own day first: ROWS_PER_DAY rows a day. The
        # empty form (index None) only gives the grid its column headers.
        day = self.days[min((index or 0) // ROWS_PER_DAY, DAYS_PER_WEEK - 1)]
        return {"days": self.days, "initial": {"day": day.isoformat()}}

    def drafts(self) -> list[ShiftDraft]:
        """The shifts of a valid grid, rows numbered as shown (from 1)."""
        return [
            form.draft(row_number=index + 1)
            for index, form in enumerate(self.forms)
            if form.has_changed()
        ]


# formset_factory makes a subclass of `formset`; its stubs say BaseFormSet.
WeekFormSet = cast(
    type[BaseWeekFormSet],
    forms.formset_factory(
        WeekRowForm,
        formset=BaseWeekFormSet,
        extra=ROWS_PER_DAY * DAYS_PER_WEEK,
        max_num=ROWS_PER_DAY * DAYS_PER_WEEK * 4,
    ),
)
