"""Reads of the phone-access log (contacts.models.access_log)."""

from django.db.models import Prefetch, QuerySet

from contacts.models import ElectionBody, Organisation, PhoneAccess


def phone_accesses() -> QuerySet[PhoneAccess]:
    """Every access, newest first, with its user, organisation and
    districts: a page costs the same queries whatever it holds."""
    return PhoneAccess.objects.select_related("user", "organisation").prefetch_related(
        Prefetch("districts", queryset=Organisation.objects.order_by("name"))
    )


def districts_of_bodies(bodies: QuerySet[ElectionBody]) -> QuerySet:
    """The district organisations (pks) of `bodies`, in one query: what a
    directory export shows, for contacts.services.access_log."""
    return (
        bodies.prefetch_related(None)
        .order_by()
        .values_list("contact_list__organisation_id", flat=True)
        .distinct()
    )
