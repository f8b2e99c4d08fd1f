"""Reads of the carriers' scheduled status reports ("báo cáo nhanh"): the
concrete reporting moments of an election, who filed and who is missing
at a moment, the figures added up, and the summary the situation reports
store (`status_report_summary`). Each read costs a fixed number of
queries, whatever the number of carriers and reports.

A reporting moment (ReportingMoment) is a time of day in one period; the
concrete moments follow from the election's calendar (contacts.models.
Election): "before" is every day from `before_starts_on` to the eve of
polling day, "during" is polling day, "after" is every day after polling
day up to `after_ends_on`. They are in Vietnam time (TIME_ZONE).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from contacts.models import CARRIER_KINDS, Election, Organisation, OrganisationKind
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Incident,
    OverallStatus,
    ReportingMoment,
    ReportingPeriod,
    StatusReport,
)

DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
# The URL form of a moment (status_reports:moment): its local date and time.
MOMENT_SLUG = "%Y%m%d%H%M"


@dataclass(frozen=True)
class Moment:
    """One concrete reporting moment: a date and time (aware, Vietnam time)
    and the period it belongs to."""

    at: datetime.datetime
    period: str

    @property
    def slug(self) -> str:
        return self.at.strftime(MOMENT_SLUG)

    @property
    def period_label(self) -> str:
        return str(ReportingPeriod(self.period).label)


# --- The calendar ----------------------------------------------------------------


def period_days(election: Election, period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a period (both included)."""
    polling = election.polling_day
    if period == ReportingPeriod.BEFORE:
        return election.before_starts_on, polling - DAY
    if period == ReportingPeriod.DURING:
        return polling, polling
    return polling + DAY, election.after_ends_on


def period_of_day(election: Election, day: datetime.date) -> str | None:
    """The reporting period a day falls in, or None outside the election."""
    if election.before_starts_on <= day < election.polling_day:
        return ReportingPeriod.BEFORE
    if day == election.polling_day:
        return ReportingPeriod.DURING
    if election.polling_day < day <= election.after_ends_on:
        return ReportingPeriod.AFTER
    return None


def reporting_schedule(*, election: Election) -> dict[str, list[datetime.time]]:
    """Times of day per period, in order (one query)."""
    schedule: dict[str, list[datetime.time]] = {p: [] for p in ReportingPeriod.values}
    q = ReportingMoment.objects.filter(election=election).order_by("time_of_day")
    for period, time_of_day in q.values_list("period", "time_of_day"):
        schedule[period].append(time_of_day)
    return schedule


