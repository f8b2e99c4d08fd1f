"""Filing a plan, submitting it, and the review of each section."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from readiness.models import (
    EvidenceKind,
    PlanEvent,
    PlanSection,
    RecipientGroup,
    ReviewStatus,
    SectionReview,
)
from readiness.services.plans import (
    ResourceLine,
    plan_get_or_create,
    plan_section_save,
    plan_submit,
    section_accept,
    section_return,
)
from tests.factories import ObligationFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def telecom_plan(world):
    ObligationFactory(
        directive=world.directive,
        code="T3",
        recipient_group=RecipientGroup.TELECOM,
        evidence_kind=EvidenceKind.PLAN_SECTION,
        position=10,
    )
    return plan_get_or_create(directive=world.directive, organisation=world.telecom)


def section(plan, code) -> PlanSection:
    return plan.sections.select_related("plan", "obligation").get(obligation__code=code)


def save(world, plan, code, measures, **kw):
    s = section(plan, code)
    return plan_section_save(
        section=s,
        revision=s.revision,
        measures=measures,
        responsible_name=kw.get("name", "Lê Văn Trực"),
        responsible_phone="+84912345678",
        resources=kw.get("resources", []),
        by=world.telecom_officer,
    )


def test_a_plan_has_one_section_per_obligation_of_the_group(world, telecom_plan):
    codes = list(telecom_plan.sections.values_list("obligation__code", flat=True))
    assert sorted(codes) == ["T1", "T3"]  # not ALL (a channel), not D2 or P1
    again = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    assert again == telecom_plan and again.sections.count() == 2


def test_saving_a_section_records_resources_history_and_an_event(world, telecom_plan):
    lines = [ResourceLine("generator", 4, "Trạm BTS Hàm Rồng", world.district_a.unit)]
    saved = save(
        world, telecom_plan, "T1", "Bố trí máy phát điện dự phòng", resources=lines
    )
    assert (saved.revision, saved.measures) == (1, "Bố trí máy phát điện dự phòng")
    assert saved.resources.get().quantity == 4
    assert saved.history.latest().history_user == world.telecom_officer
    assert PlanEvent.objects.filter(plan=telecom_plan, kind="saved").count() == 1


def test_a_save_from_an_old_revision_is_refused_and_keeps_the_first(
    world, telecom_plan
):
    stale = section(telecom_plan, "T1")
    save(world, telecom_plan, "T1", "Bản của người thứ nhất")
    with pytest.raises(ValidationError) as exc:
        plan_section_save(
            section=stale,
            revision=stale.revision,
            measures="Bản của người thứ hai",
            responsible_name="",
            responsible_phone="",
            resources=[],
            by=world.telecom_officer,
        )
    assert exc.value.code == "conflict"
    assert section(telecom_plan, "T1").measures == "Bản của người thứ nhất"


def test_only_sections_with_measures_are_submitted(world, telecom_plan):
    save(world, telecom_plan, "T1", "Phương án T1")
    version = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    assert list(version.content) == ["T1"]
    assert version.content["T1"]["responsible_phone"] == "+84912345678"
    assert [r.status for r in version.reviews.all()] == [ReviewStatus.SUBMITTED]


def test_an_empty_plan_cannot_be_submitted(world, telecom_plan):
    with pytest.raises(ValidationError, match="at least one section"):
        plan_submit(plan=telecom_plan, by=world.telecom_officer)


def test_return_needs_a_comment_and_resubmission_carries_accepted_sections(
    world, telecom_plan
):
    save(world, telecom_plan, "T1", "Phương án T1")
    save(world, telecom_plan, "T3", "Phương án T3")
    v1 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    t1, t3 = (v1.reviews.get(obligation__code=c) for c in ("T1", "T3"))
    with pytest.raises(ValidationError):
        section_return(review=t3, by=world.staff, comment=" ")
    section_return(review=t3, by=world.staff, comment="Thiếu số trạm di động")
    section_accept(review=t1, by=world.staff)
    save(world, telecom_plan, "T3", "Phương án T3, bổ sung 2 trạm di động")
    v2 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    reviews = {r.obligation.code: r for r in v2.reviews.select_related("obligation")}
    assert (reviews["T1"].status, reviews["T1"].carried_over) == (
        ReviewStatus.ACCEPTED,
        True,
    )
    assert reviews["T3"].status == ReviewStatus.SUBMITTED
    kinds = list(
        PlanEvent.objects.filter(plan=telecom_plan).values_list("kind", flat=True)
    )
    assert kinds.count("submitted") == 2 and "returned" in kinds and "accepted" in kinds


def test_a_decided_section_cannot_be_decided_again(world, telecom_plan):
    save(world, telecom_plan, "T1", "Phương án T1")
    review = plan_submit(plan=telecom_plan, by=world.telecom_officer).reviews.get()
    section_accept(review=review, by=world.staff)
    with pytest.raises(ValidationError, match="no longer awaiting review"):
        section_return(review=review, by=world.staff, comment="Muộn")


def test_a_new_submission_supersedes_pending_reviews(world, telecom_plan):
    save(world, telecom_plan, "T1", "Bản 1")
    v1 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    save(world, telecom_plan, "T1", "Bản 2")
    plan_submit(plan=telecom_plan, by=world.telecom_officer)
    assert v1.reviews.get().status == ReviewStatus.SUPERSEDED
    assert SectionReview.objects.filter(status=ReviewStatus.SUBMITTED).count() == 1


# --- Submitted once per change ------------------------------------------------------


def test_a_plan_submitted_again_unchanged_is_refused_and_makes_no_version(
    world, telecom_plan
):
    """Pressing "submit" twice: the second makes no version, and the first
    still awaits review (not superseded by a copy of itself)."""
    save(world, telecom_plan, "T1", "Phương án T1")
    v1 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    with pytest.raises(ValidationError) as refused:
        plan_submit(plan=telecom_plan, by=world.telecom_officer)
    assert refused.value.messages == [
        "No changes since the version already submitted (version 1), so no new "
        "version was sent."
    ]
    assert list(telecom_plan.versions.values_list("number", flat=True)) == [1]
    assert v1.reviews.get().status == ReviewStatus.SUBMITTED
    assert PlanEvent.objects.filter(plan=telecom_plan, kind="submitted").count() == 1


def test_a_change_saved_back_to_what_was_submitted_is_no_change(world, telecom_plan):
    save(world, telecom_plan, "T1", "Phương án T1")
    plan_submit(plan=telecom_plan, by=world.telecom_officer)
    save(world, telecom_plan, "T1", "Phương án T1, sửa")
    save(world, telecom_plan, "T1", "Phương án T1")
    with pytest.raises(ValidationError, match="version 1"):
        plan_submit(plan=telecom_plan, by=world.telecom_officer)


def test_a_returned_plan_must_be_changed_before_it_is_submitted_again(
    world, telecom_plan
):
    save(world, telecom_plan, "T1", "Phương án T1")
    v1 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    section_return(review=v1.reviews.get(), by=world.staff, comment="Thiếu máy phát")
    with pytest.raises(ValidationError) as refused:
        plan_submit(plan=telecom_plan, by=world.telecom_officer)
    assert refused.value.messages == [
        "No changes since the version already submitted (version 1), which the "
        "Department returned: make the changes it asked for, then submit again."
    ]
    save(world, telecom_plan, "T1", "Phương án T1, thêm 2 máy phát")
    v2 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    assert (v2.number, v2.reviews.get().status) == (2, ReviewStatus.SUBMITTED)


def test_an_accepted_plan_is_not_submitted_again_unchanged(world, telecom_plan):
    save(world, telecom_plan, "T1", "Phương án T1")
    v1 = plan_submit(plan=telecom_plan, by=world.telecom_officer)
    section_accept(review=v1.reviews.get(), by=world.staff)
    with pytest.raises(ValidationError, match="version 1"):
        plan_submit(plan=telecom_plan, by=world.telecom_officer)
    save(world, telecom_plan, "T3", "Phương án T3")  # a section added
    assert plan_submit(plan=telecom_plan, by=world.telecom_officer).number == 2


def test_a_district_report_is_submitted_once_per_change(world):
    """D1, the district's report, is filed as a plan of one section."""
    ObligationFactory(
        directive=world.directive,
        code="D1",
        recipient_group=RecipientGroup.DISTRICT,
        evidence_kind=EvidenceKind.REPORT,
        position=11,
    )
    report = plan_get_or_create(
        directive=world.directive, organisation=world.district_a
    )
    s = report.sections.select_related("plan", "obligation").get()
    plan_section_save(
        section=s,
        revision=s.revision,
        measures="Đã kiểm tra 12 điểm bỏ phiếu",
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=[],
        by=world.district_a_officer,
    )
    plan_submit(plan=report, by=world.district_a_officer)
    with pytest.raises(ValidationError, match="No changes since"):
        plan_submit(plan=report, by=world.district_a_officer)
    assert report.versions.count() == 1
