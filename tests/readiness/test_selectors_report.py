"""The Election Committee report: its figures on the shared world, counted by
hand; the same moment giving the same figures after later changes; a fixed
number of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import (
    BodyKind,
    Contact,
    ContactList,
    Election,
    ElectionBody,
    OrganisationKind,
    UnitLevel,
)
from contacts.selectors import election_current
from contacts.services.contact_lists import (
    body_save,
    contact_list_accept,
    contact_list_get_or_create,
    contact_list_submit,
)
from incidents.models import Incident, Shift
from incidents.services import (
    difficulty_answer,
    incident_acknowledge,
    incident_resolve,
)
from readiness.models import Deadline, ReadinessPlan, ReviewStatus, SectionReview
from readiness.selectors import compliance_matrix, directive_current
from readiness.selectors.report import CommitteeReport, committee_report
from readiness.services.deadlines import deadline_extension_grant, deadline_set
from readiness.services.plans import (
    section_accept,
)
from tests.factories import VN, OrganisationFactory
from tests.incidents.helpers import POLLING_MORNING, report
from tests.readiness.test_views_oversight import submit_section

HOUR = datetime.timedelta(hours=1)
# Fourteen queries whatever the size; one more with a duty-roster obligation
# (readiness.selectors.report's docstring).
REPORT_QUERIES = 14


# --- Building the evidence through the services -----------------------------------


def accept_section(world, plan: ReadinessPlan, code: str) -> None:
    review = SectionReview.objects.get(
        version=plan.versions.order_by("-number").first(),
        obligation__code=code,
        status=ReviewStatus.SUBMITTED,
    )
    section_accept(review=review, by=world.staff)


def submit_contact_list(world, district, officer) -> ContactList:
    """A list with one Election Team, in the first of the district's two
    communes: it covers one commune of two."""
    contact_list = contact_list_get_or_create(
        election=Election.objects.get(), organisation=district
    )
    commune = (
        district.unit.children.filter(level=UnitLevel.COMMUNE).order_by("code").first()
    )
    body_save(
        contact_list=contact_list,
        body=ElectionBody(kind=BodyKind.TEAM, unit=commune, name="Tổ bầu cử số 1"),
        contacts=[
            Contact(full_name="Nguyễn Văn An", position="chair", phones="+84912340001")
        ],
        removed_contacts=[],
    )
    contact_list_submit(contact_list=contact_list, by=officer)
    return contact_list


def accept_contact_list(world, contact_list: ContactList) -> None:
    contact_list_accept(
        version=contact_list.versions.get(status="submitted"),
        by=world.staff,
        reason="Xã còn lại chưa thành lập Tổ bầu cử",
    )


def a_difficulty(world, title: str) -> Incident:
    return report(
        world,
        by=world.district_a_officer,
        organisation=world.district_a,
        category="difficulty",
        severity="minor",
        title=title,
    )


def the_report(moment) -> CommitteeReport:
    directive = directive_current(election=election_current())
    assert directive is not None
    return committee_report(directive=directive, moment=moment)


def figures(r: CommitteeReport) -> dict:
    """Everything the report says, as plain values."""
    return {
        "groups": [
            (
                g.group,
                g.organisations,
                g.ready,
                [
                    (x.obligation.code, x.addressed, x.met, x.submitted, x.overdue)
                    for x in g.lines
                ],
            )
            for g in r.groups
        ],
        "overdue": [
            (i.organisation.name, i.obligation.code, i.state, i.due_at, i.is_extension)
            for i in r.overdue
        ],
        "coverage": [
            (c.organisation.name, c.communes_total, c.communes_covered, c.state)
            for c in r.coverage
        ],
        "incidents": (
            [(row.category, row.counts) for row in r.incidents.rows],
            r.incidents.by_status,
            [(i.title, i.status) for i in r.incidents.unresolved],
        ),
        "difficulties": [(d.title, d.status, d.answer) for d in r.difficulties],
    }


def clock_after(world):
    """Wall-clock times after the world was made (its audit trail is dated
    now), one hour apart: clock(1), clock(2)... Rounded up to the second,
    so that clock(0) is after the world too."""
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=1)
    return lambda hours: start + hours * HOUR


def make_evidence_at_m(world, clock) -> datetime.datetime:
    """What had happened by clock(2), the moment M of these tests: district
    A's list accepted, district B's not started; the telecom's T1 awaiting
    review; the postal firm's P1 not started; a critical fibre cut
    acknowledged, a congestion resolved; two difficulty reports, the first
    one answered. Shared with test_views_report."""
    with time_machine.travel(clock(1), tick=False):
        accept_contact_list(
            world,
            submit_contact_list(world, world.district_a, world.district_a_officer),
        )
        submit_section(world, world.telecom, world.telecom_officer, "T1")
        cut = report(world, title="Đứt cáp quang")
        incident_acknowledge(incident=cut, by=world.staff)
        jam = report(world, category="congestion", severity="minor", title="Nghẽn")
        incident_acknowledge(incident=jam, by=world.staff)
        incident_resolve(
            incident=jam,
            by=world.staff,
            resolved_at=POLLING_MORNING,
            note="Đã phân tải",
            now=POLLING_MORNING + HOUR,
        )
        answered = a_difficulty(world, "Thiếu máy phát")
        difficulty_answer(incident=answered, by=world.staff, answer="Mượn của VNPT")
        a_difficulty(world, "Mất điện kéo dài")
    return clock(2)


@pytest.fixture
def clock(world):
    return clock_after(world)


@pytest.fixture
def evidence_at_m(world, clock) -> datetime.datetime:
    return make_evidence_at_m(world, clock)


# --- Figures on the world, counted by hand ------------------------------------------


def test_the_figures_on_the_world_are_the_ones_counted_by_hand(world, evidence_at_m):
    r = the_report(evidence_at_m)

    assert figures(r)["groups"] == [
        # D2: district A met it, district B is overdue.
        ("district", 2, 1, [("D2", 2, 1, 0, 1)]),
        ("postal", 1, 0, [("P1", 1, 0, 0, 1)]),
        # T1 was submitted but not yet accepted, after its deadline.
        ("telecom", 1, 0, [("T1", 1, 0, 1, 1)]),
    ]
    assert [(i.organisation, i.obligation.code, i.state) for i in r.overdue] == [
        (world.district_b, "D2", "not_started"),
        (world.postal, "P1", "not_started"),
        (world.telecom, "T1", "submitted"),
    ]
    # Deadlines of 2021: every one passed long before M.
    assert all(i.days_overdue > 2000 for i in r.overdue)
    assert [
        (c.organisation, c.communes_total, c.communes_covered, c.version_number)
        for c in r.coverage
    ] == [(world.district_b, 2, 0, None), (world.district_a, 2, 1, 1)]
    assert (r.coverage_covered, r.coverage_total, r.coverage_percent) == (1, 4, 25)


def test_the_incident_figures_leave_difficulties_to_their_own_list(
    world, evidence_at_m
):
    r = the_report(evidence_at_m)

    assert [(row.category, row.counts, row.total) for row in r.incidents.rows] == [
        ("fibre_cut", (1, 0, 0), 1),  # critical, major, minor
        ("congestion", (0, 0, 1), 1),
    ]
    assert r.incidents.severity_totals == (1, 0, 1)
    assert r.incidents.by_status == {"acknowledged": 1, "resolved": 1}
    assert [i.title for i in r.incidents.unresolved] == ["Đứt cáp quang"]
    assert r.incidents.unresolved[0].districts == (world.district_a.unit.name,)
    assert [(d.title, d.answer) for d in r.difficulties] == [
        ("Thiếu máy phát", "Mượn của VNPT"),
        ("Mất điện kéo dài", ""),
    ]
    assert r.difficulties_unanswered == 1


def test_at_the_present_moment_it_agrees_with_the_compliance_matrix(
    world, evidence_at_m
):
    now = evidence_at_m
    r = the_report(now)
    matrix = compliance_matrix(directive=world.directive, now=now)

    for group in r.groups:
        for line in group.lines:
            cells = [
                c
                for (org, obligation), c in matrix.cells.items()
                if obligation == line.obligation.pk
            ]
            assert line.addressed == len(cells)
            assert line.met == sum(c.is_met for c in cells)
            assert line.overdue == sum(c.overdue for c in cells)
            assert line.submitted == sum(c.state == "submitted" for c in cells)


# --- Reproducible ------------------------------------------------------------------


def change_everything_after_m(world, clock) -> None:
    """At clock(3): T1 accepted, district B's list submitted and accepted,
    P1's deadline moved to 2030 and the telecom given an extension for T1,
    the fibre cut resolved, the second difficulty answered, district A's
    name changed, and a new carrier with a new incident."""
    with time_machine.travel(clock(3), tick=False):
        accept_section(
            world, ReadinessPlan.objects.get(organisation=world.telecom), "T1"
        )
        accept_contact_list(
            world,
            submit_contact_list(world, world.district_b, world.district_b_officer),
        )
        deadline_set(
            obligation=world.directive.obligations.get(code="P1"),
            due_at=datetime.datetime(2030, 1, 1, 17, tzinfo=VN),
            reason="Lùi hạn",
            by=world.staff,
        )
        cut = Incident.objects.get(title="Đứt cáp quang")
        incident_resolve(
            incident=cut,
            by=world.staff,
            resolved_at=POLLING_MORNING,
            note="Đã hàn nối",
            now=POLLING_MORNING + HOUR,
        )
        difficulty_answer(
            incident=Incident.objects.get(title="Mất điện kéo dài"),
            by=world.staff,
            answer="Điều máy phát lưu động",
        )
        world.district_a.name = "UBND đổi tên"
        world.district_a.save()
        newcomer = OrganisationFactory(kind=OrganisationKind.POSTAL, name="Mới")
        report(world, organisation=newcomer, title="Sự cố mới", severity="major")


def test_the_same_moment_gives_the_same_figures_after_later_changes(
    world, evidence_at_m, clock
):
    before = figures(the_report(evidence_at_m))

    change_everything_after_m(world, clock)

    assert figures(the_report(evidence_at_m)) == before


def test_a_later_moment_shows_the_changes(world, evidence_at_m, clock):
    change_everything_after_m(world, clock)

    later = figures(the_report(clock(4)))

    assert later["groups"] == [
        ("district", 2, 2, [("D2", 2, 2, 0, 0)]),
        ("postal", 2, 0, [("P1", 2, 0, 0, 0)]),  # the newcomer; P1 due in 2030
        ("telecom", 1, 1, [("T1", 1, 1, 0, 0)]),
    ]
    assert later["overdue"] == []
    assert "UBND đổi tên" in [c[0] for c in later["coverage"]]
    assert later["incidents"][2] == [("Sự cố mới", "reported")]
    assert later["incidents"][1] == {"resolved": 2, "reported": 1}
    assert [d[2] for d in later["difficulties"]] == [
        "Mượn của VNPT",
        "Điều máy phát lưu động",
    ]


def test_an_extension_counts_from_when_it_was_granted_until_it_is_taken_back(
    world, clock
):
    t1 = world.directive.obligations.get(code="T1")
    with time_machine.travel(clock(1), tick=False):
        deadline_extension_grant(
            obligation=t1,
            organisation=world.telecom,
            due_at=datetime.datetime(2030, 1, 1, 17, tzinfo=VN),
            reason="Bão",
            by=world.staff,
        )
    with time_machine.travel(clock(3), tick=False):
        extension = Deadline.objects.get(organisation=world.telecom)
        extension.delete()

    def telecom_overdue(moment) -> bool:
        return any(i.organisation == world.telecom for i in the_report(moment).overdue)

    assert telecom_overdue(clock(0)) is True
    assert telecom_overdue(clock(2)) is False
    assert telecom_overdue(clock(4)) is True


def test_a_duty_roster_counts_only_the_shifts_on_it_at_the_moment(world, t2, clock):
    with time_machine.travel(clock(1), tick=False):
        plan = submit_section(world, world.telecom, world.telecom_officer, "T2")
        accept_section(world, plan, "T2")
    with time_machine.travel(clock(3), tick=False):
        # One shift from the first day of the before-period to the end of
        # the after-period covers every period.
        Shift.objects.create(
            election=world.directive.election,
            organisation=world.telecom,
            person_name="Lê Văn Trực",
            phone="+84912345678",
            starts_at=datetime.datetime(2021, 2, 1, tzinfo=VN),
            ends_at=datetime.datetime(2021, 7, 1, tzinfo=VN),
            created_by=world.telecom_officer,
        )

    def t2_met(moment) -> int:
        telecom = next(g for g in the_report(moment).groups if g.group == "telecom")
        return next(x.met for x in telecom.lines if x.obligation.code == "T2")

    assert t2_met(clock(2)) == 0
    assert t2_met(clock(4)) == 1


def test_what_did_not_exist_yet_is_not_in_the_report(world, clock):
    r = the_report(clock(0) - 24 * HOUR)

    assert [g.organisations for g in r.groups] == [0, 0, 0]
    assert r.overdue == [] and r.coverage == [] and r.difficulties == []


# --- Fixed number of queries -------------------------------------------------------


def grow(world, clock, count: int) -> None:
    """`count` more telecom firms, each with T1 submitted and an
    acknowledged incident, and `count` answered difficulty reports."""
    with time_machine.travel(clock(1), tick=False):
        for n in range(count):
            carrier = OrganisationFactory(kind=OrganisationKind.TELECOM)
            submit_section(world, carrier, world.telecom_officer, "T1")
            incident = report(world, organisation=carrier, title=f"Sự cố {n}")
            incident_acknowledge(incident=incident, by=world.staff)
            difficulty_answer(
                incident=a_difficulty(world, f"Khó khăn {n}"),
                by=world.staff,
                answer="Đã trả lời",
            )


@pytest.mark.parametrize("count", [3, 30])
def test_the_report_costs_the_same_queries_whatever_the_size(
    world, evidence_at_m, clock, count
):
    grow(world, clock, count)
    directive = directive_current(election=election_current())
    assert directive is not None

    with CaptureQueriesContext(connection) as queries:
        r = committee_report(directive=directive, moment=clock(2))

    assert len(r.incidents.unresolved) == count + 1  # and the fibre cut
    assert len(queries.captured_queries) == REPORT_QUERIES