def _at(day: datetime.date, time_of_day: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(
        day,
        time_of_day.replace(second=0, microsecond=0),
        tzinfo=timezone.get_default_timezone(),
    )


def _moments_of_day(
    election: Election, day: datetime.date, schedule: dict
) -> list[Moment]:
    period = period_of_day(election, day)
    if period is None:
        return []
    return [Moment(_at(day, t), period) for t in schedule[period]]


def reporting_moments_on(
    *, election: Election, day: datetime.date, schedule: dict | None = None
) -> list[Moment]:
    """The concrete moments of one day, in order (one query without
    `schedule`)."""
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    return _moments_of_day(election, day, schedule)


def reporting_moments_between(
    *,
    election: Election,
    after: datetime.datetime,
    until: datetime.datetime,
    schedule: dict | None = None,
) -> list[Moment]:
    """The concrete moments `at` with after < at <= until, in order (one
    query without `schedule`)."""
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    first = max(timezone.localdate(after), election.before_starts_on)
    last = min(timezone.localdate(until), election.after_ends_on)
    moments = []
    day = first
    while day <= last:
        moments += [
            m for m in _moments_of_day(election, day, schedule) if after < m.at <= until
        ]
        day += DAY
    return moments


def moment_latest(
    *, election: Election, now: datetime.datetime, schedule: dict | None = None
) -> Moment | None:
    """The latest moment that has come (at <= now), or None before the
    first one. This is the moment a carrier files for
    (incidents.services.status_reports.status_report_file)."""
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    day = min(timezone.localdate(now), election.after_ends_on)
    while day >= election.before_starts_on:
        passed = [m for m in _moments_of_day(election, day, schedule) if m.at <= now]
        if passed:
            return passed[-1]
        day -= DAY
    return None


def moment_next(
    *, election: Election, after: datetime.datetime, schedule: dict | None = None
) -> Moment | None:
    """The first moment strictly after `after`, or None after the last."""
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    day = max(timezone.localdate(after), election.before_starts_on)
    while day <= election.after_ends_on:
        coming = [m for m in _moments_of_day(election, day, schedule) if m.at > after]
        if coming:
            return coming[0]
        day += DAY
    return None


def moment_from_slug(
    *, election: Election, slug: str, schedule: dict | None = None
) -> Moment | None:
    """The scheduled moment a URL names (MOMENT_SLUG), or None."""
    try:
        naive = datetime.datetime.strptime(slug, MOMENT_SLUG)
    except ValueError:
        return None
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    for moment in _moments_of_day(election, naive.date(), schedule):
        if moment.at.replace(tzinfo=None) == naive:
            return moment
    return None


# --- Carriers and their reports ------------------------------------------------------


def status_report_carriers() -> QuerySet[Organisation]:
    """The organisations that report: active postal and telecom firms."""
    return Organisation.objects.filter(kind__in=CARRIER_KINDS, is_active=True).order_by(
        "kind", "name", "pk"
    )


def open_incidents_count(*, election: Election, organisation: Organisation) -> int:
    """The carrier's open incidents in the app (difficulty reports aside):
    what the report form proposes for "open incidents" (one query)."""
    return (
        Incident.objects.filter(
            election=election, organisation=organisation, status__in=OPEN_STATUSES
        )
        .exclude(category=Category.DIFFICULTY)
        .count()
    )


def status_reports_of(
    *, election: Election, organisation: Organisation
) -> list[StatusReport]:
    """A carrier's reports, newest first (one query; at most one per
    scheduled moment)."""
    return list(
        StatusReport.objects.filter(election=election, organisation=organisation)
        .select_related("filed_by")
        .order_by("-due_at")
    )


def status_reports_latest(*, election: Election) -> list[StatusReport]:
    """The latest report of every carrier that has filed one (one query)."""
    newest = (
        StatusReport.objects.filter(
            election=election, organisation=OuterRef("organisation")
        )
        .order_by("-due_at")
        .values("due_at")[:1]
    )
    return list(
        StatusReport.objects.filter(election=election, due_at=Subquery(newest))
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )


@dataclass
class Totals:
    """The figures of some reports added up. Mail figures count the postal
    firms' reports only."""

    by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(OverallStatus.values, 0)
    )
    sites_out: int = 0
    mail_accepted: int = 0
    mail_delivered: int = 0
    mail_delayed: int = 0
    open_incidents: int = 0

    def add(self, report: StatusReport) -> None:
        self.by_status[report.overall_status] = (
            self.by_status.get(report.overall_status, 0) + 1
        )
        self.sites_out += report.sites_out
        self.open_incidents += report.open_incidents
        self.mail_accepted += report.mail_accepted or 0
        self.mail_delivered += report.mail_delivered or 0
        self.mail_delayed += report.mail_delayed or 0


def status_report_totals(reports: list[StatusReport]) -> Totals:
    totals = Totals()
    for report in reports:
        totals.add(report)
    return totals


@dataclass
class MomentRow:
    organisation: Organisation
    report: StatusReport | None

    @property
    def is_postal(self) -> bool:
        return self.organisation.kind == OrganisationKind.POSTAL


@dataclass
class MomentTable:
    """Every carrier at one moment, with its report or None (missing)."""

    moment: Moment
    rows: list[MomentRow]
    totals: Totals
    # False for a moment still to come: nobody is missing yet.
    has_come: bool

    @property
    def filed(self) -> list[MomentRow]:
        return [r for r in self.rows if r.report is not None]

    @property
    def missing(self) -> list[MomentRow]:
        return [r for r in self.rows if r.report is None]


def moment_table(
    *, election: Election, moment: Moment, now: datetime.datetime
) -> MomentTable:
    """Who filed and who is missing at a moment, with the totals (two
    queries). Reports of organisations no longer active are listed too."""
    reports = {
        r.organisation_id: r
        for r in StatusReport.objects.filter(
            election=election, due_at=moment.at
        ).select_related("organisation", "filed_by")
    }
    carriers = list(status_report_carriers())
    known = {c.pk for c in carriers}
    carriers += [r.organisation for pk, r in reports.items() if pk not in known]
    rows = [MomentRow(c, reports.get(c.pk)) for c in carriers]
    return MomentTable(
        moment=moment,
        rows=rows,
        totals=status_report_totals(list(reports.values())),
        has_come=moment.at <= now,
    )


@dataclass
class MomentCount:
    moment: Moment
    filed: int
    # Active carriers without a report.
    missing: int
    troubled: int


