"""Reads of the reachability checks (incidents.views.roll_calls), each in a
fixed number of queries whatever the number of people asked. Which people
a user may count or see by name is incidents.permissions'
(`roll_call_counted_for`, `roll_call_named_for`)."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from contacts.models import Election
from contacts.phones import phone_digits
from incidents.models import RollCall, RollCallAudience, RollCallEntry

CONFIRMED = Q(confirmed_at__isnull=False)
UNREACHABLE = Q(confirmed_at__isnull=True)


def roll_call_list(*, election: Election, q: QuerySet[RollCall], organisation_id=None):
    """The election's roll-calls, newest first, each with `asked` and
    `confirmed` (only `organisation_id`'s people when given). One query."""
    own = Q(entries__organisation_id=organisation_id) if organisation_id else Q()
    return (
        q.filter(election=election)
        .select_related("started_by")
        .annotate(
            asked=Count("entries", filter=own),
            confirmed=Count(
                "entries", filter=own & Q(entries__confirmed_at__isnull=False)
            ),
        )
        .annotate(unreachable=F("asked") - F("confirmed"))
        .order_by("-started_at", "-pk")
    )


@dataclass(frozen=True)
class Totals:
    asked: int
    confirmed: int
    by_link: int
    by_reply: int

    @property
    def unreachable(self) -> int:
        return self.asked - self.confirmed


def roll_call_totals(*, entries: QuerySet[RollCallEntry]) -> Totals:
    figures = entries.aggregate(
        asked=Count("pk"),
        confirmed=Count("pk", filter=CONFIRMED),
        by_link=Count("pk", filter=Q(confirmed_via="link")),
        by_reply=Count("pk", filter=Q(confirmed_via="reply")),
    )
    return Totals(**figures)


@dataclass(frozen=True)
class Group:
    """A district (contacts) or an organisation (on duty) with its figures."""

    pk: int | None
    name: str
    asked: int
    confirmed: int

    @property
    def unreachable(self) -> int:
        return self.asked - self.confirmed


def group_field(roll_call: RollCall) -> str:
    """What the unreachable are grouped by: the district for the contacts
    (their lists are the districts'), the organisation for people on duty
    (their rosters are the carriers')."""
    if roll_call.audience == RollCallAudience.CONTACTS:
        return "district"
    return "organisation"


def roll_call_groups(
    *, roll_call: RollCall, entries: QuerySet[RollCallEntry]
) -> list[Group]:
    """Each group's people asked and confirmed, by name. One query."""
    field = group_field(roll_call)
    rows = (
        entries.values(field, f"{field}__name")
        .annotate(asked=Count("pk"), confirmed=Count("pk", filter=CONFIRMED))
        .order_by(f"{field}__name", field)
    )
    return [
        Group(r[field], r[f"{field}__name"] or "—", r["asked"], r["confirmed"])
        for r in rows
    ]


def roll_call_unreachable(
    *,
    roll_call: RollCall,
    entries: QuerySet[RollCallEntry],
    group: int | None = None,
    search: str = "",
) -> QuerySet[RollCallEntry]:
    """The people who have not confirmed, grouped (ordered by the group's
    id, then name: the order of the partial indexes on RollCallEntry, so a
    page is read without sorting every entry), with the group and
    organisation loaded; `group` and `search` (a name or digits of a
    number) narrow the list."""
    field = group_field(roll_call)
    q = entries.filter(UNREACHABLE).select_related("district", "organisation")
    if group is not None:
        q = q.filter(**{f"{field}_id": group})
    if search:
        digits = phone_digits(search)
        matches = Q(full_name__icontains=search)
        if digits:
            matches |= Q(phone__contains=digits)
        q = q.filter(matches)
    return q.order_by(f"{field}_id", "full_name", "pk")
