"""The figures of a polling-day situation report, read from live data
(readiness.services.situation_reports keeps them as the report's snapshot;
readiness.situation_files shows them).

The snapshot is plain JSON, so that a report read or downloaded later says
what it said when it was sent: codes rather than labels (translated when
shown), organisations by their Vietnamese and English names, times as ISO
8601. Its shape (FIGURES_VERSION):

- taken_at, since: when the figures were read, and the start of the
  counting window (00:00 of polling day, or of today before polling day).
- incidents (difficulty reports left out): per severity (every one, most
  severe first) and per affected district (those with any figure, by
  code), how many were reported in the window ("opened"), resolved in it,
  and are open at taken_at whenever reported; the totals.
- rosters: the organisations a duty-roster obligation (T2) of the current
  directive is addressed to, how many were checked and those whose roster
  leaves part of polling day without anyone on duty, with the gaps.
- difficulties: how many difficulty reports await the Department's answer,
  and the oldest of them.
- status_reports: the carriers' scheduled status reports
  (incidents.selectors.status_reports.status_report_summary).

A fixed number of queries, whatever the number of incidents, districts
and organisations (tests/readiness/test_situation_reports.py pins it).
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation

from contacts.models import Election, Organisation
from incidents.models import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    Category,
    Incident,
    IncidentStatus,
    Severity,
)
from incidents.selectors.incidents import difficulties_unanswered
from incidents.selectors.rosters import roster_coverage
from readiness.models import GROUP_KINDS, EvidenceKind, Obligation
from readiness.selectors.obligations import directive_current

FIGURES_VERSION = 1
# The oldest unanswered difficulty reports a report names; it counts them all.
DIFFICULTIES_LISTED = 20
FIGURES = ("opened", "resolved", "open")


def situation_figures(*, election: Election, now: datetime.datetime) -> dict:
    """The report's figures at `now`, JSON-serialisable (module docstring)."""
    since = counting_since(election, now)
    # Names in the snapshot are the official (Vietnamese) ones; the summary
    # of status reports names organisations in the active language.
    with translation.override(settings.LANGUAGE_CODE):
        status_reports = _status_reports(election, now)
    return {
        "version": FIGURES_VERSION,
        "taken_at": _iso(now),
        "since": _iso(since),
        "incidents": _incidents(election, since, now),
        "rosters": _rosters(election),
        "difficulties": _difficulties(election),
        "status_reports": status_reports,
    }


def _iso(moment: datetime.datetime) -> str:
    """Vietnam time with its offset, as people read it in the JSON."""
    return timezone.localtime(moment, timezone.get_default_timezone()).isoformat()


def counting_since(election: Election, now: datetime.datetime) -> datetime.datetime:
    """00:00 of polling day (Vietnam time); before polling day, 00:00 of
    today (a report made on demand during a rehearsal)."""
    zone = timezone.get_default_timezone()
    polling = datetime.datetime.combine(election.polling_day, datetime.time(0), zone)
    if now >= polling:
        return polling
    today = timezone.localdate(now, zone)
    return datetime.datetime.combine(today, datetime.time(0), zone)


def _windows(since: datetime.datetime, now: datetime.datetime, prefix: str = ""):
    """The three figures as filters on incidents (`prefix`: the path from
    the model counted to the incident)."""
    p = prefix
    return {
        "opened": Q(**{f"{p}created_at__gte": since, f"{p}created_at__lte": now}),
        "resolved": Q(
            **{
                f"{p}status__in": (IncidentStatus.RESOLVED, IncidentStatus.CLOSED),
                f"{p}resolved_at__gte": since,
                f"{p}resolved_at__lte": now,
            }
        ),
        "open": Q(**{f"{p}status__in": OPEN_STATUSES}),
    }


def _incidents(election: Election, since, now) -> dict:
    """Two queries: per severity, then per district through the incidents'
    districts (an incident in two districts counts in both)."""
    windows = _windows(since, now)
    counted = (
        Incident.objects.filter(election=election)
        .exclude(category=Category.DIFFICULTY)
        .filter(windows["opened"] | windows["resolved"] | windows["open"])
    )
    rows: Iterable[Mapping[str, Any]] = (
        counted.order_by()
        .values("severity")
        .annotate(**{name: Count("pk", filter=q) for name, q in windows.items()})
    )
    found: dict[str, Mapping[str, Any]] = {row["severity"]: row for row in rows}
    by_severity = [
        {"severity": s, **{f: found.get(s, {}).get(f, 0) for f in FIGURES}}
        for s in sorted(Severity.values, key=SEVERITY_RANK.__getitem__)
    ]
    return {
        "by_severity": by_severity,
        "total": {f: sum(row[f] for row in by_severity) for f in FIGURES},
        "by_district": _by_district(counted, since, now),
    }


def _by_district(counted, since, now) -> list[dict]:
    through = Incident.districts.through
    windows = _windows(since, now, prefix="incident__")
    rows: Iterable[Mapping[str, Any]] = (
        through.objects.filter(incident__in=counted)
        .values("administrativeunit__code", "administrativeunit__name")
        .annotate(
            **{name: Count("incident_id", filter=q) for name, q in windows.items()}
        )
        .order_by("administrativeunit__code")
    )
    return [
        {
            "code": row["administrativeunit__code"],
            "name": row["administrativeunit__name"],
            **{f: row[f] for f in FIGURES},
        }
        for row in rows
    ]


def _rosters(election: Election) -> dict:
    """Five queries: the directive, its duty-roster obligations, the
    organisations they are addressed to, and their coverage (two)."""
    directive = directive_current(election=election)
    groups = (
        Obligation.objects.filter(
            directive=directive, evidence_kind=EvidenceKind.DUTY_ROSTER
        ).values_list("recipient_group", flat=True)
        if directive is not None
        else []
    )
    kinds = {kind for group in groups for kind in GROUP_KINDS[group]}
    organisations = (
        list(
            Organisation.objects.filter(kind__in=kinds, is_active=True).order_by(
                "name", "pk"
            )
        )
        if kinds
        else []
    )
    coverage = roster_coverage(election=election, organisations=organisations)
    with_gaps = []
    for org in organisations:
        gaps = coverage[org.pk].polling_day_gaps
        if gaps:
            with_gaps.append(
                {
                    "organisation": org.name,
                    "organisation_en": org.name_en,
                    "gaps": [[_iso(g.starts_at), _iso(g.ends_at)] for g in gaps],
                    "hours": round(sum(g.hours for g in gaps), 2),
                }
            )
    return {"checked": len(organisations), "with_gaps": with_gaps}


def _difficulties(election: Election) -> dict:
    """Two queries: how many, and the oldest."""
    q = difficulties_unanswered(Incident.objects.filter(election=election))
    oldest = [
        {
            "id": d.pk,
            "organisation": d.organisation.name,
            "organisation_en": d.organisation.name_en,
            "title": d.title,
            "reported_at": _iso(d.created_at),
        }
        for d in q[:DIFFICULTIES_LISTED]
    ]
    return {"unanswered": q.count(), "oldest": oldest}


def _status_reports(election: Election, now: datetime.datetime) -> dict:
    # Imported here: incidents.selectors.status_reports is written alongside
    # this module (issue 11, carriers' scheduled status reports).
    from incidents.selectors.status_reports import status_report_summary

    return status_report_summary(election=election, now=now)
