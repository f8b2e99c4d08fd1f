"""Who has joined: per organisation, how many of its people use the app,
how many were invited and have not joined yet, and who signed in last; and
the same per person for the Department's export.

A person is a membership (API tokens' accounts have none). Their state:
- active: the account signs in (`User.is_active`);
- invited: not joined yet, with a link that still works;
- invitation expired: not joined yet, and no link of theirs works any more
  (it expired; a newer one is sent from the members page or the adoption
  page, contacts.views.adoption);
- deactivated: `Membership.deactivated_at` is set (contacts.services.members).

Each read costs a fixed number of queries whatever the number of
organisations and people (tests/test_query_counts.py, "people by
organisation").
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
)
from django.utils.translation import gettext_lazy as _

from contacts.collation import vietnamese_sort_key
from contacts.models import Invitation, Membership, Organisation, OrganisationKind

ACTIVE = Q(user__is_active=True, deactivated_at=None)
NOT_JOINED = Q(user__is_active=False, deactivated_at=None)
DEACTIVATED = Q(deactivated_at__isnull=False)
KIND_ORDER = {kind: n for n, kind in enumerate(OrganisationKind.values)}


class MemberState(TextChoices):
    ACTIVE = "active", _("active")
    INVITED = "invited", _("invited, not joined yet")
    EXPIRED = "expired", _("invitation expired")
    DEACTIVATED = "deactivated", _("deactivated")


def _working_link(now: datetime.datetime) -> QuerySet[Invitation]:
    """The person's invitations whose link still works at `now`."""
    return Invitation.objects.filter(
        person=OuterRef("user_id"),
        accepted_at=None,
        ended_at=None,
        expires_at__gt=now,
    )


def organisation_order(organisation: Organisation) -> tuple:
    """By kind (OrganisationKind's order), then by name in Vietnamese order."""
    return (
        KIND_ORDER.get(organisation.kind, len(KIND_ORDER)),
        vietnamese_sort_key(organisation.display_name),
    )


@dataclass
class OrganisationAdoption:
    organisation: Organisation
    active: int = 0
    # Not joined yet (deactivated people left out), and of those, how many
    # have no link that still works.
    invited: int = 0
    expired: int = 0
    never_signed_in: int = 0  # active, last_login empty
    deactivated: int = 0
    last_login: datetime.datetime | None = None  # of its active people

    @property
    def no_active_member(self) -> bool:
        return self.active == 0


def adoption_by_organisation(*, now: datetime.datetime) -> list[OrganisationAdoption]:
    """Every active organisation with its figures (two queries), by kind and
    then by name in Vietnamese order."""
    organisations = Organisation.objects.filter(is_active=True)
    rows = {org.pk: OrganisationAdoption(organisation=org) for org in organisations}
    counts = (
        Membership.objects.filter(organisation__is_active=True)
        .order_by()
        .values("organisation_id")
        .annotate(
            active=Count("pk", filter=ACTIVE),
            invited=Count("pk", filter=NOT_JOINED),
            expired=Count("pk", filter=Q(NOT_JOINED, ~Exists(_working_link(now)))),
            never_signed_in=Count("pk", filter=ACTIVE & Q(user__last_login=None)),
            deactivated=Count("pk", filter=DEACTIVATED),
            last_login=Max("user__last_login", filter=ACTIVE),
        )
    )
    for count in counts:
        row = rows.get(count["organisation_id"])
        if row is None:
            continue
        row.active, row.invited = count["active"], count["invited"]
        row.expired, row.deactivated = count["expired"], count["deactivated"]
        row.never_signed_in = count["never_signed_in"]
        row.last_login = count["last_login"]
    return sorted(rows.values(), key=lambda r: organisation_order(r.organisation))


def organisations_with_active_member() -> set[int]:
    """The ids of the organisations someone active acts for (one query)."""
    return set(
        Membership.objects.filter(ACTIVE)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )


@dataclass
class PersonAdoption:
    membership: Membership  # with its user and organisation
    state: str  # MemberState
    invited_at: datetime.datetime | None  # the latest link sent
    joined_at: datetime.datetime | None

    @property
    def state_label(self) -> str:
        return str(MemberState(self.state).label)


def _state(membership: Membership, has_link: bool) -> str:
    if membership.deactivated_at is not None:
        return MemberState.DEACTIVATED
    if membership.user.is_active:
        return MemberState.ACTIVE
    return MemberState.INVITED if has_link else MemberState.EXPIRED


def adoption_people(*, now: datetime.datetime) -> list[PersonAdoption]:
    """Every person of the active organisations, with their state, by
    organisation (as adoption_by_organisation) and then by name (one
    query). Joined: when they accepted their invitation; for an account
    made before invitations (no invitation at all), when it was made."""
    invitations = Invitation.objects.filter(person=OuterRef("user_id"))
    q = (
        Membership.objects.filter(organisation__is_active=True)
        .select_related("user", "organisation")
        .annotate(
            has_link=Exists(_working_link(now)),
            invited_at=Subquery(
                invitations.order_by("-created_at").values("created_at")[:1]
            ),
            accepted_at=Subquery(
                invitations.filter(accepted_at__isnull=False)
                .order_by("-accepted_at")
                .values("accepted_at")[:1]
            ),
        )
    )
    people = []
    for m in q:
        joined = m.accepted_at
        if joined is None and m.invited_at is None:
            joined = m.user.date_joined
        people.append(PersonAdoption(m, _state(m, m.has_link), m.invited_at, joined))
    return sorted(
        people,
        key=lambda p: (
            organisation_order(p.membership.organisation),
            vietnamese_sort_key(str(p.membership.user)),
        ),
    )


def memberships_not_joined(*, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's people invited and not joined yet (deactivated
    people left out), whether their link still works or not."""
    return (
        Membership.objects.filter(NOT_JOINED, organisation=organisation)
        .select_related("user", "organisation")
        .order_by("user__full_name", "pk")
    )
