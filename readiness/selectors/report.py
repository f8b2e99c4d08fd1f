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
or versions: twelve, and one more when an obligation is met by a duty
roster (tests/readiness/test_selectors_report.py pins it).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from contacts.models import (
    AdministrativeUnit,
    ContactList,
    ContactListVersion,
    Election,
    Organisation,
    OrganisationKind,
    SubmissionState,
    UnitLevel,
    VersionStatus,
)
from incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Severity,
    Shift,
    UpdateKind,
)
from incidents.selectors.rosters import Coverage, election_periods, gaps_in
from readiness.models import (
    GROUP_KINDS,
    Deadline,
    Directive,
    EvidenceKind,
    Obligation,
    PlanSection,
    PlanVersion,
    RecipientGroup,
    ReviewStatus,
    SectionReview,
)

# The matrix's own rules, applied to evidence as of the moment: one place
# decides what "met", "submitted" and "overdue" mean.
from readiness.selectors.compliance import Cell, Evidence, Tally, cell_of

# The groups the summary is given for, in the order the report lists them.
REPORT_GROUPS = (
    RecipientGroup.DISTRICT,
    RecipientGroup.POSTAL,
    RecipientGroup.TELECOM,
)
_GROUP_OF_KIND = {
    OrganisationKind.DISTRICT: RecipientGroup.DISTRICT,
    OrganisationKind.POSTAL: RecipientGroup.POSTAL,
    OrganisationKind.TELECOM: RecipientGroup.TELECOM,
}


# --- What the report holds -----------------------------------------------------


@dataclass
class ObligationFigures(Tally):
    """One obligation within one recipient group: how many organisations it
    addresses, and how many have met it, await review, are overdue."""

    obligation: Obligation | None = None


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
        return RecipientGroup(self.group).label

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

    @property
    def state_label(self) -> str:
        return SubmissionState(self.state).label


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
        return SubmissionState(self.state).label

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
        return Category(self.category).label

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def status_label(self) -> str:
        return IncidentStatus(self.status).label


@dataclass(frozen=True)
class CategoryRow:
    category: str
    counts: tuple[int, ...]  # one per severity, in SEVERITIES order
    total: int

    @property
    def label(self) -> str:
        return Category(self.category).label


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
        return [Severity(s).label for s in SEVERITIES]

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(label, count) for every status, in the life cycle's order."""
        return [(s.label, self.by_status.get(s.value, 0)) for s in IncidentStatus]


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


# --- Reading the audit trail ---------------------------------------------------


def _latest_records(history: QuerySet, moment: datetime.datetime) -> QuerySet:
    """Each object's latest historical row at `moment`, deletions included."""
    return (
        history.filter(history_date__lte=moment)
        .latest_of_each()
        .order_by("history_date", "history_id")
    )


def _keep_latest(records) -> list:
    """One row per object id (two rows written in the same instant: the
    later one), deleted objects left out."""
    latest = {}
    for record in records:
        key = record["id"] if isinstance(record, dict) else record.id
        latest[key] = record
    return [
        r
        for r in latest.values()
        if (r["history_type"] if isinstance(r, dict) else r.history_type) != "-"
    ]


def _records_as_of(history: QuerySet, moment: datetime.datetime) -> list:
    """Historical records of the objects as they were at `moment`."""
    return _keep_latest(_latest_records(history, moment))


def _values_as_of(
    history: QuerySet, moment: datetime.datetime, *fields: str
) -> list[dict]:
    """Like _records_as_of, as dictionaries of `fields` (joins allowed)."""
    return _keep_latest(
        _latest_records(history, moment).values("id", "history_type", *fields)
    )


# --- The report ----------------------------------------------------------------


def committee_report(
    *, directive: Directive, moment: datetime.datetime
) -> CommitteeReport:
    """The report as things stood at `moment` (see the module docstring for
    where each figure comes from)."""
    election = directive.election
    obligations = _obligations_as_of(directive, moment)
    organisations = _organisations_as_of(moment)
    recipients = _recipients(organisations, obligations)
    evidence = _evidence_as_of(directive, moment, obligations, recipients)
    deadlines = _deadlines_as_of(directive, moment)
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
        directive=_directive_as_of(directive, moment),
        election=election,
        moment=moment,
        period_start=period_start,
        groups=_group_figures(recipients, obligations, cells),
        overdue=_overdue(cells, moment),
        coverage=_coverage(recipients, evidence.contact_lists, moment),
        incidents=_incident_figures(incidents),
        difficulties=[i for i in incidents if i.category == Category.DIFFICULTY],
    )


