"""Filters of the incident board (django-filter, GET parameters)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.filters import model_choice_filter
from contacts.ids import IdChoiceFilter
from contacts.models import AdministrativeUnit, Organisation
from contacts.selectors.units import province_areas
from contacts.widgets import LongSelect
from incidents.models import OPEN_STATUSES, Category, Incident, IncidentStatus, Severity

OPEN = "open"


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, pgettext_lazy("incidents", "Open"))] + IncidentStatus.choices,
        empty_label=_("All"),
        method="by_status",
    )
    district = IdChoiceFilter(
        label=_("District"),
        field_name="districts",
        queryset=AdministrativeUnit.objects.none(),
        empty_label=_("All"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("All")
    )
    organisation = IdChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("All"),
        widget=LongSelect,  # a country has some 1,700 organisations
    )

    class Meta:
        model = Incident
        fields = ["status", "district", "category", "severity", "organisation"]

    def __init__(self, data, *args, province, organisations, **kwargs):
        # Open incidents unless the user asked for another status (or all,
        # which the empty choice sends as status=).
        data = data.copy()
        if "status" not in data:
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        # Districts, or the communes of a two-tier structure.
        district = model_choice_filter(self, "district")
        district.queryset = province_areas(province.pk).order_by("code")
        organisation = model_choice_filter(self, "organisation")
        organisation.queryset = organisations.order_by("kind", "name")

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)
