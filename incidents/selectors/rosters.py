"""Reads of duty rosters: one organisation's roster with its gaps, who is on
duty at a moment, and whether rosters cover the election's periods (T2's
evidence, read by readiness.selectors.compliance). Each costs a fixed
number of queries, whatever the number of shifts and organisations.

Shifts are half-open intervals [starts_at, ends_at): a shift ending at
08:00 and the next starting at 08:00 leave no gap, and at 08:00 only the
second is on duty.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from contacts.models import Election, ElectionPhase, Organisation, OrganisationKind
from incidents.models import Shift

# The organisations that keep a duty roster, in the order "on duty now"
# lists them: the Department first, whom everyone escalates to.
ROSTER_KINDS = (
    OrganisationKind.DEPARTMENT,
    OrganisationKind.TELECOM,
    OrganisationKind.POSTAL,
)
Span = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Period:
    """One of the election's periods, as a half-open interval."""

    phase: str  # ElectionPhase.BEFORE, DURING or AFTER
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def label(self) -> str:
        return str(ElectionPhase(self.phase).label)

    @property
    def is_polling_day(self) -> bool:
        return self.phase == ElectionPhase.DURING

    @property
    def first_day(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def last_day(self) -> datetime.date:
        return timezone.localtime(self.ends_at).date() - datetime.timedelta(days=1)

    def overlap(self) -> Q:
        """Shifts running at some moment of the period."""
        return Q(starts_at__lt=self.ends_at, ends_at__gt=self.starts_at)


@dataclass(frozen=True)
class Gap:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    # A gap on polling day: shown in red, and T2 is not met.
    critical: bool = False

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at) / datetime.timedelta(hours=1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(0), tzinfo=timezone.get_default_timezone()
    )


def election_periods(election: Election) -> tuple[Period, Period, Period]:
    """Before (from its first day to the eve of polling day), during (polling
    day, 00:00–24:00 Vietnam time) and after (to the end of its last day)."""
    polling = _midnight(election.polling_day)
    next_day = polling + datetime.timedelta(days=1)
    after_end = _midnight(election.after_ends_on + datetime.timedelta(days=1))
    return (
        Period(ElectionPhase.BEFORE, _midnight(election.before_starts_on), polling),
        Period(ElectionPhase.DURING, polling, next_day),
        Period(ElectionPhase.AFTER, next_day, after_end),
    )


def gaps_in(spans: Iterable[Span], period: Period) -> list[Gap]:
    """The stretches of `period` no span covers; overlapping and touching
    spans merge, whatever their order."""
    gaps, cursor = [], period.starts_at
    for starts_at, ends_at in sorted(spans):
        if starts_at >= period.ends_at:
            break
        if starts_at > cursor:
            gaps.append(Gap(cursor, starts_at, period.is_polling_day))
        cursor = max(cursor, ends_at)
    if cursor < period.ends_at:
        gaps.append(Gap(cursor, period.ends_at, period.is_polling_day))
    return gaps


# --- One organisation's roster -------------------------------------------------


@dataclass
class PeriodRoster:
    period: Period
    shift_count: int
    gaps: list[Gap]


@dataclass
class Roster:
    organisation: Organisation
    election: Election
    shifts: list[Shift]
    periods: list[PeriodRoster]

    @property
    def flagged(self) -> list[Shift]:
        """Shifts whose person has no mobile number."""
        return [s for s in self.shifts if not s.phone_is_mobile]

    @property
    def polling_day_gaps(self) -> list[Gap]:
        return [g for p in self.periods if p.period.is_polling_day for g in p.gaps]


def roster_of(*, election: Election, organisation: Organisation) -> Roster:
    """Every shift of the organisation, and the gaps of each period (one
    query)."""
    shifts = list(
        Shift.objects.filter(election=election, organisation=organisation)
        .select_related("user")
        .order_by("starts_at", "pk")
    )
    spans = [(s.starts_at, s.ends_at) for s in shifts]
    periods = [
        PeriodRoster(
            period=period,
            shift_count=sum(
                1 for s, e in spans if s < period.ends_at and e > period.starts_at
            ),
            gaps=gaps_in(spans, period),
        )
        for period in election_periods(election)
    ]
    return Roster(organisation, election, shifts, periods)


@dataclass
class RosterSpan:
    """The shifts starting in a span of time (what
    incidents.services.rosters.roster_replace replaces) and the stretches
    of it no shift covers (shifts that started before it count)."""

    organisation: Organisation
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    shifts: list[Shift]
    gaps: list[Gap]


