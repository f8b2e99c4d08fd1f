from django import template
from django.urls import reverse

from contacts import names
from contacts.model_fields import verbose_name
from contacts.models import Contact, ElectionBody
from contacts.phones import format_national

register = template.Library()


@register.filter
def national_phone(e164: str) -> str:
    """+84912345678 → 0912 345 678, as Vietnamese readers expect."""
    return format_national(e164) if e164 else ""


@register.filter
def unit_name(unit: names.Unit | str) -> str:
    """ "Huyện Đông Sơn" → "huyện Đông Sơn", for a unit inside a sentence
    (contacts.names)."""
    return names.unit_name(unit) if unit else ""


@register.filter
def place_name(unit: names.Unit | str) -> str:
    """ "Tỉnh Thanh Hóa" → "Thanh Hóa", the place of a date line."""
    return names.place_name(unit) if unit else ""


@register.filter
def governing_body(province: names.Unit | str) -> str:
    """ "UBND TỈNH THANH HÓA", the first line of a department's letterhead."""
    return names.governing_body(province) if province else ""


@register.filter
def body_field_label(name: str) -> str:
    return verbose_name(ElectionBody, "unit" if name == "unit_id" else name)


@register.filter
def contact_field_label(name: str) -> str:
    return verbose_name(Contact, name)


# The page listing an organisation's people.
MEMBERS_PAGE = "contacts:members"


@register.filter
def members_url(organisation_id: int) -> str:
    """The page of an organisation's members (the adoption page and the
    dashboard link each organisation to it)."""
    return reverse(MEMBERS_PAGE, args=[organisation_id])
