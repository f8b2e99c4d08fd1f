"""The report for the provincial Election Committee, as things stood at a
moment (readiness.views.report renders it as a page, a PDF and an .xlsx).

Reproducible: the figures for a moment are read from what was recorded up
to that moment, so the same moment gives the same report after later
changes.

- Directive, obligations, organisations, deadlines and extensions, plan
  sections, section reviews, contact-list versions and duty shifts: the
  latest row of their audit trail (django-simple-history) written at or
  before the moment, deleted rows left out.
- Plan versions: those submitted at or before the moment (a version is
  never changed once submitted).
- Incidents: those reported in the period (from the first day of the
  election's "before" period to the moment), their fields from the audit
  trail, their status from the last status change of their timeline
  (IncidentUpdate) at or before the moment, and a difficulty's answer from
  the last answer in the timeline at or before the moment. The incident
  services change status and answers with conditional UPDATEs that bypass
  the audit trail; the timeline is where those changes are recorded.

The status of each (organisation, obligation) is then worked out by the
same rules as the compliance matrix (readiness.selectors.compliance), from
that evidence instead of the current rows.

Limits, all about what the audit trail does not hold:
- A contact list's draft time (`draft_changed_at`) is written around the
  audit trail; only its current value is known. A district that started or
  changed its draft before the moment and again after it shows "not
  started" (or "returned") rather than "draft" for that moment. Drafts are
  not in the figures (met / submitted / overdue), only in a list's state.
- Rows written around the audit trail (a raw bulk insert) are not seen;
  every service writes history.
- Names of administrative units are today's: the registry is not a
  figure of the report.

Fixed number of queries, whatever the number of organisations, incidents
or versions: fourteen, and one more when an obligation is met by a duty
roster (tests/readiness/test_selectors_report.py pins it).
"""

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contacts.models import (
    ContactList,
    Election,
    Organisation,
    OrganisationKind,
    SubmissionState,
)
from contacts.selectors.units import area_commune_counts, district_unit
from incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Severity,
    UpdateKind,
)
from incidents.selectors.rosters import election_periods
from readiness.models import (
    GROUP_KINDS,
    Directive,
    EvidenceKind,
    Obligation,
    RecipientGroup,
)
from readiness.selectors.as_of import (
    contact_lists_as_of,
    deadlines_as_of,
    directive_as_of,
    evidence_as_of,
    keep_latest,
    latest_records,
    obligations_as_of,
    organisations_as_of,
)

# The matrix's own rules, applied to evidence as of the moment: one place
# decides what "met", "submitted" and "overdue" mean.
from readiness.selectors.compliance import Cell, Tally, cell_of, contact_list_state
from readiness.selectors.obligations import overdue_as_history

# The groups the summary is given for, in the order the report lists them.
REPORT_GROUPS = (
    RecipientGroup.DISTRICT,
    RecipientGroup.POSTAL,
    RecipientGroup.TELECOM,
)
_GROUP_OF_KIND: dict[str, str] = {
    OrganisationKind.DISTRICT: RecipientGroup.DISTRICT,
    OrganisationKind.POSTAL: RecipientGroup.POSTAL,
    OrganisationKind.TELECOM: RecipientGroup.TELECOM,
}


# --- What the report holds -----------------------------------------------------


@dataclass(kw_only=True)
class ObligationFigures(Tally):
    """One obligation within one recipient group: how many organisations it
    addresses, and how many have met it, await review, are overdue."""

    obligation: Obligation


@dataclass
class GroupFigures:
    """A recipient group (districts, postal firms, telecom firms). The
    reporting channel (ALL) is not counted: it is never unmet."""

    group: str  # RecipientGroup
    organisations: int = 0
    # Organisations that have met every obligation addressed to them.
    ready: int = 0
    lines: list[ObligationFigures] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(RecipientGroup(self.group).label)

    @property
    def addressed(self) -> int:
        return sum(line.addressed for line in self.lines)

    @property
    def met(self) -> int:
        return sum(line.met for line in self.lines)

    @property
    def submitted(self) -> int:
        return sum(line.submitted for line in self.lines)

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)