def _directive_as_of(directive: Directive, moment: datetime.datetime) -> Directive:
    """The header as it read at the moment; today's if it was loaded later."""
    record = (
        Directive.history.filter(id=directive.pk, history_date__lte=moment)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return directive
    header = record.instance
    header.election = directive.election
    return header


def _obligations_as_of(
    directive: Directive, moment: datetime.datetime
) -> list[Obligation]:
    records = _records_as_of(
        Obligation.history.filter(directive_id=directive.pk), moment
    )
    return sorted((r.instance for r in records), key=lambda o: (o.position, o.code))


def _organisations_as_of(moment: datetime.datetime) -> dict[int, Organisation]:
    """Every organisation as it was at the moment, with its unit."""
    found = {}
    for record in _records_as_of(Organisation.history.select_related("unit"), moment):
        organisation = record.instance
        organisation.unit = record.unit
        found[organisation.pk] = organisation
    return found


def _recipients(
    organisations: dict[int, Organisation], obligations: list[Obligation]
) -> list[Organisation]:
    """The active organisations some obligation addresses, by kind and name."""
    kinds = {kind for o in obligations for kind in GROUP_KINDS[o.recipient_group]}
    return sorted(
        (o for o in organisations.values() if o.is_active and o.kind in kinds),
        key=lambda o: (o.kind, o.name, o.pk),
    )


def _deadlines_as_of(directive: Directive, moment: datetime.datetime) -> dict:
    """(obligation id, organisation id or None) → due time, as
    readiness.selectors.compliance._deadlines gives it."""
    rows = _values_as_of(
        Deadline.history.filter(obligation__directive=directive),
        moment,
        "obligation_id",
        "organisation_id",
        "due_at",
    )
    return {(r["obligation_id"], r["organisation_id"]): r["due_at"] for r in rows}


# --- Evidence as of the moment -------------------------------------------------


def _evidence_as_of(
    directive: Directive,
    moment: datetime.datetime,
    obligations: list[Obligation],
    recipients: list[Organisation],
) -> Evidence:
    """What compliance.Evidence.load reads from the current rows, read
    from the audit trail instead."""
    latest_versions, version_orgs = _plan_versions_as_of(directive, moment)
    accepted, latest = _reviews_as_of(directive, moment, latest_versions, version_orgs)
    saved = {
        (r["plan__organisation_id"], r["obligation_id"]): r["updated_at"]
        for r in _values_as_of(
            PlanSection.history.filter(plan__directive=directive),
            moment,
            "plan__organisation_id",
            "obligation_id",
            "updated_at",
        )
        if r["updated_at"] is not None
    }
    evidence = Evidence(
        accepted=accepted,
        latest=latest,
        saved=saved,
        submitted_at={org: v["submitted_at"] for org, v in latest_versions.items()},
        contact_lists=_contact_lists_as_of(directive.election_id, moment),
    )
    evidence.rosters = _rosters_as_of(directive, moment, obligations, recipients)
    return evidence


def _plan_versions_as_of(
    directive: Directive, moment: datetime.datetime
) -> tuple[dict[int, dict], dict[int, int]]:
    """Organisation id → its latest plan version submitted by the moment (id
    and submitted_at), and version id → organisation id."""
    rows = PlanVersion.objects.filter(
        plan__directive=directive, submitted_at__lte=moment
    ).values("id", "number", "submitted_at", "plan__organisation_id")
    latest, organisation_of = {}, {}
    for row in rows.order_by("number"):
        latest[row["plan__organisation_id"]] = row
        organisation_of[row["id"]] = row["plan__organisation_id"]
    return latest, organisation_of


def _reviews_as_of(
    directive: Directive,
    moment: datetime.datetime,
    latest_versions: dict[int, dict],
    version_orgs: dict[int, int],
) -> tuple[set, dict]:
    """(org, obligation) with an accepted section, and the review status of
    each section of the latest version. A review superseded by a later
    submission is not in its audit trail as such (a conditional UPDATE
    marks it); it is left out because its version is no longer the latest."""
    rows = _values_as_of(
        SectionReview.history.filter(version__plan__directive=directive),
        moment,
        "version_id",
        "obligation_id",
        "status",
    )
    accepted, latest = set(), {}
    for row in rows:
        org = version_orgs.get(row["version_id"])
        if org is None:  # its version was submitted after the moment
            continue
        key = (org, row["obligation_id"])
        if row["status"] == ReviewStatus.ACCEPTED:
            accepted.add(key)
        if latest_versions[org]["id"] == row["version_id"]:
            latest[key] = row["status"]
    return accepted, latest


def _contact_lists_as_of(
    election_id: int, moment: datetime.datetime
) -> dict[int, ContactList]:
    """District organisation id → an unsaved ContactList standing for the
    list as it was at the moment, so that ContactList.state (the matrix's
    rule) applies unchanged."""
    versions = _values_as_of(
        ContactListVersion.history.filter(contact_list__election_id=election_id),
        moment,
        "contact_list_id",
        "number",
        "status",
        "submitted_at",
        "reviewed_at",
        "communes_covered",
        "communes_total",
    )
    by_list: dict[int, list[dict]] = {}
    for version in sorted(versions, key=lambda v: v["number"]):
        by_list.setdefault(version["contact_list_id"], []).append(version)
    lists = ContactList.objects.filter(election_id=election_id).values(
        "id", "organisation_id", "draft_changed_at"
    )
    return {
        row["organisation_id"]: _contact_list_at(
            row, by_list.get(row["id"], []), moment
        )
        for row in lists
    }


def _contact_list_at(
    row: dict, versions: list[dict], moment: datetime.datetime
) -> ContactList:
    draft_changed_at = row["draft_changed_at"]
    if draft_changed_at is not None and draft_changed_at > moment:
        draft_changed_at = None  # see the module docstring's limits
    accepted = [v for v in versions if v["status"] == VersionStatus.ACCEPTED]
    contact_list = ContactList(
        id=row["id"],
        organisation_id=row["organisation_id"],
        draft_changed_at=draft_changed_at,
        accepted_version=_version(accepted[-1]) if accepted else None,
    )
    contact_list.latest_version = _version(versions[-1]) if versions else None
    return contact_list


def _version(row: dict) -> ContactListVersion:
    return ContactListVersion(
        id=row["id"],
        number=row["number"],
        status=row["status"],
        submitted_at=row["submitted_at"],
        reviewed_at=row["reviewed_at"],
        communes_covered=row["communes_covered"],
        communes_total=row["communes_total"],
    )


def _rosters_as_of(
    directive: Directive,
    moment: datetime.datetime,
    obligations: list[Obligation],
    recipients: list[Organisation],
) -> dict[int, Coverage]:
    """incidents.selectors.rosters.roster_coverage for the shifts that were
    on the rosters at the moment (no query when no obligation asks for a
    roster)."""
    kinds = {
        kind
        for o in obligations
        if o.evidence_kind == EvidenceKind.DUTY_ROSTER
        for kind in GROUP_KINDS[o.recipient_group]
    }
    ids = [org.pk for org in recipients if org.kind in kinds]
    if not ids:
        return {}
    shifts = _values_as_of(
        Shift.history.filter(
            election_id=directive.election_id, organisation_id__in=ids
        ),
        moment,
        "organisation_id",
        "starts_at",
        "ends_at",
        "phone_is_mobile",
    )
    periods = election_periods(directive.election)
    found = {org_id: Coverage() for org_id in ids}
    spans: dict[int, list] = {org_id: [] for org_id in ids}
    for shift in shifts:
        coverage = found[shift["organisation_id"]]
        span = (shift["starts_at"], shift["ends_at"])
        spans[shift["organisation_id"]].append(span)
        coverage.shift_count += 1
        coverage.flagged += not shift["phone_is_mobile"]
        for period, name in zip(periods, ("before", "during", "after"), strict=True):
            if span[0] < period.ends_at and span[1] > period.starts_at:
                setattr(coverage, name, getattr(coverage, name) + 1)
    for org_id, coverage in found.items():
        coverage.polling_day_gaps = gaps_in(spans[org_id], periods[1])
    return found


# --- Figures -------------------------------------------------------------------


def _group_figures(
    recipients: list[Organisation], obligations: list[Obligation], cells: list[Cell]
) -> list[GroupFigures]:
    groups = {g: GroupFigures(group=g) for g in REPORT_GROUPS}
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


def _overdue(cells: list[Cell], moment: datetime.datetime) -> list[OverdueItem]:
    """Overdue cells by group, organisation and obligation."""
    today = timezone.localtime(moment).date()
    items = [
        OverdueItem(
            organisation=c.organisation,
            obligation=c.obligation,
            state=c.state,
            due_at=c.due_at,
            is_extension=c.is_extension,
            days_overdue=(today - timezone.localtime(c.due_at).date()).days,
        )
        for c in cells
        if c.overdue
    ]
    order = {g: i for i, g in enumerate(REPORT_GROUPS)}
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
    communes = dict(
        AdministrativeUnit.objects.filter(
            parent_id__in=[d.unit_id for d in districts], level=UnitLevel.COMMUNE
        )
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
        .order_by()
    )
    found = []
    for district in sorted(districts, key=lambda d: (d.unit.name, d.pk)):
        contact_list = contact_lists.get(district.pk)
        in_force = contact_list.accepted_version if contact_list else None
        found.append(
            DistrictCoverage(
                organisation=district,
                communes_total=(
                    in_force.communes_total
                    if in_force
                    else communes.get(district.unit_id, 0)
                ),
                communes_covered=in_force.communes_covered if in_force else 0,
                state=_list_state(contact_list),
                version_number=in_force.number if in_force else None,
                accepted_at=in_force.reviewed_at if in_force else None,
            )
        )
    return found


def _list_state(contact_list: ContactList | None) -> str:
    if contact_list is None:
        return SubmissionState.NOT_STARTED
    if contact_list.accepted_version is not None:
        return SubmissionState.ACCEPTED
    return contact_list.state


# --- Incidents -----------------------------------------------------------------


def _last_update(kind: str, moment: datetime.datetime) -> QuerySet[IncidentUpdate]:
    return IncidentUpdate.objects.filter(
        incident_id=OuterRef("id"), kind=kind, created_at__lte=moment
    ).order_by("-created_at", "-pk")


def _incidents_as_of(
    election: Election,
    period_start: datetime.datetime,
    moment: datetime.datetime,
    organisations: dict[int, Organisation],
) -> list[IncidentLine]:
    """Incidents reported in the period, as they stood at the moment (two
    queries: the incidents, their districts)."""
    status = _last_update(UpdateKind.STATUS, moment).exclude(status_to="")
    answer = _last_update(UpdateKind.ANSWER, moment)
    period = {
        "election_id": election.pk,
        "created_at__gte": period_start,
        "created_at__lte": moment,
    }
    # Annotated after latest_of_each, so that OuterRef("id") refers to the
    # incident of each row and not to the subquery latest_of_each adds.
    records = _keep_latest(
        _latest_records(Incident.history.filter(**period), moment)
        .annotate(
            status_then=Subquery(status.values("status_to")[:1]),
            answer_then=Subquery(answer.values("text")[:1]),
            answered_then=Subquery(answer.values("created_at")[:1]),
        )
        # Plain rows, not model instances: a country has tens of thousands.
        .values("id", "history_type", *_INCIDENT_FIELDS)
    )
    districts = _incident_districts(period)
    missing = {r["organisation_id"] for r in records} - organisations.keys()
    organisations = organisations | Organisation.objects.in_bulk(missing)
    return [
        IncidentLine(
            pk=r["id"],
            title=r["title"],
            organisation=organisations[r["organisation_id"]],
            category=r["category"],
            severity=r["severity"],
            status=r["status_then"] or IncidentStatus.REPORTED,
            reported_at=r["created_at"],
            districts=tuple(districts.get(r["id"], ())),
            description=r["description"],
            answer=r["answer_then"] or "",
            answered_at=r["answered_then"],
        )
        for r in sorted(records, key=lambda r: (r["created_at"], r["id"]))
    ]


_INCIDENT_FIELDS = (
    "title",
    "organisation_id",
    "category",
    "severity",
    "created_at",
    "description",
    "status_then",
    "answer_then",
    "answered_then",
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
