"""Notices of plans, district reports and deadlines
(readiness.services.notices): one in the inbox of each person told, none
for other organisations."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Channel, MembershipRole, OutboundMessage
from contacts.selectors.inbox import inbox_messages
from readiness.models import Deadline, SectionReview
from readiness.services.deadlines import (
    deadline_extension_grant,
    deadline_extension_revoke,
    deadline_set,
)
from readiness.services.plans import plan_submit, section_accept, section_return
from tests.factories import VN, MembershipFactory
from tests.readiness.conftest import fill

NOW = datetime.datetime(2021, 4, 2, 9, 0, tzinfo=VN)
COMMENT = "Chưa nêu số máy phát điện dự phòng."


def told(**filters) -> list[tuple[str, str]]:
    """(username, kind) of each in-app notice."""
    return sorted(
        OutboundMessage.objects.filter(channel=Channel.APP, **filters).values_list(
            "recipient__username", "kind"
        )
    )


def review_of(version, code: str) -> SectionReview:
    return version.reviews.select_related("version__plan", "obligation").get(
        obligation__code=code
    )


# --- Plans and district reports ---------------------------------------------------


def test_a_submitted_plan_tells_the_department_s_reviewers_what_to_review(
    plan_world, telecom_plan
):
    fill(telecom_plan, "T1", plan_world.telecom_officer)
    fill(telecom_plan, "T3", plan_world.telecom_officer)
    version = plan_submit(plan=telecom_plan, by=plan_world.telecom_officer, now=NOW)
    assert told() == [("staff", "plan-submitted")]
    (notice,) = inbox_messages(user=plan_world.staff)
    assert "T1" in notice.body and "T3" in notice.body
    assert notice.link.endswith(f"/plans/{telecom_plan.pk}/?version={version.number}")


def test_a_plan_resubmitted_unchanged_asks_nobody_for_a_review(plan_world, postal_plan):
    fill(postal_plan, "P1", plan_world.postal_officer)
    first = plan_submit(plan=postal_plan, by=plan_world.postal_officer, now=NOW)
    section_accept(review=review_of(first, "P1"), by=plan_world.staff, now=NOW)
    with pytest.raises(ValidationError):  # nothing changed: no new version
        plan_submit(plan=postal_plan, by=plan_world.postal_officer, now=NOW)
    assert told(kind="plan-submitted") == [("staff", "plan-submitted")]


def test_a_returned_section_tells_every_member_and_quotes_the_comment(
    plan_world, telecom_plan
):
    colleague = MembershipFactory(
        organisation=plan_world.telecom, role=MembershipRole.VIEWER
    ).user
    fill(telecom_plan, "T1", plan_world.telecom_officer)
    version = plan_submit(plan=telecom_plan, by=plan_world.telecom_officer, now=NOW)
    section_return(
        review=review_of(version, "T1"), by=plan_world.staff, comment=COMMENT, now=NOW
    )
    assert told(kind="plan-returned") == sorted(
        [(colleague.username, "plan-returned"), ("telecom", "plan-returned")]
    )
    (notice,) = inbox_messages(user=plan_world.telecom_officer)
    assert f"“{COMMENT}”" in notice.body
    assert notice.link.endswith("#section-T1")
    for other in (plan_world.postal_officer, plan_world.district_a_officer):
        assert not inbox_messages(user=other).exists()


def test_a_district_report_returned_then_accepted_tells_the_district(
    plan_world, district_a_report
):
    officer = plan_world.district_a_officer
    fill(district_a_report, "D1", officer)
    first = plan_submit(plan=district_a_report, by=officer, now=NOW)
    assert told() == [("staff", "plan-submitted")]
    section_return(
        review=review_of(first, "D1"), by=plan_world.staff, comment=COMMENT, now=NOW
    )
    fill(district_a_report, "D1", officer, measures="Đã bổ sung máy phát")
    second = plan_submit(plan=district_a_report, by=officer, now=NOW)
    section_accept(review=review_of(second, "D1"), by=plan_world.staff, now=NOW)
    assert [m.kind for m in inbox_messages(user=officer)] == [
        "plan-accepted",
        "plan-returned",
    ]
    assert told(kind="plan-submitted") == [("staff", "plan-submitted")] * 2
    assert not inbox_messages(user=plan_world.district_b_officer).exists()


def test_a_district_report_notice_speaks_of_the_report_in_english(
    plan_world, district_a_report
):
    officer = plan_world.district_a_officer
    officer.language = "en"
    officer.save()
    fill(district_a_report, "D1", officer)
    version = plan_submit(plan=district_a_report, by=officer, now=NOW)
    section_return(
        review=review_of(version, "D1"), by=plan_world.staff, comment=COMMENT, now=NOW
    )
    (notice,) = inbox_messages(user=officer)
    assert notice.subject == "Your report D1 was returned (version 1)"


# --- Deadlines ----------------------------------------------------------------------


def d2_default(world) -> Deadline:
    return Deadline.objects.get(obligation__code="D2", organisation=None)


def test_a_deadline_moved_tells_each_district_with_the_old_and_new_date(world):
    deadline = d2_default(world)
    deadline_set(
        obligation=deadline.obligation,
        due_at=datetime.datetime(2021, 4, 15, 17, tzinfo=VN),
        reason="Theo đề nghị của các huyện",
        by=world.staff,
    )
    assert told() == [
        ("district-a", "deadline-moved"),
        ("district-b", "deadline-moved"),
    ]
    (notice,) = inbox_messages(user=world.district_a_officer)
    # Vietnamese dates: the old one (8 April) and the new one.
    assert "17:00 08/04/2021" in notice.body
    assert "17:00 15/04/2021" in notice.body
    assert "Theo đề nghị của các huyện" in notice.body
    for other in (world.telecom_officer, world.postal_officer, world.staff):
        assert not inbox_messages(user=other).exists()


def test_an_extension_tells_only_its_organisation(world):
    deadline = d2_default(world)
    deadline_extension_grant(
        obligation=deadline.obligation,
        organisation=world.district_b,
        due_at=datetime.datetime(2021, 4, 20, 17, tzinfo=VN),
        reason="Lũ cắt đường",
        by=world.staff,
    )
    assert told() == [("district-b", "deadline-extended")]
    (notice,) = inbox_messages(user=world.district_b_officer)
    assert "17:00 08/04/2021" in notice.body and "17:00 20/04/2021" in notice.body


def test_a_move_leaves_out_a_district_whose_extension_still_ends_later(world):
    deadline = d2_default(world)
    deadline_extension_grant(
        obligation=deadline.obligation,
        organisation=world.district_b,
        due_at=datetime.datetime(2021, 4, 20, 17, tzinfo=VN),
        reason="Lũ cắt đường",
        by=world.staff,
    )
    deadline_set(
        obligation=deadline.obligation,
        due_at=datetime.datetime(2021, 4, 12, 17, tzinfo=VN),
        reason="Lùi hạn chung",
        by=world.staff,
    )
    assert told(kind="deadline-moved") == [("district-a", "deadline-moved")]


def test_a_revoked_extension_tells_its_organisation_the_date_it_is_due_again(world):
    deadline = d2_default(world)
    extension = deadline_extension_grant(
        obligation=deadline.obligation,
        organisation=world.district_b,
        due_at=datetime.datetime(2021, 4, 20, 17, tzinfo=VN),
        reason="Lũ cắt đường",
        by=world.staff,
    )
    deadline_extension_revoke(
        extension=extension, reason="Đã thông đường", by=world.staff
    )
    assert told(kind="deadline-revoked") == [("district-b", "deadline-revoked")]
    notice = inbox_messages(user=world.district_b_officer).first()
    assert notice is not None and "17:00 08/04/2021" in notice.subject


def test_a_deadline_moved_twice_is_told_twice_and_back_again_too(world):
    deadline = d2_default(world)
    for day in (15, 8, 15):
        deadline_set(
            obligation=deadline.obligation,
            due_at=datetime.datetime(2021, 4, day, 17, tzinfo=VN),
            reason="Điều chỉnh",
            by=world.staff,
        )
    assert inbox_messages(user=world.district_a_officer).count() == 3


def test_a_deadline_set_to_the_same_date_tells_nobody(world):
    deadline = d2_default(world)
    deadline_set(
        obligation=deadline.obligation,
        due_at=deadline.due_at,
        reason="Giữ nguyên",
        by=world.staff,
    )
    assert told() == []