@dataclass(frozen=True)
class OverdueItem:
    """An organisation still owing an obligation whose deadline has passed."""

    organisation: Organisation
    obligation: Obligation
    state: str  # contacts.models.SubmissionState
    due_at: datetime.datetime
    is_extension: bool
    days_overdue: int  # whole calendar days (Vietnam time); 0 on the day
    # The election was closed or past its results period at the moment.
    election_over: bool = False

    @property
    def state_label(self) -> str:
        return str(SubmissionState(self.state).label)

    @property
    def not_done_by(self) -> bool:
        """Shown as "not done by <the deadline>" rather than a day count."""
        return overdue_as_history(
            days_overdue=max(self.days_overdue, 1), election_over=self.election_over
        )


@dataclass(frozen=True)
class DistrictCoverage:
    """A district's contact list (D2): how many of its communes have an
    Election Team with a phone in the list in force at the moment."""

    organisation: Organisation
    communes_total: int
    communes_covered: int  # 0 without a list in force
    state: str  # contacts.models.SubmissionState of the list
    version_number: int | None  # the version in force, if any
    accepted_at: datetime.datetime | None

    @property
    def state_label(self) -> str:
        return str(SubmissionState(self.state).label)

    @property
    def percent(self) -> int:
        if not self.communes_total:
            return 0
        return round(100 * self.communes_covered / self.communes_total)


@dataclass(frozen=True)
class IncidentLine:
    """An incident (or a difficulty report) as it stood at the moment."""

    pk: int
    title: str
    organisation: Organisation
    category: str
    severity: str
    status: str  # incidents.models.IncidentStatus at the moment
    reported_at: datetime.datetime
    districts: tuple[str, ...]
    description: str = ""
    answer: str = ""  # difficulty reports: the last answer given by then
    answered_at: datetime.datetime | None = None

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label)


@dataclass(frozen=True)
class CategoryRow:
    category: str
    counts: tuple[int, ...]  # one per severity, in SEVERITIES order
    total: int

    @property
    def label(self) -> str:
        return str(Category(self.category).label)


# Columns of the category × severity table, most severe first.
SEVERITIES = tuple(sorted(Severity.values, key=lambda s: SEVERITY_RANK[s]))


@dataclass
class IncidentFigures:
    """Incidents of the period (difficulty reports apart)."""

    rows: list[CategoryRow] = field(default_factory=list)
    severity_totals: tuple[int, ...] = ()
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    unresolved: list[IncidentLine] = field(default_factory=list)

    @property
    def severity_labels(self) -> list[str]:
        return [str(Severity(s).label) for s in SEVERITIES]

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(label, count) for every status, in the life cycle's order."""
        return [(str(s.label), self.by_status.get(s.value, 0)) for s in IncidentStatus]


@dataclass
class CommitteeReport:
    directive: Directive  # as it read at the moment
    election: Election
    moment: datetime.datetime
    period_start: datetime.datetime
    groups: list[GroupFigures]
    overdue: list[OverdueItem]
    coverage: list[DistrictCoverage]
    incidents: IncidentFigures
    difficulties: list[IncidentLine]

    @property
    def coverage_total(self) -> int:
        return sum(c.communes_total for c in self.coverage)

    @property
    def coverage_covered(self) -> int:
        return sum(c.communes_covered for c in self.coverage)

    @property
    def coverage_percent(self) -> int:
        total = self.coverage_total
        return round(100 * self.coverage_covered / total) if total else 0

    @property
    def difficulties_unanswered(self) -> int:
        return sum(1 for d in self.difficulties if not d.answer)


# --- The report ----------------------------------------------------------------


def committee_report(
    *, directive: Directive, moment: datetime.datetime
) -> CommitteeReport:
    """The report as things stood at `moment` (see the module docstring for
    where each figure comes from)."""
    election = directive.election
    obligations = obligations_as_of(directive, moment)
    organisations = organisations_as_of(moment)
    recipients = _recipients(organisations, obligations)
    contact_lists = contact_lists_as_of(directive.election_id, moment)
    evidence = evidence_as_of(directive, moment, obligations, recipients, contact_lists)
    deadlines = deadlines_as_of(directive, moment)
    cells = [
        cell_of(org, obligation, evidence, deadlines, moment)
        for org in recipients
        for obligation in obligations
        if org.kind in GROUP_KINDS[obligation.recipient_group]
        and obligation.evidence_kind != EvidenceKind.CHANNEL
    ]
    period_start = election_periods(election)[0].starts_at
    incidents = _incidents_as_of(election, period_start, moment, organisations)
    return CommitteeReport(
        directive=directive_as_of(directive, moment),
        election=election,
        moment=moment,
        period_start=period_start,
        groups=_group_figures(recipients, obligations, cells),
        overdue=_overdue(cells, moment, election),
        coverage=_coverage(recipients, contact_lists, moment),
        incidents=_incident_figures(incidents),
        difficulties=[i for i in incidents if i.category == Category.DIFFICULTY],
    )


