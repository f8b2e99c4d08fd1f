"""Who has met what: the status of every (organisation, obligation) of a
directive, computed in bulk from the evidence each obligation names
(docs/architecture.md, "How obligations become a status")."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    ContactList,
    Election,
    Organisation,
    OrganisationKind,
    SubmissionState,
    list_state,
)
from incidents.selectors.rosters import Coverage, roster_coverage
from readiness.models import (
    GROUP_KINDS,
    Deadline,
    Directive,
    EvidenceKind,
    Obligation,
    PlanSection,
    ReviewStatus,
    SectionReview,
)

# T2 is met when its plan section is accepted and the roster covers the
# election (incidents.selectors.rosters.Coverage.covered).
ROSTER_COVERED = _("The duty roster covers every period.")
ROSTER_NOT_COVERED = _("The duty roster does not cover every period yet.")
CHANNEL_NOTE = _("A reporting channel: never unmet.")


@dataclass(slots=True)
class Cell:
    """One (organisation, obligation): its state, deadline and whether late."""

    organisation: Organisation
    obligation: Obligation
    state: str  # contacts.models.SubmissionState, or "channel"
    due_at: datetime.datetime | None
    is_extension: bool = False
    overdue: bool = False
    note: str = ""
    # For a duty-roster obligation, whether the roster covers the election's
    # periods; None for any other evidence.
    roster_covered: bool | None = None

    @property
    def is_met(self) -> bool:
        return (
            self.state in (SubmissionState.ACCEPTED, "channel")
            and self.roster_covered is not False
        )


@dataclass
class Tally:
    """Cells counted by state: for a column of the matrix, a recipient group
    on the dashboard, a line of the Election Committee report."""

    addressed: int = 0
    met: int = 0
    submitted: int = 0
    overdue: int = 0

    def add(self, cell: Cell) -> None:
        self.addressed += 1
        self.met += cell.is_met
        self.submitted += cell.state == SubmissionState.SUBMITTED
        self.overdue += cell.overdue

    @property
    def met_percent(self) -> int:
        return round(100 * self.met / self.addressed) if self.addressed else 0


@dataclass
class ComplianceMatrix:
    obligations: list[Obligation]
    organisations: list[Organisation]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def rows(self):
        """(organisation, [cell or None per obligation]) for the matrix page."""
        for org in self.organisations:
            yield org, [self.cells.get((org.pk, o.pk)) for o in self.obligations]

    def cell(self, organisation_id: int, obligation_id: int) -> Cell | None:
        return self.cells.get((organisation_id, obligation_id))


def compliance_matrix(
    *,
    directive: Directive,
    now: datetime.datetime,
    organisations: QuerySet[Organisation] | None = None,
) -> ComplianceMatrix:
    """The whole matrix in a fixed number of queries (seven, and two more
    when an obligation is met by a duty roster), whatever the number of
    organisations and obligations."""
    obligations = list(
        Obligation.objects.filter(directive=directive).order_by("position")
    )
    kinds = {kind for o in obligations for kind in GROUP_KINDS[o.recipient_group]}
    q = organisations if organisations is not None else Organisation.objects.all()
    # Without their units: building 1,700 more model instances cost a
    # country's dashboard some 40 ms; pages load the units of the rows they
    # show (readiness.views.matrix_table.matrix_page).
    # A district answers only for the election of its own province and
    # administrative structure: after a new structure is loaded, the old
    # districts are not the new cycle's recipients (readiness.services.cycles).
    province = Election.objects.filter(pk=directive.election_id).values("province")
    in_province = ~Q(kind=OrganisationKind.DISTRICT) | Q(unit__parent__in=province)
    orgs = list(
        q.filter(in_province, kind__in=kinds, is_active=True).order_by("kind", "name")
    )
    deadlines = _deadlines(directive)
    evidence = Evidence.load(directive)
    evidence.rosters = _rosters(directive, obligations, orgs)
    matrix = ComplianceMatrix(obligations=obligations, organisations=orgs)
    for org in orgs:
        for obligation in obligations:
            if org.kind in GROUP_KINDS[obligation.recipient_group]:
                matrix.cells[(org.id, obligation.id)] = cell_of(
                    org, obligation, evidence, deadlines, now
                )
    return matrix


def _deadlines(directive: Directive) -> dict:
    """(obligation id, organisation id or None) → due time (one query)."""
    rows = Deadline.objects.filter(obligation__directive=directive).values_list(
        "obligation_id", "organisation_id", "due_at"
    )
    return {(obligation, org): due for obligation, org, due in rows}


@dataclass
class Evidence:
    """What the cells' states are decided from: loaded from today's rows
    here, and from the audit trail as of a moment by selectors/report.py,
    so that both apply the same rules (cell_of)."""

    accepted: set[tuple[int, int]]  # (org, obligation) with a section in force
    latest: dict[tuple[int, int], str]  # review status in the latest version
    saved: dict[tuple[int, int], datetime.datetime]  # draft last saved
    submitted_at: dict[int, datetime.datetime]  # org → latest submission
    # District organisation id → its contact list's state, ACCEPTED once a
    # version is in force (D2's evidence).
    list_states: dict[int, str]
    rosters: dict[int, Coverage] = field(default_factory=dict)
    # The cells' notes in the language of the request, translated once: a
    # lookup of the active language per cell cost a country's matrix 15 ms.
    notes: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.notes = {
            "channel": str(CHANNEL_NOTE),
            "covered": str(ROSTER_COVERED),
            "not_covered": str(ROSTER_NOT_COVERED),
        }

    @classmethod
    def load(cls, directive: Directive) -> "Evidence":
        reviews = SectionReview.objects.filter(version__plan__directive=directive)
        accepted = set(
            reviews.filter(status=ReviewStatus.ACCEPTED).values_list(
                "version__plan__organisation_id", "obligation_id"
            )
        )
        latest = {
            (org, obligation): status
            for org, obligation, status in reviews.filter(
                version=F("version__plan__latest_version")
            ).values_list("version__plan__organisation_id", "obligation_id", "status")
        }
        sections = PlanSection.objects.filter(
            plan__directive=directive, updated_at__isnull=False
        ).values_list(
            "plan__organisation_id",
            "obligation_id",
            "updated_at",
            "plan__latest_version__submitted_at",
        )
        saved, submitted_at = {}, {}
        for org, obligation, updated_at, last_submitted in sections:
            if updated_at is not None:  # (filtered above; nullable column)
                saved[(org, obligation)] = updated_at
            if last_submitted is not None:
                submitted_at[org] = last_submitted
        # The state needs the latest version; whether one is accepted, only
        # its id.
        lists = ContactList.objects.filter(
            election_id=directive.election_id
        ).values_list(
            "organisation_id",
            "accepted_version_id",
            "latest_version__status",
            "latest_version__submitted_at",
            "draft_changed_at",
        )
        list_states = {
            org: SubmissionState.ACCEPTED
            if accepted_version
            else list_state(
                latest_status=status,
                latest_submitted_at=submitted,
                draft_changed_at=changed,
            )
            for org, accepted_version, status, submitted, changed in lists
        }
        return cls(accepted, latest, saved, submitted_at, list_states)


def _rosters(
    directive: Directive,
    obligations: list[Obligation],
    orgs: list[Organisation],
) -> dict[int, Coverage]:
    """Roster coverage of the organisations a duty-roster obligation is
    addressed to (none asked, no query)."""
    kinds = {
        kind
        for o in obligations
        if o.evidence_kind == EvidenceKind.DUTY_ROSTER
        for kind in GROUP_KINDS[o.recipient_group]
    }
    addressed = [org for org in orgs if org.kind in kinds]
    if not addressed:
        return {}
    return roster_coverage(election=directive.election, organisations=addressed)


def cell_of(org, obligation, evidence: Evidence, deadlines, now) -> Cell:
    # .id, not .pk: this runs for every cell, some 6,000 in a country.
    extension = deadlines.get((obligation.id, org.id))
    due_at = extension or deadlines.get((obligation.id, None))
    cell = Cell(
        org,
        obligation,
        SubmissionState.NOT_STARTED,
        due_at,
        is_extension=bool(extension),
    )
    kind = obligation.evidence_kind
    if kind == EvidenceKind.CHANNEL:
        cell.state, cell.note = "channel", evidence.notes["channel"]
        return cell
    if kind == EvidenceKind.CONTACT_LIST:
        cell.state = evidence.list_states.get(org.id, SubmissionState.NOT_STARTED)
    else:
        cell.state = _section_state(org.id, obligation.id, evidence)
        if kind == EvidenceKind.DUTY_ROSTER:
            coverage = evidence.rosters.get(org.id) or Coverage()
            cell.roster_covered = coverage.covered
            cell.note = evidence.notes["covered" if coverage.covered else "not_covered"]
    cell.overdue = due_at is not None and now >= due_at and not cell.is_met
    return cell


def _section_state(org_id: int, obligation_id: int, evidence: Evidence) -> str:
    key = (org_id, obligation_id)
    if key in evidence.accepted:
        return SubmissionState.ACCEPTED
    status = evidence.latest.get(key)
    saved = evidence.saved.get(key)
    last_submitted = evidence.submitted_at.get(org_id)
    if status == ReviewStatus.RETURNED and not (
        saved and last_submitted and saved > last_submitted
    ):
        return SubmissionState.RETURNED
    if status == ReviewStatus.SUBMITTED:
        return SubmissionState.SUBMITTED
    return SubmissionState.DRAFT if saved else SubmissionState.NOT_STARTED


def contact_list_state(contact_list: ContactList | None) -> str:
    """D2 is met once a list is accepted: contacts.services accepts only a
    list that covers every commune, or records why it may not."""
    if contact_list is None:
        return SubmissionState.NOT_STARTED
    if contact_list.accepted_version_id is not None:
        return SubmissionState.ACCEPTED
    return contact_list.state
