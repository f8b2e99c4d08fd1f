"""The purpose asked before a directory export, and the filters of the
phone-access log (contacts.views.directory, contacts.views.access_log)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm
from contacts.ids import IdChoiceFilter
from contacts.models import Organisation, OrganisationKind, PhoneAccess
from contacts.validators import validate_date_in_range
from contacts.widgets import LongSelect

PURPOSE_MIN_LENGTH = 5
PURPOSE_TOO_SHORT = _("Say in a few words why the numbers are needed.")
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class ExportPurposeForm(TypedInputForm, forms.Form):
    """GET, next to the directory's filters: the purpose is printed in the
    exported file and kept in the access log."""

    purpose = forms.CharField(
        label=_("Purpose of the export"),
        max_length=200,
        help_text=_(
            "Why the phone numbers are needed, e.g. “to reach the Election "
            "Teams on polling day”. It is printed in the file and recorded."
        ),
        error_messages={"required": PURPOSE_TOO_SHORT},
    )

    def clean_purpose(self) -> str:
        purpose = " ".join(self.cleaned_data["purpose"].split())
        if len(purpose) < PURPOSE_MIN_LENGTH:
            raise forms.ValidationError(PURPOSE_TOO_SHORT)
        return purpose


def _date_filter(label, lookup: str) -> django_filters.DateFilter:
    """A day typed as the other forms take it (dd/mm/yyyy), in range."""
    return django_filters.DateFilter(
        label=label,
        field_name="at",
        lookup_expr=lookup,
        input_formats=DATE_FORMATS,
        validators=[validate_date_in_range],
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
        ),
    )


class PhoneAccessFilter(django_filters.FilterSet):
    """GET filters of the access log: district shown, user (login or name),
    and the days from and to (Vietnam time)."""

    district = IdChoiceFilter(
        label=_("District"),
        field_name="districts",
        queryset=Organisation.objects.filter(kind=OrganisationKind.DISTRICT).order_by(
            "name"
        ),
        empty_label=_("All districts"),
        widget=LongSelect,  # a country has some 700 districts
    )
    user = django_filters.CharFilter(label=_("User"), method="by_user")
    since = _date_filter(_("From"), "date__gte")
    until = _date_filter(_("To"), "date__lte")

    class Meta:
        model = PhoneAccess
        fields = ["district", "user", "since", "until"]

    def by_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(user__username__icontains=value) | Q(user__full_name__icontains=value)
        )