def moments_passed(
    *,
    election: Election,
    now: datetime.datetime,
    carrier_count: int,
    schedule: dict | None = None,
) -> dict[str, list[MomentCount]]:
    """The moments that have come, newest first, per period, with how many
    carriers filed, how many of the `carrier_count` active carriers are
    missing and how many reported trouble (one query, two without
    `schedule`)."""
    schedule = (
        schedule if schedule is not None else reporting_schedule(election=election)
    )
    start = _at(election.before_starts_on, datetime.time(0)) - SECOND
    moments = reporting_moments_between(
        election=election, after=start, until=now, schedule=schedule
    )
    counts = {
        row["due_at"]: row
        for row in StatusReport.objects.filter(election=election, due_at__lte=now)
        .order_by()
        .values("due_at")
        .annotate(
            n=Count("pk"),
            active=Count(
                "pk",
                filter=Q(
                    organisation__is_active=True, organisation__kind__in=CARRIER_KINDS
                ),
            ),
            troubled=Count("pk", filter=~Q(overall_status=OverallStatus.NORMAL)),
        )
    }
    grouped: dict[str, list[MomentCount]] = {p: [] for p in ReportingPeriod.values}
    for moment in reversed(moments):
        row: Mapping[str, Any] = counts.get(moment.at, {})
        grouped[moment.period].append(
            MomentCount(
                moment,
                filed=row.get("n", 0),
                missing=max(carrier_count - row.get("active", 0), 0),
                troubled=row.get("troubled", 0),
            )
        )
    return grouped


def status_reports_in_period(*, election: Election, period: str) -> list[StatusReport]:
    """Every report of a period's days, by moment then carrier (one query):
    the period's export."""
    first, last = period_days(election, period)
    return list(
        StatusReport.objects.filter(
            election=election,
            due_at__gte=_at(first, datetime.time(0)),
            due_at__lt=_at(last + DAY, datetime.time(0)),
        )
        .select_related("organisation", "filed_by")
        .order_by("due_at", "organisation__kind", "organisation__name")
    )


# --- The summary the situation reports store ------------------------------------------


def status_report_summary(*, election: Election, now: datetime.datetime) -> dict:
    """The carriers' status at the latest reporting moment that has come,
    for the situation reports (readiness.services.situation_reports stores
    it in a JSON snapshot, so everything in it is plain JSON: str, int,
    list, dict). Three queries, whatever the number of carriers.

    Keys:
    - "moment": the moment as an ISO 8601 string with its offset
      ("2021-05-23T14:00:00+07:00"), or None when no moment has come (no
      schedule, or before the first one; every count is then 0 and every
      list empty);
    - "filed": how many carriers filed a report for that moment;
    - "missing": how many active carriers did not;
    - "missing_names": the missing carriers' names (display names in the
      current language), postal firms first, then telecom, by name;
    - "by_status": {"normal": n, "degraded": n, "disrupted": n}, the filed
      reports by overall status (every key present);
    - "sites_out": base stations and post offices out of service, added up;
    - "mail_accepted", "mail_delivered", "mail_delayed": election mail
      since the previous report, added up over the postal firms' reports;
    - "open_incidents": open incidents, as the carriers reported them;
    - "troubled": the carriers reporting "degraded" or "disrupted", each
      {"organisation": name, "status": "degraded"|"disrupted",
      "sites_out": int, "note": str}, disrupted first, then by name.
    """
    moment = moment_latest(election=election, now=now)
    if moment is None:
        return _summary(None, Totals(), [], [])
    table = moment_table(election=election, moment=moment, now=now)
    return _summary(
        moment.at.isoformat(),
        table.totals,
        [r.report for r in table.filed],
        [r.organisation.display_name for r in table.missing],
    )


def _summary(
    moment: str | None, totals: Totals, reports: list, missing_names: list[str]
) -> dict:
    troubled = sorted(
        (r for r in reports if r.overall_status != OverallStatus.NORMAL),
        key=lambda r: (
            r.overall_status != OverallStatus.DISRUPTED,
            r.organisation.display_name,
        ),
    )
    return {
        "moment": moment,
        "filed": len(reports),
        "missing": len(missing_names),
        "missing_names": missing_names,
        "by_status": {k: int(v) for k, v in totals.by_status.items()},
        "sites_out": totals.sites_out,
        "mail_accepted": totals.mail_accepted,
        "mail_delivered": totals.mail_delivered,
        "mail_delayed": totals.mail_delayed,
        "open_incidents": totals.open_incidents,
        "troubled": [
            {
                "organisation": r.organisation.display_name,
                "status": str(r.overall_status),
                "sites_out": r.sites_out,
                "note": r.note,
            }
            for r in troubled
        ],
    }


def status_report_card(*, election: Election, now: datetime.datetime) -> dict:
    """The Department dashboard's card: status_report_summary with the
    latest moment as an aware datetime ("at") and its URL form ("slug"),
    both None before the first moment (three queries)."""
    summary = status_report_summary(election=election, now=now)
    at = (
        datetime.datetime.fromisoformat(summary["moment"])
        if summary["moment"]
        else None
    )
    return summary | {
        "at": at,
        "slug": timezone.localtime(at).strftime(MOMENT_SLUG) if at else None,
    }
