"""Reads of incidents: the board, the timeline, what awaits the Department.
Each in a fixed number of queries, whatever the number of incidents."""

import datetime

from django.db.models import Case, Count, Prefetch, QuerySet, Value, When

from contacts.models import AdministrativeUnit
from incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
)

# The status filter's "any open one" (incidents.filters uses the same word).
OPEN = "open"

_RANK = Case(
    *(When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()),
    default=Value(len(SEVERITY_RANK)),
)


def incident_board(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Most severe first, then newest; with what each row shows (two
    queries a page: the incidents, their districts)."""
    districts = AdministrativeUnit.objects.only("pk", "code", "name").order_by("code")
    return (
        incidents.select_related("organisation")
        .prefetch_related(Prefetch("districts", queryset=districts))
        .annotate(severity_rank=_RANK)
        .order_by("severity_rank", "-created_at", "-pk")
    )


def incidents_filtered(
    incidents: QuerySet[Incident],
    *,
    status: str = "",
    since: datetime.datetime | None = None,
    severity: str = "",
    category: str = "",
) -> QuerySet[Incident]:
    """The API's list filters: a status ("open": reported or acknowledged),
    changed at or after `since`, a severity, a category; empty: any."""
    if status == OPEN:
        incidents = incidents.filter(status__in=OPEN_STATUSES)
    elif status:
        incidents = incidents.filter(status=status)
    if since is not None:
        incidents = incidents.filter(updated_at__gte=since)
    if severity:
        incidents = incidents.filter(severity=severity)
    if category:
        incidents = incidents.filter(category=category)
    return incidents


def incident_feed(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """The board's order and rows with each incident's areas by GSO code
    (the API's list: three queries a page, whatever its size)."""
    units = AdministrativeUnit.objects.only("pk", "code").order_by("code")
    return incident_board(incidents).prefetch_related(Prefetch("units", units))


def incident_status_counts(incidents: QuerySet[Incident]) -> dict[str, int]:
    """How many incidents in each status (one query), every status listed."""
    counts = dict.fromkeys(IncidentStatus.values, 0)
    rows = incidents.order_by().values("status").annotate(n=Count("pk", distinct=True))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def incident_detail(incidents: QuerySet[Incident], pk: int) -> Incident | None:
    return (
        incidents.select_related(
            "organisation", "reported_by", "acknowledged_by", "answered_by"
        )
        .prefetch_related("units", "districts")
        .filter(pk=pk)
        .first()
    )


def incident_timeline(incident: Incident) -> QuerySet[IncidentUpdate]:
    return incident.updates.select_related("author", "organisation")


def difficulties_unanswered(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Difficulty reports the Department has not answered, oldest first."""
    return (
        incidents.filter(category=Category.DIFFICULTY, answered_at__isnull=True)
        .exclude(status=IncidentStatus.CLOSED)
        .select_related("organisation")
        .order_by("created_at")
    )


def incidents_open(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.filter(status__in=OPEN_STATUSES)
