"""Filters of the contact-list page (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from contacts.ids import IdChoiceFilter
from contacts.models import AdministrativeUnit, BodyKind, ElectionBody
from contacts.selectors.contact_lists import body_search


def model_choice_filter(
    filterset: django_filters.FilterSet, name: str
) -> IdChoiceFilter:
    """The filterset's choice of model objects `name`, for its queryset to
    be narrowed: `filterset.filters` holds plain Filters for the type
    checker."""
    found = filterset.filters[name]
    if not isinstance(found, IdChoiceFilter):
        raise TypeError(f"{type(filterset).__name__}.{name} is no IdChoiceFilter")
    return found


class BodyFilter(django_filters.FilterSet):
    # As the directory's search (contacts.forms_directory): SQLite refuses
    # a LIKE pattern over 50,000 characters, and none is typed that long.
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    unit = IdChoiceFilter(
        label=_("Commune"),
        queryset=AdministrativeUnit.objects.none(),
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=BodyKind.choices, empty_label=_("All")
    )

    class Meta:
        model = ElectionBody
        fields = ["q", "unit", "kind"]

    def __init__(self, *args, district: AdministrativeUnit, **kwargs):
        super().__init__(*args, **kwargs)
        units = (
            AdministrativeUnit.objects.filter(pk=district.pk) | district.children.all()
        )
        model_choice_filter(self, "unit").queryset = units.order_by("level", "code")

    def search(self, queryset, name, value):
        return body_search(queryset, value)
