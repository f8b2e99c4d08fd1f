"""Reads of the registry, each with a fixed number of queries."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from contacts.models import (
    FIRST_EDITION,
    AdministrativeUnit,
    Election,
    Organisation,
    OrganisationKind,
    UnitLevel,
)


def election_current() -> Election | None:
    """The election the app is working on: the one with the latest polling day."""
    return Election.objects.select_related("province").order_by("-polling_day").first()


def election_current_or_404() -> Election:
    """The current election, for a page that has nothing to show without one."""
    election = election_current()
    if election is None:
        raise Http404
    return election


def organisation_list(
    *, organisations: QuerySet[Organisation]
) -> QuerySet[Organisation]:
    """Organisations for the register page, with member and served-district counts."""
    return (
        organisations.select_related("unit")
        .annotate(
            member_count=Count("memberships", distinct=True),
            served_count=Count("served_units", distinct=True),
        )
        .order_by("kind", "name")
    )


def organisation_counts_by_kind() -> dict[str, int]:
    rows = (
        Organisation.objects.filter(is_active=True)
        .values("kind")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(OrganisationKind.values, 0)
    counts.update({r["kind"]: r["n"] for r in rows})
    return counts


def organisation_detail(*, organisation: Organisation) -> dict:
    """Members and served districts of one organisation (two queries)."""
    members = list(
        organisation.memberships.select_related("user").order_by(
            "user__full_name", "user__username"
        )
    )
    # The areas directly under a province: districts, or communes of a
    # two-tier structure (contacts.selectors.units).
    served = list(
        organisation.served_units.filter(parent__level=UnitLevel.PROVINCE).order_by(
            "code"
        )
    )
    return {"members": members, "served_units": served}


def unit_counts(*, province_code: str, edition: str = FIRST_EDITION) -> dict[str, int]:
    """How many district- and commune-level units a province has in an
    edition of the structure (a two-tier one: no district)."""
    in_province = Q(parent__code=province_code) | Q(parent__parent__code=province_code)
    return AdministrativeUnit.objects.filter(edition=edition).aggregate(
        districts=Count(
            "pk", filter=Q(level=UnitLevel.DISTRICT, parent__code=province_code)
        ),
        communes=Count("pk", filter=Q(level=UnitLevel.COMMUNE) & in_province),
    )
