"""The form that sets up the next election (readiness.views.cycles). It
checks the shape of what was typed; readiness.services.cycles checks what
spans objects (a code already used, an election already on that day)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import AdministrativeUnit, Election, UnitLevel
from contacts.validators import validate_date_in_range
from readiness.nd30 import PartialDate
from readiness.partial_dates import partial_date_errors

# Typed the Vietnamese way whatever the page language (docs/conventions.md,
# "Vietnamese dates").
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
BEFORE_NOT_EARLIER = _("The before-period must start before polling day.")
AFTER_NOT_LATER = _("The after-period must end after polling day.")
BAD_CODE = _(
    "“%(code)s” is not a valid code: use letters, digits and hyphens, at most 60."
)


def _date_field(label, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        validators=[validate_date_in_range],
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
        ),
    )


def _date_part(label, help_text="") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )


class ProvinceField(IdChoiceField):
    def label_from_instance(self, unit: AdministrativeUnit) -> str:
        return _("%(name)s (structure of %(edition)s)") % {
            "name": unit.name,
            "edition": unit.edition,
        }


class CycleCopyForm(TypedInputForm, forms.Form):
    source = IdChoiceField(
        label=_("Set up from"),
        queryset=Election.objects.none(),
        help_text=_(
            "Its directives, deadlines, calendar, reporting moments and the "
            "districts' contact lists are copied; it is not changed."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    name_en = forms.CharField(
        label=_("Name in English"), max_length=300, required=False
    )
    polling_day = _date_field(_("Polling day"))
    before_starts_on = _date_field(_("Before-period starts on"))
    after_ends_on = _date_field(
        _("After-period ends on"), _("When the results are announced.")
    )
    province = ProvinceField(
        label=_("Province"),
        queryset=AdministrativeUnit.objects.none(),
        help_text=_(
            "Choose the province in a newer administrative structure to run "
            "the election on it; the old election keeps its own."
        ),
    )
    directive_codes = forms.CharField(
        label=_("Codes of the new directives"),
        max_length=500,
        required=False,
        help_text=_(
            "One per directive of the election copied, separated by commas. "
            "Empty: the old code with the new polling year."
        ),
    )
    # The new letter's number and date, as it writes them; a part it
    # leaves blank stays blank (readiness.partial_dates). Given only when
    # the election copied has one directive (readiness.services.cycles).
    directive_number = forms.CharField(
        label=_("Number of the new directive"),
        max_length=60,
        required=False,
        help_text=_("As printed, e.g. 125/STTTT-QLVT. Empty: the old number."),
    )
    issued_day = _date_part(_("Day"))
    issued_month = _date_part(_("Month"))
    issued_year = _date_part(
        _("Year"),
        _(
            "The date of the new directive. Leave the day, or the day and the "
            "month, empty when the letter leaves them blank; all empty: the "
            "old month moved with polling day, without a day."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        source = form_field(self, "source", IdChoiceField)
        source.queryset = Election.objects.order_by("-polling_day")
        province = form_field(self, "province", IdChoiceField)
        province.queryset = AdministrativeUnit.objects.filter(
            level=UnitLevel.PROVINCE
        ).order_by("-edition", "name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "source",
            Row(Column("name"), Column("name_en")),
            Fieldset(
                _("Calendar"),
                Row(
                    Column("before_starts_on"),
                    Column("polling_day"),
                    Column("after_ends_on"),
                ),
            ),
            "province",
            Fieldset(
                _("The new directive"),
                "directive_codes",
                "directive_number",
                Row(
                    Column("issued_day"),
                    Column("issued_month"),
                    Column("issued_year"),
                ),
            ),
        )

    def clean_directive_codes(self) -> list[str]:
        codes = [c.strip() for c in self.cleaned_data["directive_codes"].split(",")]
        codes = [c for c in codes if c]
        for code in codes:
            try:
                validate_slug(code)
            except forms.ValidationError:
                raise forms.ValidationError(BAD_CODE % {"code": code}) from None
            if len(code) > 60:
                raise forms.ValidationError(BAD_CODE % {"code": code})
        return codes

    def clean(self) -> dict:
        cleaned = super().clean()
        polling_day = cleaned.get("polling_day")
        before, after = cleaned.get("before_starts_on"), cleaned.get("after_ends_on")
        if polling_day and before and before >= polling_day:
            self.add_error("before_starts_on", BEFORE_NOT_EARLIER)
        if polling_day and after and after <= polling_day:
            self.add_error("after_ends_on", AFTER_NOT_LATER)
        cleaned["directive_issued"] = self._issued(cleaned)
        return cleaned

    def _issued(self, cleaned: dict) -> PartialDate | None:
        """The three parts as one date (None when all are empty); their
        errors go to the part that is wrong."""
        parts = [cleaned.pop(f"issued_{p}", None) for p in ("year", "month", "day")]
        if any(f"issued_{p}" in self.errors for p in ("year", "month", "day")):
            return None
        year, month, day = parts
        errors = partial_date_errors(year, month, day)
        for part, message in errors.items():
            self.add_error(f"issued_{part}", message)
        if errors or year is None:
            return None
        return PartialDate(year, month, day)
