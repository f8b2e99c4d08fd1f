"""What importers, forms and pages read of a model's fields: its label and
its length limit, by field name."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model


def model_field(model: type[Model], name: str) -> Field:
    """The field `name` of `model` (a reverse relation is not one)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is not a field")
    return field


def verbose_name(model: type[Model], name: str) -> str:
    """The field's label, in the active language."""
    return str(model_field(model, name).verbose_name)


def max_length(model: type[Model], name: str) -> int:
    """The length limit of a text field (every one the importers check has
    one)."""
    length = model_field(model, name).max_length
    if length is None:
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return length
