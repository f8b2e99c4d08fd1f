"""The province dashboard's figures, every tile checked against what was
computed by hand on a small province, and its cost at two sizes."""

import datetime

import pytest

from contacts.models import Election
from contacts.services.contact_lists import (
    contact_list_accept,
    contact_list_get_or_create,
)
from incidents.models import Shift
from incidents.services.incidents import incident_acknowledge, incident_resolve
from readiness.selectors.dashboard import province_dashboard
from readiness.services.plans import plan_get_or_create, plan_submit
from tests.factories import VN, OrganisationFactory, UserFactory
from tests.incidents.helpers import report
from tests.readiness.test_selectors_compliance import (
    add_team,
    communes,
    save,
    submit,
)

# Polling day is 23 May 2021: D2 was due 8 April (overdue now), P1 and T1
# are due 23 April 17:00 (within seven days).
NOW = datetime.datetime(2021, 4, 20, 9, 0, tzinfo=VN)
EARLIER = NOW - datetime.timedelta(days=10)


@pytest.fixture
def province(world):
    """District A's list accepted with both communes; the telecom's T1
    submitted; the postal firm has not started; two open incidents (a
    critical one in district A, a major one in both districts), a resolved
    one and a difficulty; the telecom on duty now, nobody else."""
    list_a = contact_list_get_or_create(
        election=Election.objects.get(), organisation=world.district_a
    )
    for n, commune in enumerate(communes(world.district_a), start=1):
        add_team(list_a, commune, n, EARLIER)
    version = submit(world, list_a, EARLIER)
    contact_list_accept(version=version, by=world.staff, now=EARLIER)
    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    save(plan, "T1", "Phương án", by=world.telecom_officer, now=EARLIER)
    plan_submit(plan=plan, by=world.telecom_officer, now=EARLIER)

    def at(hours: int) -> dict:
        moment = NOW - datetime.timedelta(hours=hours)
        return {"now": moment, "started_at": moment, "detected_at": moment}

    critical = report(world, severity="critical", title="Đứt cáp", **at(1))
    major = report(
        world,
        severity="major",
        title="Nghẽn mạng",
        units=[world.district_a.unit, world.district_b.unit],
        **at(2),
    )
    incident_acknowledge(incident=major, by=world.staff, now=NOW)
    minor = report(world, severity="minor", title="Mất điện", **at(3))
    incident_acknowledge(incident=minor, by=world.staff, now=NOW)
    incident_resolve(
        incident=minor, by=world.staff, resolved_at=NOW, note="Xong", now=NOW
    )
    report(world, category="difficulty", severity="minor", title="Thiếu máy", **at(4))
    Shift.objects.create(
        election=world.directive.election,
        organisation=world.telecom,
        person_name="Lê Văn Trực",
        phone="+84912345678",
        starts_at=NOW - datetime.timedelta(hours=2),
        ends_at=NOW + datetime.timedelta(hours=6),
        created_by=world.telecom_officer,
    )
    return {"critical": critical, "major": major}


def board(world):
    return province_dashboard(directive=world.directive, now=NOW)


def test_the_header_names_the_phase_and_counts_down(world, province):
    found = board(world)
    assert (found.phase, found.days_to_polling, found.is_polling_day) == (
        "before",
        33,
        False,
    )


def test_readiness_per_group_counts_met_submitted_and_overdue(world, province):
    found = {g.group: g for g in board(world).readiness}
    figures = {
        group: (g.organisations, g.addressed, g.met, g.submitted, g.overdue)
        for group, g in found.items()
    }
    assert figures == {
        "district": (2, 2, 1, 0, 1),  # A accepted; B has not started D2
        "telecom": (1, 1, 0, 1, 0),  # T1 submitted
        "postal": (1, 1, 0, 0, 0),  # P1 not started, due in three days
    }
    assert found["district"].met_percent == 50


def test_deadlines_of_the_week_and_everything_overdue(world, province):
    found = board(world)
    assert [(d.obligation_code, d.due_at, d.unmet) for d in found.due_soon] == [
        ("P1", datetime.datetime(2021, 4, 23, 17, tzinfo=VN), 1),
        ("T1", datetime.datetime(2021, 4, 23, 17, tzinfo=VN), 1),
    ]
    assert [(c.organisation, c.obligation.code) for c in found.overdue] == [
        (world.district_b, "D2")
    ]
    assert found.overdue_count == 1


def test_contact_list_coverage_per_district(world, province):
    coverage = [
        (c.district, c.covered, c.total, c.state) for c in board(world).coverage
    ]
    assert coverage == [
        (world.district_a.unit, 2, 2, "accepted"),
        (world.district_b.unit, 0, 2, "not_started"),
    ]


def test_the_review_queue_and_its_oldest_item(world, province):
    found = board(world)
    assert found.queue_count == 1
    assert found.queue_oldest.organisation == world.telecom


def test_open_incidents_by_severity_and_district_and_the_latest_critical(
    world, province
):
    found = board(world)
    assert found.incidents_by_severity == {"critical": 1, "major": 1, "minor": 0}
    assert found.open_incidents == 2
    assert found.incidents_by_district == [
        (world.district_a.unit, 2),
        (world.district_b.unit, 1),
    ]
    assert found.critical_latest == [province["critical"]]


def test_who_is_on_duty_now(world, province):
    found = board(world)
    rows = {
        row.organisation: [s.person_name for s in row.shifts] for row in found.on_duty
    }
    assert rows == {
        world.telecom: ["Lê Văn Trực"],
        world.postal: [],
        world.department: [],
    }
    assert found.nobody_on_duty == 2


def test_the_dashboard_costs_the_same_queries_for_a_province_and_more(
    world, province, django_assert_num_queries
):
    with django_assert_num_queries(22) as first:
        board(world)
    for n in range(30):
        carrier = OrganisationFactory(kind="telecom", code=f"t{n}", name=f"Mạng {n}")
        carrier.served_units.set([world.district_b.unit])
        plan = plan_get_or_create(directive=world.directive, organisation=carrier)
        save(plan, "T1", "Phương án", by=UserFactory(), now=EARLIER)
        report(
            world,
            organisation=carrier,
            units=[world.district_b.unit],
            now=NOW,
            started_at=NOW,
            detected_at=NOW,
        )
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(board(world).matrix.organisations) == 34


def test_the_oldest_item_is_the_oldest_of_plans_and_contact_lists(world, province):
    list_b = contact_list_get_or_create(
        election=Election.objects.get(), organisation=world.district_b
    )
    add_team(list_b, communes(world.district_b)[0], 1, EARLIER)
    from contacts.services.contact_lists import contact_list_submit

    contact_list_submit(
        contact_list=list_b,
        by=world.district_b_officer,
        now=EARLIER - datetime.timedelta(days=1),
    )
    found = board(world)
    assert found.queue_count == 2
    assert found.queue_oldest.organisation == world.district_b
