"""Ids read from outside (a URL, a query string, a form, the API): one rule
for every record of the three apps, applied before any query.

Every primary key is a BigAutoField (DEFAULT_AUTO_FIELD), 1 to 2**63 - 1.
Django's `exact` lookup reads a larger integer as "no such row", but its
`__in` lookup (a ModelMultipleChoiceField's check) passes it on: SQLite's
driver raises OverflowError, a server error (psycopg2 happens to send it to
PostgreSQL as a numeric, which compares). int() also reads " 7", "1_000"
and "٣". So an id is ASCII digits only, at most 19 of them, from 1 to
2**63 - 1; anything else is no id, refused as a record that does not exist
would be:

- in a URL, by the `id` path converter (registered in contacts.apps): the
  URL does not match, 404;
- in a form or a query-string filter, by the model-choice fields and
  django-filter filters below: the field's usual error;
- in the API's body, by IdRelatedField: 400.

tests/test_ids_in_range.py finds every model choice, filter, serializer
field and URL id of the project and fails on one that is not these.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from contacts.validators import whole_number

ID_MAX = 2**63 - 1
ID_DIGITS = len(str(ID_MAX))  # 19


def id_from(value: object) -> int | None:
    """`value` (text, or an int from JSON or code) as an id, or None if it
    cannot be one."""
    if isinstance(value, bool):  # JSON's true is not record 1
        return None
    if isinstance(value, int):
        number: int | None = value
    elif isinstance(value, str):
        number = whole_number(value, digits=ID_DIGITS)
    else:
        return None
    if number is None or not 1 <= number <= ID_MAX:
        return None
    return number


class IdConverter:
    """`<id:pk>` in a URL: a URL whose id cannot be one matches no route."""

    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = id_from(value)
        if number is None:
            raise ValueError(value)  # Django then tries the next route: 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def _refuses(field: forms.ModelChoiceField, value: object) -> bool:
    """True if `value` is no id for `field` (a model instance, or the null
    choice of a django-filter field, is left to the field)."""
    if field.to_field_name:
        return False
    if field.queryset is not None and isinstance(value, field.queryset.model):
        return False
    null_label = getattr(field, "null_label", None)
    if null_label is not None and value == getattr(field, "null_value", None):
        return False
    return id_from(value) is None


class IdChoiceField(forms.ModelChoiceField):
    """forms.ModelChoiceField for the project's forms."""

    def to_python(self, value):
        if value not in self.empty_values and _refuses(self, value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """forms.ModelMultipleChoiceField for the project's forms."""

    def _check_values(self, value):
        # `clean` has made sure `value` is a list or tuple.
        for pk in value:
            if _refuses(self, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        # django-stubs leave out Django's private _check_values.
        return super()._check_values(value)  # type: ignore[misc]


# The check first, then django-filter's null choice, then Django's field.
class _IdChoiceFilterField(IdChoiceField, django_filters.fields.ModelChoiceField):
    pass


class _IdMultipleChoiceFilterField(
    IdMultipleChoiceField, django_filters.fields.ModelMultipleChoiceField
):
    pass


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """django_filters.ModelChoiceFilter for the project's FilterSets."""

    field_class = _IdChoiceFilterField


class IdMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """django_filters.ModelMultipleChoiceFilter for the project's FilterSets."""

    field_class = _IdMultipleChoiceFilterField


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """PrimaryKeyRelatedField for the API's serializers: DRF's reads 1.5
    and "1 " as record 1."""

    def to_internal_value(self, data):
        if id_from(data) is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
