"""The province dashboard: are we ready, who is late, what is broken now.

One call gathers every tile in a fixed number of queries, whatever the
number of organisations, incidents and shifts (pinned by
tests/readiness/test_selectors_dashboard.py). The compliance matrix is
computed once and serves the readiness tiles, the deadlines and the matrix
table (readiness.views.dashboard).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from contacts.models import (
    AdministrativeUnit,
    Election,
    ElectionPhase,
    Organisation,
    OrganisationKind,
)
from contacts.selectors.adoption import (
    organisation_order,
    organisations_with_active_member,
)
from contacts.selectors.contact_lists import contact_list_overview
from contacts.selectors.units import district_unit, province_areas
from incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Category,
    Incident,
    Severity,
)
from incidents.selectors.rosters import OnDuty, duty_now
from readiness.models import GROUP_KINDS, Directive, EvidenceKind, RecipientGroup
from readiness.selectors.compliance import (
    Cell,
    ComplianceMatrix,
    Tally,
    compliance_matrix,
)
from readiness.selectors.queue import QueueItem, review_queue_summary

SOON = datetime.timedelta(days=7)
LATEST_CRITICAL = 5
# The overdue list names this many cells; the tile counts them all.
OVERDUE_LISTED = 30
# Groups with obligations of their own (ALL is the difficulty channel).
READINESS_GROUPS = (
    RecipientGroup.DISTRICT,
    RecipientGroup.TELECOM,
    RecipientGroup.POSTAL,
)


@dataclass
class GroupReadiness(Tally):
    """Per recipient group: (organisation, obligation) pairs and their state."""

    group: str = ""
    organisations: int = 0

    @property
    def label(self) -> str:
        return str(RecipientGroup(self.group).label)


@dataclass
class DistrictCoverage:
    """Communes with an Election Team reachable by phone, in the accepted
    contact list, of the district's communes."""

    district: AdministrativeUnit
    covered: int
    total: int
    state: str  # contacts.models.SubmissionState of the district's list

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0

    @property
    def uncovered(self) -> int:
        return max(self.total - self.covered, 0)


@dataclass
class DueSoon:
    """An obligation due within SOON, with how many organisations have not
    met it yet."""

    obligation_code: str
    obligation_title: str
    due_at: datetime.datetime
    unmet: int


@dataclass
class ProvinceDashboard:
    election: Election
    directive: Directive
    now: datetime.datetime
    matrix: ComplianceMatrix
    districts: list[AdministrativeUnit]  # the province's, by code
    readiness: list[GroupReadiness]
    coverage: list[DistrictCoverage]
    queue_count: int
    queue_oldest: QueueItem | None
    incidents_by_severity: dict[str, int]
    incidents_by_district: list[tuple[AdministrativeUnit, int]]
    critical_latest: list[Incident]
    on_duty: list[OnDuty]
    due_soon: list[DueSoon]
    overdue: list[Cell] = field(default_factory=list)
    overdue_count: int = 0
    # Organisations with obligations that nobody active acts for: their
    # people have not joined yet, or were deactivated.
    without_members: list[Organisation] = field(default_factory=list)

    @property
    def phase(self) -> str:
        return self.election.phase_on(timezone.localdate(self.now))

    @property
    def is_polling_day(self) -> bool:
        return self.phase == ElectionPhase.DURING

    @property
    def election_over(self) -> bool:
        """Closed or past its results period: no countdown, no "N days after"."""
        return self.election.is_over_on(timezone.localdate(self.now))

    @property
    def days_to_polling(self) -> int:
        return (self.election.polling_day - timezone.localdate(self.now)).days

    @property
    def open_incidents(self) -> int:
        return sum(self.incidents_by_severity.values())

    @property
    def nobody_on_duty(self) -> int:
        return sum(1 for row in self.on_duty if not row.shifts)


