"""Reading duty rosters: the election's periods, gaps at their edges and
across midnight, T2's coverage, and who is on duty at a moment (shifts are
half-open: on duty at their start, no longer at their end)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import ElectionPhase, Organisation, OrganisationKind
from incidents.selectors.rosters import (
    Gap,
    election_periods,
    gaps_in,
    roster_coverage,
    roster_of,
)
from incidents.selectors.rosters import duty_now as duty_now_at
from tests.factories import ElectionFactory, OrganisationFactory
from tests.incidents.conftest import POLLING_DAY, on, vn

MINUTE = datetime.timedelta(minutes=1)
MICROSECOND = datetime.timedelta(microseconds=1)


@pytest.fixture
def periods(election):
    return election_periods(election)


# --- The election's periods ----------------------------------------------------


def test_the_periods_run_from_midnight_to_midnight_vietnam_time(election, periods):
    before, during, after = periods
    assert (before.phase, during.phase, after.phase) == (
        ElectionPhase.BEFORE,
        ElectionPhase.DURING,
        ElectionPhase.AFTER,
    )
    assert before.starts_at == vn(election.before_starts_on)
    assert before.ends_at == during.starts_at == vn(POLLING_DAY)
    assert during.ends_at == after.starts_at == on(1)
    assert after.ends_at == vn(election.after_ends_on + datetime.timedelta(days=1))
    # 00:00 in Hanoi is 17:00 UTC the day before.
    assert during.starts_at.astimezone(datetime.UTC).hour == 17


def test_only_polling_day_gaps_are_critical(periods):
    before, during, after = periods
    assert [g.critical for g in gaps_in([], before)] == [False]
    assert gaps_in([], during) == [Gap(during.starts_at, during.ends_at, True)]
    assert [g.critical for g in gaps_in([], after)] == [False]


# --- Gaps ----------------------------------------------------------------------


def test_touching_shifts_leave_no_gap(periods):
    during = periods[1]
    spans = [(on(0), on(0, 8)), (on(0, 8), on(0, 16)), (on(0, 16), on(1))]
    assert gaps_in(spans, during) == []


def test_overlapping_shifts_in_any_order_merge(periods):
    during = periods[1]
    spans = [(on(0, 12), on(1)), (on(0), on(0, 10)), (on(0, 9), on(0, 13))]
    assert gaps_in(spans, during) == []


def test_a_minute_missing_at_the_start_of_polling_day_is_a_gap(periods):
    during = periods[1]
    gaps = gaps_in([(on(0, 0, 1), on(1))], during)
    assert gaps == [Gap(on(0), on(0, 0, 1), True)]


def test_a_minute_missing_at_the_end_of_polling_day_is_a_gap(periods):
    during = periods[1]
    gaps = gaps_in([(on(0), on(0, 23, 59))], during)
    assert gaps == [Gap(on(0, 23, 59), on(1), True)]


def test_a_night_shift_from_the_eve_covers_polling_day_after_midnight(periods):
    during = periods[1]
    spans = [(on(-1, 22), on(0, 6)), (on(0, 6), on(0, 22))]
    assert gaps_in(spans, during) == [Gap(on(0, 22), on(1), True)]


def test_a_night_shift_into_the_next_day_covers_polling_day_until_midnight(periods):
    during = periods[1]
    assert gaps_in([(on(0), on(0, 22)), (on(0, 22), on(1, 6))], during) == []


def test_a_gap_across_midnight_is_one_gap(periods):
    before = periods[0]
    spans = [
        (before.starts_at, on(-3, 20)),
        (on(-2, 6), before.ends_at),
    ]
    assert gaps_in(spans, before) == [Gap(on(-3, 20), on(-2, 6))]


def test_shifts_outside_the_period_do_not_cover_it(periods):
    during = periods[1]
    spans = [(on(-2, 8), on(-1, 8)), (on(1), on(1, 8))]
    assert gaps_in(spans, during) == [Gap(on(0), on(1), True)]


def test_gaps_between_shifts_are_listed_in_order(periods):
    after = periods[2]
    spans = [(on(3, 8), on(3, 17)), (on(1, 8), on(1, 17))]
    gaps = gaps_in(spans, after)
    assert [(g.starts_at, g.ends_at) for g in gaps] == [
        (on(1), on(1, 8)),
        (on(1, 17), on(3, 8)),
        (on(3, 17), after.ends_at),
    ]
    assert gaps[0].hours == 8


# --- One organisation's roster -------------------------------------------------


def test_the_roster_counts_a_shift_across_midnight_in_both_periods(
    world, election, make_shift
):
    make_shift(starts_at=on(-1, 22), ends_at=on(0, 6))
    make_shift(starts_at=on(0, 6), ends_at=on(1, 6))
    found = roster_of(election=election, organisation=world.telecom)
    before, during, after = found.periods
    assert (before.shift_count, during.shift_count, after.shift_count) == (1, 2, 1)
    assert during.gaps == []
    assert found.polling_day_gaps == []
    assert before.gaps == [Gap(before.period.starts_at, on(-1, 22))]


def test_the_roster_flags_shifts_without_a_mobile(world, election, make_shift):
    landline = make_shift(phone="+842373718258", phone_is_mobile=False)
    make_shift(starts_at=on(0, 16), ends_at=on(1))
    found = roster_of(election=election, organisation=world.telecom)
    assert found.flagged == [landline]
    assert found.polling_day_gaps == [Gap(on(0), on(0, 8), True)]


def test_the_roster_holds_only_its_organisation_and_election(
    world, election, make_shift
):
    mine = make_shift()
    make_shift(world.postal)
    other = ElectionFactory(
        province=world.province, polling_day=POLLING_DAY.replace(year=2026)
    )
    make_shift(election=other)
    found = roster_of(election=election, organisation=world.telecom)
    assert found.shifts == [mine]


def test_the_roster_costs_one_query_whatever_its_size(
    world, election, make_shift, django_assert_num_queries
):
    for n in range(30):
        make_shift(starts_at=on(-n, 8), ends_at=on(-n, 16))
    with django_assert_num_queries(1):
        found = roster_of(election=election, organisation=world.telecom)
        assert len(found.shifts) == 30


# --- Coverage (T2) -------------------------------------------------------------


def test_a_roster_before_after_and_all_polling_day_is_covered(
    world, election, full_roster
):
    full_roster(world.telecom)
    coverage = roster_coverage(election=election, organisations=[world.telecom])
    found = coverage[world.telecom.pk]
    assert (found.before, found.during, found.after) == (1, 3, 1)
    assert found.covered is True


def test_a_minute_missing_on_polling_day_is_not_covered(world, election, full_roster):
    shifts = full_roster(world.telecom)
    shifts[3].ends_at = on(0, 23, 59)
    shifts[3].save()
    found = roster_coverage(election=election, organisations=[world.telecom])
    assert found[world.telecom.pk].polling_day_gaps == [Gap(on(0, 23, 59), on(1), True)]
    assert found[world.telecom.pk].covered is False


@pytest.mark.parametrize("missing", [0, 4], ids=["no shift before", "no shift after"])
def test_a_roster_without_shifts_before_or_after_is_not_covered(
    world, election, full_roster, missing
):
    full_roster(world.telecom)[missing].delete()
    found = roster_coverage(election=election, organisations=[world.telecom])
    assert found[world.telecom.pk].covered is False


def test_a_night_shift_from_the_eve_counts_as_before(
    world, election, full_roster, make_shift
):
    full_roster(world.telecom)[0].delete()
    make_shift(starts_at=on(-1, 22), ends_at=on(0, 0, 30))
    found = roster_coverage(election=election, organisations=[world.telecom])
    assert (found[world.telecom.pk].before, found[world.telecom.pk].during) == (1, 4)
    assert found[world.telecom.pk].covered is True


def test_a_shift_ending_at_midnight_after_polling_day_is_not_after(
    world, election, full_roster
):
    full_roster(world.telecom)[4].delete()  # the last polling-day shift ends 24:00
    found = roster_coverage(election=election, organisations=[world.telecom])
    assert found[world.telecom.pk].after == 0


def test_an_organisation_without_shifts_is_not_covered(world, election):
    found = roster_coverage(election=election, organisations=[world.postal])
    assert found[world.postal.pk].shift_count == 0
    assert found[world.postal.pk].polling_day_gaps == [Gap(on(0), on(1), True)]
    assert found[world.postal.pk].covered is False


def test_coverage_counts_shifts_without_a_mobile(world, election, make_shift):
    make_shift(phone="+842373718258", phone_is_mobile=False)
    make_shift()
    found = roster_coverage(election=election, organisations=[world.telecom])
    assert found[world.telecom.pk].flagged == 1


def _carriers(start: int, count: int) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        Organisation(code=f"dn-{n}", kind=OrganisationKind.TELECOM, name=f"DN {n}")
        for n in range(start, start + count)
    )


def test_coverage_costs_two_queries_for_one_or_many_organisations(
    world, election, full_roster, django_assert_num_queries
):
    few = _carriers(0, 2)
    full_roster(few[0])
    with django_assert_num_queries(2):
        roster_coverage(election=election, organisations=few)
    many = few + _carriers(2, 60)
    for organisation in many[1:20]:
        full_roster(organisation)
    with django_assert_num_queries(2):
        found = roster_coverage(election=election, organisations=many)
    assert sum(c.covered for c in found.values()) == 20


# --- On duty now ---------------------------------------------------------------


def duty_now(election, at) -> dict[str, list[str]]:
    """Organisation code → people on duty at `at`."""
    return {
        row.organisation.code: [s.person_name for s in row.shifts]
        for row in duty_now_at(election=election, at=at)
    }


def test_a_shift_is_on_duty_from_its_start(world, election, make_shift):
    make_shift(starts_at=on(0, 8), ends_at=on(0, 16), person_name="Trực")
    assert duty_now(election, on(0, 8))["telecom"] == ["Trực"]
    assert duty_now(election, on(0, 8) - MICROSECOND)["telecom"] == []


def test_a_shift_is_no_longer_on_duty_at_its_end(world, election, make_shift):
    make_shift(starts_at=on(0, 8), ends_at=on(0, 16), person_name="Trực")
    assert duty_now(election, on(0, 16) - MICROSECOND)["telecom"] == ["Trực"]
    assert duty_now(election, on(0, 16))["telecom"] == []


def test_at_a_handover_only_the_next_shift_is_on_duty(world, election, make_shift):
    make_shift(starts_at=on(0), ends_at=on(0, 8), person_name="Đêm")
    make_shift(starts_at=on(0, 8), ends_at=on(0, 16), person_name="Sáng")
    assert duty_now(election, on(0, 8))["telecom"] == ["Sáng"]


def test_a_night_shift_is_on_duty_after_midnight(world, election, make_shift):
    make_shift(starts_at=on(-1, 22), ends_at=on(0, 6), person_name="Đêm")
    assert duty_now(election, on(0, 0))["telecom"] == ["Đêm"]
    assert duty_now(election, on(-1, 23, 59))["telecom"] == ["Đêm"]


def test_every_organisation_keeping_a_roster_is_listed_department_first(
    world, election, make_shift
):
    make_shift(world.postal, person_name="Bưu điện")
    rows = duty_now_at(election=election, at=on(0, 9))
    assert [r.organisation.code for r in rows] == ["dept", "telecom", "postal"]
    assert [len(r.shifts) for r in rows] == [0, 0, 1]  # districts, observers: none


def test_an_inactive_organisation_is_not_listed(world, election):
    world.postal.is_active = False
    world.postal.save()
    assert "postal" not in duty_now(election, on(0, 9))


def test_nobody_on_duty_shows_when_the_next_shift_starts(world, election, make_shift):
    make_shift(starts_at=on(0, 16), ends_at=on(1))
    make_shift(starts_at=on(2, 8), ends_at=on(2, 16))
    rows = {r.organisation.code: r for r in duty_now_at(election=election, at=on(0, 9))}
    assert rows["telecom"].next_starts_at == on(0, 16)
    assert rows["postal"].next_starts_at is None


def test_shifts_of_another_election_are_not_on_duty(world, election, make_shift):
    other = ElectionFactory(
        province=world.province, polling_day=POLLING_DAY.replace(year=2026)
    )
    make_shift(election=other)
    assert duty_now(election, on(0, 9))["telecom"] == []


def test_duty_now_costs_the_same_queries_for_few_and_many(world, election, make_shift):
    make_shift()
    with CaptureQueriesContext(connection) as few:
        duty_now_at(election=election, at=on(0, 9))
    for n in range(40):
        organisation = OrganisationFactory(kind=OrganisationKind.POSTAL)
        make_shift(organisation, on(0, 8) + n * MINUTE, on(0, 16))
        make_shift(organisation, on(0, 16), on(1))
    with CaptureQueriesContext(connection) as many:
        rows = duty_now_at(election=election, at=on(0, 9))
    assert len(many.captured_queries) == len(few.captured_queries) == 2
    assert sum(len(r.shifts) for r in rows) == 41
