"""Reading the audit trail as of a moment, for the Election Committee
report (readiness.selectors.report): each object's latest historical row
at or before the moment (django-simple-history), deleted ones left out, and
the evidence the compliance rules need, as it stood then. The
(id, history_date) indexes of the history tables keep these reads fast
(the as_of_indexes migrations)."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from contacts.models import ContactList, ContactListVersion, Organisation, VersionStatus
from incidents.models import Shift
from incidents.selectors.rosters import Coverage, election_periods, gaps_in
from readiness.models import (
    GROUP_KINDS,
    Deadline,
    Directive,
    EvidenceKind,
    Obligation,
    PlanSection,
    PlanVersion,
    ReviewStatus,
    SectionReview,
)

# The matrix's own rules, applied to evidence as of the moment: one place
# decides what "met", "submitted" and "overdue" mean.
from readiness.selectors.compliance import Evidence, contact_list_state

# --- Reading the audit trail ---------------------------------------------------


def latest_records(history: Any, moment: datetime.datetime) -> QuerySet:
    """Each object's latest historical row at `moment`, deletions included
    (`history`: a model's simple_history manager or queryset, untyped)."""
    return (
        history.filter(history_date__lte=moment)
        .latest_of_each()
        .order_by("history_date", "history_id")
    )


def keep_latest(records) -> list:
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
    return keep_latest(latest_records(history, moment))


def _values_as_of(
    history: QuerySet, moment: datetime.datetime, *fields: str
) -> list[dict]:
    """Like _records_as_of, as dictionaries of `fields` (joins allowed)."""
    return keep_latest(
        latest_records(history, moment).values("id", "history_type", *fields)
    )


def directive_as_of(directive: Directive, moment: datetime.datetime) -> Directive:
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


def obligations_as_of(
    directive: Directive, moment: datetime.datetime
) -> list[Obligation]:
    records = _records_as_of(
        Obligation.history.filter(directive_id=directive.pk), moment
    )
    return sorted((r.instance for r in records), key=lambda o: (o.position, o.code))


def organisations_as_of(moment: datetime.datetime) -> dict[int, Organisation]:
    """Every organisation as it was at the moment, with its unit."""
    found = {}
    for record in _records_as_of(Organisation.history.select_related("unit"), moment):
        organisation = record.instance
        organisation.unit = record.unit
        found[organisation.pk] = organisation
    return found


def deadlines_as_of(directive: Directive, moment: datetime.datetime) -> dict:
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


def evidence_as_of(
    directive: Directive,
    moment: datetime.datetime,
    obligations: list[Obligation],
    recipients: list[Organisation],
    contact_lists: dict[int, ContactList],
) -> Evidence:
    """What compliance.Evidence.load reads from the current rows, read
    from the audit trail instead (the contact lists as contact_lists_as_of
    gives them)."""
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
        list_states={org: contact_list_state(cl) for org, cl in contact_lists.items()},
    )
    evidence.rosters = _rosters_as_of(directive, moment, obligations, recipients)
    return evidence


def _plan_versions_as_of(
    directive: Directive, moment: datetime.datetime
) -> tuple[dict[int, Mapping[str, Any]], dict[int, int]]:
    """Organisation id → its latest plan version submitted by the moment (id
    and submitted_at), and version id → organisation id."""
    rows = PlanVersion.objects.filter(
        plan__directive=directive, submitted_at__lte=moment
    ).values("id", "number", "submitted_at", "plan__organisation_id")
    latest: dict[int, Mapping[str, Any]] = {}
    organisation_of: dict[int, int] = {}
    for row in rows.order_by("number"):
        latest[row["plan__organisation_id"]] = row
        organisation_of[row["id"]] = row["plan__organisation_id"]
    return latest, organisation_of


def _reviews_as_of(
    directive: Directive,
    moment: datetime.datetime,
    latest_versions: dict[int, Mapping[str, Any]],
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


def contact_lists_as_of(
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
    row: Mapping[str, Any], versions: list[dict], moment: datetime.datetime
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
