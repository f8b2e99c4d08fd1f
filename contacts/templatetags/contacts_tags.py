from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model

from contacts.models import Contact, ElectionBody
from contacts.phones import format_national

register = template.Library()


@register.filter
def national_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678, as Vietnamese readers expect."""
    return format_national(e164) if e164 else ""


def _verbose_name(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):  # a reverse relation has no label
        raise FieldDoesNotExist(f"{model.__name__}.{name} is not a field")
    return str(field.verbose_name)


@register.filter
def body_field_label(name: str) -> str:
    return _verbose_name(ElectionBody, "unit" if name == "unit_id" else name)


@register.filter
def contact_field_label(name: str) -> str:
    return _verbose_name(Contact, name)
