"""The demo rosters of `load_demo`: made once, with a covered roster, an
uncovered one and someone on duty whenever the demo runs."""

import datetime

import pytest

from demo.incidents import demo_rosters_ensure
from incidents.models import Shift
from incidents.selectors.rosters import duty_now, roster_coverage, roster_of
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.conftest import on


@pytest.fixture
def demo_users(world):
    telecom2 = OrganisationFactory(code="telecom2")
    return {
        "telecom": world.telecom_officer,
        "telecom2": MembershipFactory(organisation=telecom2).user,
        "postal": world.postal_officer,
        "staff": world.staff,
    }


def test_the_demo_rosters_are_made_once(world, election, demo_users):
    today = datetime.date(2026, 3, 2)
    added = demo_rosters_ensure(election=election, users=demo_users, today=today)
    assert added > 0
    assert demo_rosters_ensure(election=election, users=demo_users, today=today) == 0
    assert Shift.objects.count() == added


def test_the_demo_shows_covered_and_uncovered_rosters(world, election, demo_users):
    demo_rosters_ensure(
        election=election, users=demo_users, today=datetime.date(2026, 3, 2)
    )
    orgs = [world.telecom, demo_users["telecom2"].membership.organisation, world.postal]
    coverage = roster_coverage(election=election, organisations=orgs)
    assert [coverage[o.pk].covered for o in orgs] == [True, False, False]
    viettel = roster_of(election=election, organisation=orgs[1])
    assert viettel.polling_day_gaps[0].starts_at == on(0, 12)
    assert len(viettel.flagged) > 0


def test_the_demo_department_officer_is_on_duty_now(world, election, demo_users):
    now = datetime.datetime.now(tz=datetime.UTC)
    demo_rosters_ensure(election=election, users=demo_users, today=now.date())
    rows = {r.organisation.code: r for r in duty_now(election=election, at=now)}
    assert [s.user for s in rows["dept"].shifts] == [world.staff]
    assert rows["telecom"].shifts
