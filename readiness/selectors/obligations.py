"""Reads for readiness pages, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from contacts.models import Election, Organisation
from contacts.selectors import election_current
from readiness.models import Deadline, Directive, Obligation, groups_for_kind

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


# Past a season, an overdue count is history, not an alarm: it is shown as
# "not done by <the deadline>" (as it is once the election is over).
SEASON_DAYS = 90


def overdue_as_history(*, days_overdue: int, election_over: bool) -> bool:
    """Whether an overdue obligation reads "not done by <date>" rather than
    "overdue by N days" (the home pages' tables, _obligation_table.html and
    _todo_table.html)."""
    return days_overdue > 0 and (election_over or days_overdue > SEASON_DAYS)


class _Deadlines(TypedDict):
    applicable_deadlines: list[Deadline]  # the Prefetch's to_attr below


@dataclass(frozen=True)
class ObligationDue:
    """An obligation with the deadline that applies to one organisation."""

    obligation: Obligation
    due_at: datetime.datetime | None
    is_extension: bool
    # Whole calendar days (Vietnam time) until the deadline; negative once past.
    days_left: int | None
    is_overdue: bool
    # The election is closed or past its results period.
    election_over: bool = False

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left and self.days_left < 0 else 0

    @property
    def not_done_by(self) -> bool:
        """Overdue, shown as "not done by <the deadline>" (overdue_as_history)."""
        return self.is_overdue and overdue_as_history(
            days_overdue=max(self.days_overdue, 1), election_over=self.election_over
        )


def directive_current(*, election: Election | None) -> Directive | None:
    if election is None:
        return None
    return (
        Directive.objects.filter(election=election).select_related("election").first()
    )


def directive_current_or_404() -> Directive:
    """The current election's directive, for a page that has nothing to
    show without one; its election is the one read with its province (the
    report names it above the signatures)."""
    election = election_current()
    directive = directive_current(election=election)
    if directive is None or election is None:
        raise Http404
    directive.election = election
    return directive


def obligations_due(
    *, directive: Directive, organisation: Organisation | None, now: datetime.datetime
) -> list[ObligationDue]:
    """The directive's obligations with their deadlines (two queries).

    For a recipient organisation: only the obligations addressed to its
    group, each with the organisation's extension where it has one. Without
    an organisation (Department, observers): every obligation with its
    default deadline.
    """
    q = Obligation.objects.filter(directive=directive).order_by("position")
    deadlines = Deadline.objects.filter(organisation__isnull=True)
    if organisation is not None:
        q = q.filter(recipient_group__in=groups_for_kind(organisation.kind))
        deadlines = Deadline.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation)
        )
    q = q.prefetch_related(
        Prefetch("deadlines", queryset=deadlines, to_attr="applicable_deadlines")
    )
    over = directive.election.is_over_on(timezone.localdate(now))
    return [_with_deadline(o, now, over) for o in q]


def _with_deadline(
    obligation: "WithAnnotations[Obligation, _Deadlines]",
    now: datetime.datetime,
    election_over: bool,
) -> ObligationDue:
    extension = next(
        (d for d in obligation.applicable_deadlines if d.organisation_id), None
    )
    default = next(
        (d for d in obligation.applicable_deadlines if not d.organisation_id), None
    )
    applies = extension or default
    due_at = applies.due_at if applies else None
    days_left = None
    if due_at is not None:
        days_left = (
            timezone.localtime(due_at).date() - timezone.localtime(now).date()
        ).days
    return ObligationDue(
        obligation=obligation,
        due_at=due_at,
        is_extension=extension is not None,
        days_left=days_left,
        is_overdue=due_at is not None and now >= due_at,
        election_over=election_over,
    )