def roster_span(
    *,
    election: Election,
    organisation: Organisation,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> RosterSpan:
    """One organisation's roster over [starts_at, ends_at), for the API (one
    query)."""
    running = list(
        Shift.objects.filter(
            election=election,
            organisation=organisation,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).order_by("starts_at", "pk")
    )
    # A span of one's choosing, not one of the election's periods: its gaps
    # are not marked critical.
    span = Period("", starts_at, ends_at)
    return RosterSpan(
        organisation=organisation,
        starts_at=starts_at,
        ends_at=ends_at,
        shifts=[s for s in running if s.starts_at >= starts_at],
        gaps=gaps_in([(s.starts_at, s.ends_at) for s in running], span),
    )


# --- Coverage of many organisations (T2) ---------------------------------------


@dataclass
class Coverage:
    """How far one organisation's roster covers the election's periods."""

    shift_count: int = 0
    before: int = 0  # shifts running at some moment of each period
    during: int = 0
    after: int = 0
    flagged: int = 0  # shifts whose phone is not a mobile
    polling_day_gaps: list[Gap] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        """T2's definition: at least one shift before and after polling day,
        and nobody missing at any moment of polling day."""
        return self.before > 0 and self.after > 0 and not self.polling_day_gaps


def roster_coverage(
    *, election: Election, organisations: Iterable[Organisation]
) -> dict[int, Coverage]:
    """Organisation id → its coverage, for every organisation given (two
    queries, whatever their number)."""
    ids = [o.pk for o in organisations]
    if not ids:
        return {}
    q = Shift.objects.filter(election=election, organisation_id__in=ids)
    periods = election_periods(election)
    found = _counts(q, periods)
    during = periods[1]
    spans = _spans_by_organisation(q.filter(during.overlap()))
    for org_id in ids:
        coverage = found.setdefault(org_id, Coverage())
        coverage.polling_day_gaps = gaps_in(spans.get(org_id, []), during)
    return found


def _counts(q: QuerySet[Shift], periods: tuple[Period, ...]) -> dict[int, Coverage]:
    """Shifts per organisation: in all, in each period, without a mobile."""
    before, during, after = periods
    rows = q.values("organisation_id").annotate(
        total=Count("pk"),
        before=Count("pk", filter=before.overlap()),
        during=Count("pk", filter=during.overlap()),
        after=Count("pk", filter=after.overlap()),
        flagged=Count("pk", filter=Q(phone_is_mobile=False)),
    )
    return {
        row["organisation_id"]: Coverage(
            row["total"], row["before"], row["during"], row["after"], row["flagged"]
        )
        for row in rows.order_by()
    }


def _spans_by_organisation(q: QuerySet[Shift]) -> dict[int, list[Span]]:
    spans: dict[int, list[Span]] = {}
    for org_id, starts_at, ends_at in q.values_list(
        "organisation_id", "starts_at", "ends_at"
    ):
        spans.setdefault(org_id, []).append((starts_at, ends_at))
    return spans


def roster_organisations() -> QuerySet[Organisation]:
    """The active organisations that keep a roster."""
    return Organisation.objects.filter(kind__in=ROSTER_KINDS, is_active=True)


@dataclass
class RosterSummary:
    organisation: Organisation
    coverage: Coverage


def roster_overview(
    *, election: Election, organisations: QuerySet[Organisation]
) -> list[RosterSummary]:
    """Each organisation keeping a roster with its coverage, Department
    first (three queries)."""
    orgs = sorted(
        organisations.filter(kind__in=ROSTER_KINDS, is_active=True).order_by("name"),
        key=_roster_rank,
    )
    coverage = roster_coverage(election=election, organisations=orgs)
    return [RosterSummary(o, coverage[o.pk]) for o in orgs]


def _roster_rank(organisation: Organisation) -> int:
    """Rosters are listed by kind (ROSTER_KINDS), then by name."""
    return ROSTER_KINDS.index(organisation.kind)


# --- On duty now ---------------------------------------------------------------


@dataclass
class OnDuty:
    organisation: Organisation
    shifts: list[Shift]  # running at the moment asked, earliest start first
    # When the next shift starts, for an organisation with nobody on duty.
    next_starts_at: datetime.datetime | None = None


def shifts_running(*, election: Election, at: datetime.datetime):
    """The shifts on duty at `at`: started, not yet ended."""
    return Shift.objects.filter(election=election, starts_at__lte=at, ends_at__gt=at)


def duty_now(*, election: Election, at: datetime.datetime) -> list[OnDuty]:
    """Every telecom, postal and Department organisation with the shifts
    running at `at`, those with nobody on duty included (two queries)."""
    upcoming = Shift.objects.filter(
        election=election, organisation=OuterRef("pk"), starts_at__gt=at
    ).order_by("starts_at")
    orgs = sorted(
        roster_organisations()
        .annotate(next_starts_at=Subquery(upcoming.values("starts_at")[:1]))
        .order_by("name"),
        key=_roster_rank,
    )
    running: dict[int, list[Shift]] = {}
    for shift in shifts_running(election=election, at=at).order_by("starts_at", "pk"):
        running.setdefault(shift.organisation_id, []).append(shift)
    return [OnDuty(o, running.get(o.pk, []), o.next_starts_at) for o in orgs]