def _recipients(
    organisations: dict[int, Organisation], obligations: list[Obligation]
) -> list[Organisation]:
    """The active organisations some obligation addresses, by kind and name."""
    kinds = {kind for o in obligations for kind in GROUP_KINDS[o.recipient_group]}
    return sorted(
        (o for o in organisations.values() if o.is_active and o.kind in kinds),
        key=lambda o: (o.kind, o.name, o.pk),
    )


# --- Figures -------------------------------------------------------------------


def _group_figures(
    recipients: list[Organisation], obligations: list[Obligation], cells: list[Cell]
) -> list[GroupFigures]:
    groups: dict[str, GroupFigures] = {g: GroupFigures(group=g) for g in REPORT_GROUPS}
    for group in groups.values():
        kinds = GROUP_KINDS[group.group]
        group.lines = [
            ObligationFigures(obligation=o)
            for o in obligations
            if o.evidence_kind != EvidenceKind.CHANNEL
            and GROUP_KINDS[o.recipient_group] & kinds
        ]
    lines = {
        (group.group, line.obligation.pk): line
        for group in groups.values()
        for line in group.lines
    }
    unmet: set[int] = set()
    for cell in cells:
        line = lines[(_GROUP_OF_KIND[cell.organisation.kind], cell.obligation.pk)]
        line.add(cell)
        if not cell.is_met:
            unmet.add(cell.organisation.pk)
    for org in recipients:
        group = groups[_GROUP_OF_KIND[org.kind]]
        group.organisations += 1
        group.ready += org.pk not in unmet
    return list(groups.values())


def _overdue(
    cells: list[Cell], moment: datetime.datetime, election: Election
) -> list[OverdueItem]:
    """Overdue cells by group, organisation and obligation."""
    today = timezone.localtime(moment).date()
    over = election.is_over_on(today)
    items = [
        OverdueItem(
            organisation=c.organisation,
            obligation=c.obligation,
            state=c.state,
            due_at=c.due_at,
            is_extension=c.is_extension,
            days_overdue=(today - timezone.localtime(c.due_at).date()).days,
            election_over=over,
        )
        for c in cells
        if c.overdue and c.due_at is not None
    ]
    order: dict[str, int] = {g: i for i, g in enumerate(REPORT_GROUPS)}
    return sorted(
        items,
        key=lambda i: (
            order[_GROUP_OF_KIND[i.organisation.kind]],
            i.organisation.name,
            i.organisation.pk,
            i.obligation.position,
        ),
    )


def _coverage(
    recipients: list[Organisation],
    contact_lists: dict[int, ContactList],
    moment: datetime.datetime,
) -> list[DistrictCoverage]:
    """Each district with the coverage of its list in force at the moment;
    without one, its commune count from the registry (one query)."""
    districts = [o for o in recipients if o.kind == OrganisationKind.DISTRICT]
    communes = area_commune_counts(d.unit_id for d in districts)
    found = []
    for district in sorted(districts, key=lambda d: (district_unit(d).name, d.pk)):
        unit = district_unit(district)
        contact_list = contact_lists.get(district.pk)
        in_force = contact_list.accepted_version if contact_list else None
        found.append(
            DistrictCoverage(
                organisation=district,
                communes_total=(
                    in_force.communes_total if in_force else communes.get(unit.pk, 0)
                ),
                communes_covered=in_force.communes_covered if in_force else 0,
                state=contact_list_state(contact_list),
                version_number=in_force.number if in_force else None,
                accepted_at=in_force.reviewed_at if in_force else None,
            )
        )
    return found


# --- Incidents -----------------------------------------------------------------


