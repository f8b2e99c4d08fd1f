"""A district's or carrier's home page: each obligation with its state, its
deadline, the days left, and the one thing to do next."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contacts.models import Organisation, SubmissionState
from readiness.models import PLAN_EVIDENCE, Directive, EvidenceKind
from readiness.selectors.compliance import (
    ROSTER_NOT_COVERED,
    Cell,
    compliance_matrix,
)
from readiness.selectors.obligations import overdue_as_history

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What the next step is called, by what the organisation has to do.
START = _("Start")
CONTINUE = _("Continue")
FIX = _("Fix what was returned")
VIEW = _("View")
FILL_ROSTER = _("Fill the roster's gaps")
REPORT_DIFFICULTY = _("Report a difficulty")


@dataclass
class NextAction:
    label: "StrOrPromise"  # translated when shown
    url: str
    primary: bool  # something to do, not just something to look at


@dataclass
class Todo:
    cell: Cell
    days_left: int | None  # whole days in Vietnam time; negative once late
    action: NextAction | None  # None while the Department reviews
    # The election is closed or past its results period.
    election_over: bool = False

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left and self.days_left < 0 else 0

    @property
    def not_done_by(self) -> bool:
        """Late and not met, shown as "not done by <the deadline>"
        (readiness.selectors.obligations.overdue_as_history)."""
        late = self.cell.overdue and not self.cell.is_met
        return late and overdue_as_history(
            days_overdue=max(self.days_overdue, 1), election_over=self.election_over
        )

    @property
    def awaiting_review(self) -> bool:
        return self.cell.state == SubmissionState.SUBMITTED


def recipient_todo(
    *, directive: Directive, organisation: Organisation, now: datetime.datetime
) -> list[Todo]:
    """The organisation's row of the compliance matrix, in the directive's
    order (the matrix's queries, whatever the size of the province)."""
    matrix = compliance_matrix(
        directive=directive,
        now=now,
        organisations=Organisation.objects.filter(pk=organisation.pk),
    )
    today = timezone.localdate(now)
    over = directive.election.is_over_on(today)
    todos = []
    for obligation in matrix.obligations:
        cell = matrix.cell(organisation.pk, obligation.pk)
        if cell is None:
            continue
        days = (timezone.localdate(cell.due_at) - today).days if cell.due_at else None
        todos.append(
            Todo(
                cell=cell,
                days_left=days,
                action=_next_action(cell),
                election_over=over,
            )
        )
    return todos


def _next_action(cell: Cell) -> NextAction | None:
    kind, state = cell.obligation.evidence_kind, cell.state
    if kind == EvidenceKind.CHANNEL:
        return NextAction(REPORT_DIFFICULTY, reverse("incidents:report"), False)
    if kind == EvidenceKind.DUTY_ROSTER and state == SubmissionState.ACCEPTED:
        url = reverse("rosters:roster", args=[cell.organisation.pk])
        if cell.roster_covered is False:
            return NextAction(FILL_ROSTER, url, True)
        return NextAction(VIEW, url, False)
    if kind == EvidenceKind.CONTACT_LIST:
        url = reverse("contacts:contact_list_index")
    elif kind in PLAN_EVIDENCE or kind == EvidenceKind.DUTY_ROSTER:
        url = reverse("readiness:plan_index") + f"#section-{cell.obligation.code}"
    else:
        return None
    actions: dict[str, NextAction | None] = {
        SubmissionState.NOT_STARTED: NextAction(START, url, True),
        SubmissionState.DRAFT: NextAction(CONTINUE, url, True),
        SubmissionState.RETURNED: NextAction(FIX, url, True),
        SubmissionState.SUBMITTED: None,
        SubmissionState.ACCEPTED: NextAction(VIEW, url, False),
    }
    return actions.get(state)


# What keeps an unmet obligation unmet, for the API (readiness.api): the
# cell's own state and roster coverage, put into words; no rule of its own.
NOT_ACCEPTED: dict[str, Promise] = {
    EvidenceKind.REPORT: _("The Department has not accepted the report yet."),
    EvidenceKind.CONTACT_LIST: _(
        "The Department has not accepted the contact list yet."
    ),
    EvidenceKind.PLAN_SECTION: _(
        "The Department has not accepted the plan section yet."
    ),
    EvidenceKind.DUTY_ROSTER: _(
        "The Department has not accepted the plan section yet."
    ),
}


@dataclass
class Missing:
    code: str  # "not_accepted" or "roster_gaps"
    message: str


def missing_of(cell: Cell) -> list[Missing]:
    """What the organisation still lacks for `cell` (none once it is met)."""
    if cell.is_met:
        return []
    missing = []
    if cell.state != SubmissionState.ACCEPTED:
        missing.append(
            Missing("not_accepted", str(NOT_ACCEPTED[cell.obligation.evidence_kind]))
        )
    if cell.roster_covered is False:
        missing.append(Missing("roster_gaps", str(ROSTER_NOT_COVERED)))
    return missing
