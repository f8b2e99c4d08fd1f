"""Reads of an organisation's people: who is a member, in which state, and
the membership history. A fixed number of queries per page."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    Invitation,
    Membership,
    MembershipEvent,
    Organisation,
)


class MemberState:
    ACTIVE = "active"
    INVITED = "invited"
    EXPIRED = "expired"
    NOT_JOINED = "not-joined"  # invited, but the link was ended
    DEACTIVATED = "deactivated"

    LABELS = {
        ACTIVE: _("active"),
        INVITED: _("invited, not yet joined"),
        EXPIRED: _("invitation expired"),
        NOT_JOINED: _("not joined, no valid invitation"),
        DEACTIVATED: _("deactivated"),
    }


@dataclass
class MemberRow:
    membership: Membership
    state: str
    invitation: Invitation | None  # the latest, for the invited

    @property
    def state_label(self) -> str:
        return str(MemberState.LABELS[self.state])

    @property
    def may_resend(self) -> bool:
        return self.state in (
            MemberState.INVITED,
            MemberState.EXPIRED,
            MemberState.NOT_JOINED,
        )


def member_state(
    membership: Membership,
    invitation: Invitation | None,
    now: datetime.datetime,
) -> str:
    if membership.deactivated_at is not None:
        return MemberState.DEACTIVATED
    if membership.user.is_active:
        return MemberState.ACTIVE
    if invitation is None or invitation.accepted_at or invitation.ended_at:
        return MemberState.NOT_JOINED
    if invitation.expires_at <= now:
        return MemberState.EXPIRED
    return MemberState.INVITED


def _latest_invitations() -> Prefetch:
    return Prefetch(
        "user__invitations",
        queryset=Invitation.objects.order_by("-created_at", "-pk"),
        to_attr="invitations_latest_first",
    )


def organisation_members(
    *, organisation: Organisation, now: datetime.datetime | None = None
) -> list[MemberRow]:
    """Every member, active first, then by name (two queries)."""
    now = now or timezone.now()
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "deactivated_by")
        .prefetch_related(_latest_invitations())
        .order_by("user__full_name", "user__username")
    )
    rows = []
    for membership in memberships:
        invitations = membership.user.invitations_latest_first  # type: ignore[attr-defined]
        latest = invitations[0] if invitations else None
        state = member_state(membership, latest, now)
        rows.append(MemberRow(membership, state, latest))
    order = [
        MemberState.ACTIVE,
        MemberState.INVITED,
        MemberState.EXPIRED,
        MemberState.NOT_JOINED,
        MemberState.DEACTIVATED,
    ]
    rows.sort(key=lambda row: order.index(row.state))
    return rows


def membership_history(*, organisation: Organisation) -> QuerySet[MembershipEvent]:
    """The organisation's membership history, latest first."""
    return (
        MembershipEvent.objects.filter(organisation=organisation)
        .select_related("person", "by")
        .order_by("-at", "-pk")
    )
