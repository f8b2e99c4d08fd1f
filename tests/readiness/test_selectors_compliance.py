"""The compliance status of every (organisation, obligation), computed from
the evidence each obligation names (docs/architecture.md, "How obligations
become a status")."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import (
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    Organisation,
    OrganisationKind,
    SubmissionState,
    UnitLevel,
)
from contacts.services.contact_lists import (
    body_save,
    contact_list_accept,
    contact_list_get_or_create,
    contact_list_return,
    contact_list_submit,
)
from incidents.models import Shift
from readiness.models import (
    Deadline,
    EvidenceKind,
    ReadinessPlan,
    RecipientGroup,
    ReviewStatus,
    SectionReview,
)
from readiness.selectors import compliance_matrix
from readiness.selectors.compliance import (
    CHANNEL_NOTE,
    ROSTER_COVERED,
    ROSTER_NOT_COVERED,
)
from readiness.services.deadlines import deadline_extension_grant
from readiness.services.plans import (
    plan_get_or_create,
    plan_section_save,
    plan_submit,
    section_accept,
    section_return,
)
from tests.factories import (
    VN,
    DeadlineFactory,
    DirectiveFactory,
    ObligationFactory,
    UserFactory,
)

# Six weeks before polling day: every world deadline is still ahead.
START = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=VN)
D2_DUE = datetime.datetime(2021, 4, 8, 17, 0, tzinfo=VN)  # E−45 in the world


def at(days: float) -> datetime.datetime:
    return START + datetime.timedelta(days=days)


def cell(world, organisation, code, now=START):
    obligation = world.directive.obligations.get(code=code)
    found = compliance_matrix(directive=world.directive, now=now)
    return found.cell(organisation.pk, obligation.pk)


def state(world, organisation, code, now=START) -> str:
    return cell(world, organisation, code, now).state


# --- Plans and reports ---------------------------------------------------------


def _section(plan: ReadinessPlan, code: str):
    return plan.sections.select_related("plan", "obligation").get(obligation__code=code)


def save(plan, code, measures, *, by, now):
    section = _section(plan, code)
    return plan_section_save(
        section=section,
        revision=section.revision,
        measures=measures,
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=[],
        by=by,
        now=now,
    )


def pending(plan, code) -> SectionReview:
    return SectionReview.objects.get(
        version__plan=plan, obligation__code=code, status=ReviewStatus.SUBMITTED
    )


@pytest.fixture
def telecom_plan(world) -> ReadinessPlan:
    return plan_get_or_create(directive=world.directive, organisation=world.telecom)


def test_a_plan_section_nobody_wrote_is_not_started(world, telecom_plan):
    assert state(world, world.telecom, "T1") == SubmissionState.NOT_STARTED
    assert state(world, world.postal, "P1") == SubmissionState.NOT_STARTED  # no plan


def test_a_saved_plan_section_is_a_draft(world, telecom_plan):
    save(telecom_plan, "T1", "Máy phát dự phòng", by=world.telecom_officer, now=at(1))
    assert state(world, world.telecom, "T1") == SubmissionState.DRAFT


def test_a_submitted_plan_section_is_submitted(world, telecom_plan):
    save(telecom_plan, "T1", "Máy phát dự phòng", by=world.telecom_officer, now=at(1))
    plan_submit(plan=telecom_plan, by=world.telecom_officer, now=at(2))
    assert state(world, world.telecom, "T1") == SubmissionState.SUBMITTED


def test_a_returned_plan_section_is_returned_until_saved_again(world, telecom_plan):
    save(telecom_plan, "T1", "Máy phát dự phòng", by=world.telecom_officer, now=at(1))
    plan_submit(plan=telecom_plan, by=world.telecom_officer, now=at(2))
    section_return(
        review=pending(telecom_plan, "T1"),
        by=world.staff,
        comment="Thiếu số máy",
        now=at(3),
    )
    assert state(world, world.telecom, "T1") == SubmissionState.RETURNED
    save(telecom_plan, "T1", "Bốn máy phát", by=world.telecom_officer, now=at(4))
    assert state(world, world.telecom, "T1") == SubmissionState.DRAFT


def test_an_accepted_plan_section_is_accepted_and_met(world, telecom_plan):
    save(telecom_plan, "T1", "Máy phát dự phòng", by=world.telecom_officer, now=at(1))
    plan_submit(plan=telecom_plan, by=world.telecom_officer, now=at(2))
    section_accept(review=pending(telecom_plan, "T1"), by=world.staff, now=at(3))
    found = cell(world, world.telecom, "T1")
    assert found.state == SubmissionState.ACCEPTED
    assert found.is_met is True


def test_an_accepted_section_stays_accepted_while_a_revision_is_reviewed_or_returned(
    world, telecom_plan
):
    save(telecom_plan, "T1", "Máy phát dự phòng", by=world.telecom_officer, now=at(1))
    plan_submit(plan=telecom_plan, by=world.telecom_officer, now=at(2))
    section_accept(review=pending(telecom_plan, "T1"), by=world.staff, now=at(3))
    save(telecom_plan, "T1", "Thêm hai trạm BTS", by=world.telecom_officer, now=at(4))
    assert state(world, world.telecom, "T1") == SubmissionState.ACCEPTED
    plan_submit(plan=telecom_plan, by=world.telecom_officer, now=at(5))
    assert state(world, world.telecom, "T1") == SubmissionState.ACCEPTED
    section_return(
        review=pending(telecom_plan, "T1"), by=world.staff, comment="Sai", now=at(6)
    )
    assert state(world, world.telecom, "T1") == SubmissionState.ACCEPTED


def test_a_report_is_met_when_the_department_accepts_it(world):
    ObligationFactory(
        directive=world.directive,
        code="D1",
        recipient_group=RecipientGroup.DISTRICT,
        evidence_kind=EvidenceKind.REPORT,
        position=9,
    )
    report = plan_get_or_create(
        directive=world.directive, organisation=world.district_a
    )
    assert state(world, world.district_a, "D1") == SubmissionState.NOT_STARTED
    save(report, "D1", "Đã rà soát trạm", by=world.district_a_officer, now=at(1))
    assert state(world, world.district_a, "D1") == SubmissionState.DRAFT
    plan_submit(plan=report, by=world.district_a_officer, now=at(2))
    assert state(world, world.district_a, "D1") == SubmissionState.SUBMITTED
    section_accept(review=pending(report, "D1"), by=world.staff, now=at(3))
    assert state(world, world.district_a, "D1") == SubmissionState.ACCEPTED
    assert state(world, world.district_b, "D1") == SubmissionState.NOT_STARTED
    assert cell(world, world.telecom, "D1") is None  # not addressed to carriers


# --- Duty rosters (T2) ---------------------------------------------------------


def cover(organisation, *, polling_day_gap: bool = False) -> None:
    """Shifts before, on and after polling day (the world's 23/05/2021),
    with two hours missing on polling day if asked."""
    election = Election.objects.get()
    day = datetime.datetime(2021, 5, 23, tzinfo=VN)
    hours = datetime.timedelta(hours=1)
    spans = [
        (day - 48 * hours, day - 40 * hours),
        (day, day + 12 * hours),
        (day + (14 if polling_day_gap else 12) * hours, day + 24 * hours),
        (day + 48 * hours, day + 56 * hours),
    ]
    Shift.objects.bulk_create(
        Shift(
            election=election,
            organisation=organisation,
            person_name="Lê Văn Trực",
            phone="+84912345678",
            starts_at=start,
            ends_at=end,
            created_by=UserFactory(),
        )
        for start, end in spans
    )


def accept_t2(world) -> None:
    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    save(plan, "T2", "Lịch trực 24/7", by=world.telecom_officer, now=at(1))
    plan_submit(plan=plan, by=world.telecom_officer, now=at(2))
    section_accept(review=pending(plan, "T2"), by=world.staff, now=at(3))


def test_t2_with_its_section_accepted_but_no_roster_is_not_met(world, t2):
    accept_t2(world)
    found = cell(world, world.telecom, "T2")
    assert (found.state, found.roster_covered, found.is_met) == (
        SubmissionState.ACCEPTED,
        False,
        False,
    )
    assert found.note == str(ROSTER_NOT_COVERED)
    assert cell(world, world.telecom, "T2", now=at(31)).overdue is True


def test_t2_is_met_once_the_section_is_accepted_and_the_roster_covers(world, t2):
    cover(world.telecom)
    assert cell(world, world.telecom, "T2").is_met is False  # section not accepted
    accept_t2(world)
    found = cell(world, world.telecom, "T2", now=at(31))
    assert (found.is_met, found.overdue) == (True, False)
    assert found.note == str(ROSTER_COVERED)


def test_a_gap_on_polling_day_leaves_t2_unmet(world, t2):
    cover(world.telecom, polling_day_gap=True)
    accept_t2(world)
    found = cell(world, world.telecom, "T2")
    assert (found.roster_covered, found.is_met) == (False, False)


def test_other_obligations_do_not_look_at_rosters(world, t2):
    found = cell(world, world.telecom, "T1")
    assert found.roster_covered is None


# --- Contact lists (D2) --------------------------------------------------------


def communes(organisation):
    return list(
        organisation.unit.children.filter(level=UnitLevel.COMMUNE).order_by("code")
    )


def add_team(contact_list: ContactList, commune, n: int, now) -> ElectionBody:
    return body_save(
        contact_list=contact_list,
        body=ElectionBody(kind=BodyKind.TEAM, unit=commune, name=f"Tổ bầu cử số {n}"),
        contacts=[
            Contact(
                full_name=f"Nguyễn Văn {n}",
                position="chair",
                phones=f"+8491234{n:04d}",
            )
        ],
        removed_contacts=[],
        now=now,
    )


@pytest.fixture
def list_a(world) -> ContactList:
    return contact_list_get_or_create(
        election=Election.objects.get(), organisation=world.district_a
    )


def submit(world, contact_list, now) -> ContactListVersion:
    return contact_list_submit(
        contact_list=contact_list, by=world.district_a_officer, now=now
    )


def test_a_district_without_a_contact_list_has_not_started(world):
    assert state(world, world.district_a, "D2") == SubmissionState.NOT_STARTED


def test_a_contact_list_being_edited_is_a_draft(world, list_a):
    add_team(list_a, communes(world.district_a)[0], 1, at(1))
    assert state(world, world.district_a, "D2") == SubmissionState.DRAFT


def test_a_submitted_contact_list_is_submitted(world, list_a):
    add_team(list_a, communes(world.district_a)[0], 1, at(1))
    submit(world, list_a, at(2))
    assert state(world, world.district_a, "D2") == SubmissionState.SUBMITTED


def test_an_accepted_contact_list_covering_every_commune_is_met(world, list_a):
    for n, commune in enumerate(communes(world.district_a), start=1):
        add_team(list_a, commune, n, at(1))
    version = submit(world, list_a, at(2))
    contact_list_accept(version=version, by=world.staff, now=at(3))
    found = cell(world, world.district_a, "D2")
    assert found.state == SubmissionState.ACCEPTED
    assert found.is_met is True
    assert state(world, world.district_b, "D2") == SubmissionState.NOT_STARTED


def test_an_incomplete_list_accepted_with_a_reason_is_met(world, list_a):
    add_team(list_a, communes(world.district_a)[0], 1, at(1))
    version = submit(world, list_a, at(2))
    assert version.communes_covered < version.communes_total
    contact_list_accept(
        version=version, by=world.staff, reason="Xã sáp nhập", now=at(3)
    )
    assert state(world, world.district_a, "D2") == SubmissionState.ACCEPTED


def test_the_accepted_list_stays_in_force_while_a_new_submission_is_returned(
    world, list_a
):
    first, second = communes(world.district_a)
    add_team(list_a, first, 1, at(1))
    add_team(list_a, second, 2, at(1))
    contact_list_accept(version=submit(world, list_a, at(2)), by=world.staff, now=at(3))
    add_team(list_a, second, 3, at(4))
    newer = submit(world, list_a, at(5))
    contact_list_return(version=newer, by=world.staff, comment="Sai số", now=at(6))
    assert state(world, world.district_a, "D2") == SubmissionState.ACCEPTED


def test_a_returned_contact_list_is_returned(world, list_a):
    add_team(list_a, communes(world.district_a)[0], 1, at(1))
    version = submit(world, list_a, at(2))
    contact_list_return(version=version, by=world.staff, comment="Thiếu xã", now=at(3))
    assert state(world, world.district_a, "D2") == SubmissionState.RETURNED


# --- The reporting channel -----------------------------------------------------


def test_the_channel_is_always_met_and_never_overdue(world):
    channel = world.directive.obligations.get(code="ALL")
    DeadlineFactory(obligation=channel, due_at=at(1))
    for organisation in (world.district_a, world.telecom, world.postal):
        found = cell(world, organisation, "ALL", now=at(100))
        assert (found.state, found.is_met, found.overdue) == ("channel", True, False)
        assert found.note == str(CHANNEL_NOTE)


# --- Overdue -------------------------------------------------------------------


def test_an_obligation_is_overdue_once_its_deadline_passes_unmet(world):
    before = D2_DUE - datetime.timedelta(minutes=1)
    assert cell(world, world.district_a, "D2", now=before).overdue is False
    found = cell(world, world.district_a, "D2", now=D2_DUE)
    assert (found.overdue, found.due_at) == (True, D2_DUE)


def test_a_submitted_but_unaccepted_obligation_is_still_overdue(world, list_a):
    add_team(list_a, communes(world.district_a)[0], 1, at(1))
    submit(world, list_a, at(2))
    found = cell(world, world.district_a, "D2", now=D2_DUE + datetime.timedelta(1))
    assert (found.state, found.overdue) == (SubmissionState.SUBMITTED, True)


def test_an_accepted_obligation_is_not_overdue(world, list_a):
    for n, commune in enumerate(communes(world.district_a), start=1):
        add_team(list_a, commune, n, at(1))
    contact_list_accept(version=submit(world, list_a, at(2)), by=world.staff, now=at(3))
    late = D2_DUE + datetime.timedelta(days=10)
    assert cell(world, world.district_a, "D2", now=late).overdue is False
    assert cell(world, world.district_b, "D2", now=late).overdue is True


def test_an_extension_moves_the_deadline_for_that_organisation_only(world):
    d2 = world.directive.obligations.get(code="D2")
    extended = datetime.datetime(2021, 4, 15, 17, 0, tzinfo=VN)
    deadline_extension_grant(
        obligation=d2,
        organisation=world.district_a,
        due_at=extended,
        reason="Lũ cắt đường",
        by=world.staff,
    )
    now = datetime.datetime(2021, 4, 10, 9, 0, tzinfo=VN)
    a = cell(world, world.district_a, "D2", now=now)
    b = cell(world, world.district_b, "D2", now=now)
    assert (a.due_at, a.is_extension, a.overdue) == (extended, True, False)
    assert (b.due_at, b.is_extension, b.overdue) == (D2_DUE, False, True)
    assert Deadline.objects.get(obligation=d2, organisation=None).due_at == D2_DUE


# --- A fixed number of queries -------------------------------------------------


def _carriers(start: int, count: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(
            code=f"carrier-{n}",
            kind=OrganisationKind.TELECOM,
            name=f"Doanh nghiệp {n}",
        )
        for n in range(start, start + count)
    )


def test_the_matrix_costs_the_same_queries_for_1000_organisations_as_for_10(
    db, django_assert_num_queries
):
    directive = DirectiveFactory()
    for position in range(10):
        obligation = ObligationFactory(
            directive=directive,
            recipient_group=RecipientGroup.TELECOM,
            evidence_kind=EvidenceKind.PLAN_SECTION,
            position=position,
        )
        DeadlineFactory(obligation=obligation)
    _carriers(0, 10)
    officer = UserFactory()
    first = Organisation.objects.get(code="carrier-0")
    plan = plan_get_or_create(directive=directive, organisation=first)
    section = plan.sections.select_related("plan", "obligation").first()
    assert section is not None
    plan_section_save(
        section=section,
        revision=0,
        measures="Trực 24/7",
        responsible_name="",
        responsible_phone="",
        resources=[],
        by=officer,
        now=START,
    )
    plan_submit(plan=plan, by=officer, now=at(1))

    with CaptureQueriesContext(connection) as small:
        rows = list(compliance_matrix(directive=directive, now=at(2)).rows())
    assert len(rows) == 10
    assert all(len(cells) == 10 and None not in cells for _org, cells in rows)

    _carriers(10, 990)
    with django_assert_num_queries(len(small.captured_queries)):
        rows = list(compliance_matrix(directive=directive, now=at(2)).rows())
    assert len(rows) == 1000
    assert all(len(cells) == 10 and None not in cells for _org, cells in rows)
    states = {c.state for _org, cells in rows for c in cells}
    assert states == {SubmissionState.NOT_STARTED, SubmissionState.SUBMITTED}


def test_the_matrix_with_t2_costs_the_same_queries_for_500_carriers_as_for_10(
    world, t2, django_assert_num_queries
):
    _carriers(0, 8)
    for organisation in Organisation.objects.filter(code__startswith="carrier-")[:4]:
        cover(organisation)
    with CaptureQueriesContext(connection) as small:
        matrix = compliance_matrix(directive=world.directive, now=START)
    assert len([c for c in matrix.cells.values() if c.roster_covered]) == 4

    _carriers(8, 492)
    for organisation in Organisation.objects.filter(code__startswith="carrier-")[8:100]:
        cover(organisation, polling_day_gap=True)
    with django_assert_num_queries(len(small.captured_queries)):
        matrix = compliance_matrix(directive=world.directive, now=START)
    roster_cells = [c for c in matrix.cells.values() if c.obligation == t2]
    assert len(roster_cells) == 501  # 500 carriers and the world's telecom
    assert len([c for c in roster_cells if c.roster_covered]) == 4