def province_dashboard(
    *, directive: Directive, now: datetime.datetime
) -> ProvinceDashboard:
    election = directive.election
    matrix = compliance_matrix(directive=directive, now=now)
    districts = _districts(election)
    open_incidents = Incident.objects.filter(
        election=election, status__in=OPEN_STATUSES
    ).exclude(category=Category.DIFFICULTY)
    overdue = _overdue(matrix)
    queue_count, queue_oldest = review_queue_summary(directive=directive)
    return ProvinceDashboard(
        election=election,
        directive=directive,
        now=now,
        matrix=matrix,
        districts=districts,
        readiness=_readiness(matrix),
        coverage=_coverage(election),
        queue_count=queue_count,
        queue_oldest=queue_oldest,
        incidents_by_severity=_by_severity(open_incidents),
        incidents_by_district=_by_district(open_incidents, districts),
        critical_latest=list(
            open_incidents.filter(severity=Severity.CRITICAL)
            .select_related("organisation")
            .order_by("-created_at", "-pk")[:LATEST_CRITICAL]
        ),
        on_duty=duty_now(election=election, at=now),
        due_soon=_due_soon(matrix, now),
        overdue=overdue[:OVERDUE_LISTED],
        overdue_count=len(overdue),
        without_members=_without_members(matrix),
    )


def _districts(election: Election) -> list[AdministrativeUnit]:
    """The province's areas: districts, or communes in a two-tier structure."""
    return list(province_areas(election.province_id).order_by("code"))


def _readiness(matrix: ComplianceMatrix) -> list[GroupReadiness]:
    groups: dict[str, GroupReadiness] = {
        g: GroupReadiness(group=g) for g in READINESS_GROUPS
    }
    for org in matrix.organisations:
        for group in groups.values():
            group.organisations += org.kind in GROUP_KINDS[group.group]
    for cell in matrix.cells.values():
        addressed = groups.get(cell.obligation.recipient_group)
        if addressed is None or cell.obligation.evidence_kind == EvidenceKind.CHANNEL:
            continue
        addressed.add(cell)
    return list(groups.values())


def _without_members(matrix: ComplianceMatrix) -> list[Organisation]:
    """The matrix's organisations (those the directive's obligations
    address) without an active member, by kind and name (one query)."""
    active = organisations_with_active_member()
    return sorted(
        (org for org in matrix.organisations if org.pk not in active),
        key=organisation_order,
    )


def _coverage(election: Election) -> list[DistrictCoverage]:
    rows = contact_list_overview(
        election=election,
        draft_coverage=False,
        districts=Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT,
            is_active=True,
            unit__parent_id=election.province_id,
        ),
    )
    return [
        DistrictCoverage(
            district=district_unit(row.organisation),
            covered=row.accepted.communes_covered if row.accepted else 0,
            total=row.communes_total,
            state=row.contact_list.state if row.contact_list else "not_started",
        )
        for row in rows
    ]


def _by_severity(open_incidents) -> dict[str, int]:
    """Open incidents per severity, most severe first, every one listed."""
    counts = dict.fromkeys(sorted(Severity.values, key=SEVERITY_RANK.__getitem__), 0)
    rows = open_incidents.order_by().values("severity").annotate(n=Count("pk"))
    counts.update({row["severity"]: row["n"] for row in rows})
    return counts


def _by_district(
    open_incidents, districts: list[AdministrativeUnit]
) -> list[tuple[AdministrativeUnit, int]]:
    """Open incidents affecting each district (an incident in two districts
    counts in both), the districts with none left out, most first."""
    through = Incident.districts.through
    rows = (
        through.objects.filter(incident__in=open_incidents)
        .values("administrativeunit_id")
        .annotate(n=Count("incident_id"))
    )
    counts = {row["administrativeunit_id"]: row["n"] for row in rows}
    found = [(d, counts[d.pk]) for d in districts if counts.get(d.pk)]
    return sorted(found, key=lambda pair: (-pair[1], pair[0].code))


def _due_soon(matrix: ComplianceMatrix, now: datetime.datetime) -> list[DueSoon]:
    """Deadlines in the next seven days, each with its unmet organisations."""
    soon: dict[tuple, DueSoon] = {}
    for cell in matrix.cells.values():
        if cell.is_met or cell.due_at is None or not now <= cell.due_at < now + SOON:
            continue
        key = (cell.obligation.pk, cell.due_at)
        if key not in soon:
            soon[key] = DueSoon(
                cell.obligation.code, cell.obligation.display_title, cell.due_at, 0
            )
        soon[key].unmet += 1
    return sorted(soon.values(), key=lambda d: (d.due_at, d.obligation_code))


def _overdue(matrix: ComplianceMatrix) -> list[Cell]:
    """Every overdue cell, the longest overdue first."""
    late = [cell for cell in matrix.cells.values() if cell.overdue]
    return sorted(
        late, key=lambda c: (c.due_at, c.organisation.name, c.obligation.position)
    )