def _latest_updates(
    kind: str, moment: datetime.datetime, period: dict
) -> dict[int, Mapping[str, Any]]:
    """Incident id → its latest update of `kind` by the moment, for the
    incidents of the period (one query). One ranked pass over the updates:
    a subquery per incident took half a second for a country's 30,000."""
    updates = IncidentUpdate.objects.filter(
        kind=kind,
        created_at__lte=moment,
        **{f"incident__{k}": v for k, v in period.items()},
    )
    if kind == UpdateKind.STATUS:
        updates = updates.exclude(status_to="")
    rows = (
        updates.annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("incident_id"),
                order_by=(F("created_at").desc(), F("pk").desc()),
            )
        )
        .filter(rank=1)
        .values("incident_id", "status_to", "text", "created_at")
    )
    return {row["incident_id"]: row for row in rows}


def _incidents_as_of(
    election: Election,
    period_start: datetime.datetime,
    moment: datetime.datetime,
    organisations: dict[int, Organisation],
) -> list[IncidentLine]:
    """Incidents reported in the period, as they stood at the moment (four
    queries: the incidents, their status and answer then, their districts)."""
    period = {
        "election_id": election.pk,
        "created_at__gte": period_start,
        "created_at__lte": moment,
    }
    records = keep_latest(
        latest_records(Incident.history.filter(**period), moment)
        # Plain rows, not model instances: a country has tens of thousands.
        .values("id", "history_type", *_INCIDENT_FIELDS)
    )
    statuses = _latest_updates(UpdateKind.STATUS, moment, period)
    answers = _latest_updates(UpdateKind.ANSWER, moment, period)
    districts = _incident_districts(period)
    missing = {r["organisation_id"] for r in records} - organisations.keys()
    organisations = organisations | Organisation.objects.in_bulk(missing)
    lines = []
    for r in sorted(records, key=lambda r: (r["created_at"], r["id"])):
        status, answer = statuses.get(r["id"]), answers.get(r["id"])
        lines.append(
            IncidentLine(
                pk=r["id"],
                title=r["title"],
                organisation=organisations[r["organisation_id"]],
                category=r["category"],
                severity=r["severity"],
                status=status["status_to"] if status else IncidentStatus.REPORTED,
                reported_at=r["created_at"],
                districts=tuple(districts.get(r["id"], ())),
                description=r["description"],
                answer=answer["text"] if answer else "",
                answered_at=answer["created_at"] if answer else None,
            )
        )
    return lines


_INCIDENT_FIELDS = (
    "title",
    "organisation_id",
    "category",
    "severity",
    "created_at",
    "description",
)


def _incident_districts(period: dict) -> dict[int, list[str]]:
    """Incident id → names of its districts (one query; the districts an
    incident affects are set when it is reported)."""
    through = Incident.districts.through
    rows = (
        through.objects.filter(**{f"incident__{k}": v for k, v in period.items()})
        .order_by("administrativeunit__code")
        .values_list("incident_id", "administrativeunit__name")
    )
    found: dict[int, list[str]] = {}
    for incident_id, name in rows:
        found.setdefault(incident_id, []).append(name)
    return found


def _incident_figures(lines: list[IncidentLine]) -> IncidentFigures:
    """By category and severity, by status, and the unresolved ones, most
    severe and oldest first. Difficulty reports are listed on their own."""
    incidents = [i for i in lines if i.category != Category.DIFFICULTY]
    counts = Counter((i.category, i.severity) for i in incidents)
    rows = [
        CategoryRow(
            category=category,
            counts=tuple(counts[(category, s)] for s in SEVERITIES),
            total=sum(counts[(category, s)] for s in SEVERITIES),
        )
        for category in Category.values
        if category != Category.DIFFICULTY
        and any(counts[(category, s)] for s in SEVERITIES)
    ]
    return IncidentFigures(
        rows=rows,
        severity_totals=tuple(
            sum(counts[(c, s)] for c in Category.values) for s in SEVERITIES
        ),
        total=len(incidents),
        by_status=dict(Counter(i.status for i in incidents)),
        unresolved=sorted(
            (i for i in incidents if i.status in OPEN_STATUSES),
            key=lambda i: (SEVERITY_RANK[i.severity], i.reported_at, i.pk),
        ),
    )
