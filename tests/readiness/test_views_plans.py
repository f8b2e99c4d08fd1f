"""The plan pages (P1, T1, T3, D1), for each role: owner, read-only,
outsider, anonymous and bad id; the whole filing and review workflow; two
people editing at once; attachments; and the detail page's query count."""

import datetime
import re
import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contacts.attachments import MAX_ATTACHMENT_BYTES
from contacts.models import MembershipRole
from readiness.models import (
    PlanAttachment,
    PlanEvent,
    PlanResource,
    PlanVersion,
    ReviewStatus,
    SectionReview,
)
from readiness.services.plans import (
    EDIT_CONFLICT,
    NOTHING_TO_SUBMIT,
    RETURN_NEEDS_COMMENT,
    ResourceLine,
    attachment_add,
    plan_get_or_create,
    plan_submit,
    section_accept,
    section_return,
)
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    UserFactory,
)
from tests.readiness.conftest import add_obligation, english, fill, section_of

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def url(name, *args, **params):
    u = reverse(f"readiness:{name}", args=args)
    return u + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def login(client, user):
    client.force_login(user)
    return english(client)


def en(text) -> str:
    with translation.override("en"):
        return str(text)


def body_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def section_post(
    revision, measures, *, name="Lê Văn Trực", phone="0912 345 678", resources=()
):
    data = {
        "revision": revision,
        "measures": measures,
        "responsible_name": name,
        "responsible_phone": phone,
        "resources-TOTAL_FORMS": len(resources) + 2,
        "resources-INITIAL_FORMS": 0,
        "resources-MIN_NUM_FORMS": 0,
        "resources-MAX_NUM_FORMS": 1000,
    }
    for i, r in enumerate(resources):
        for key, value in r.items():
            data[f"resources-{i}-{key}"] = value
    return data


def pdf(name="Kế hoạch T1.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def raw_upload(client, section, filename: str, content: bytes):
    """A multipart POST with the file name exactly as given (the test client
    and SimpleUploadedFile would strip a path themselves)."""
    boundary = "PlanTestBoundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        url("attachment_upload", section.pk),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def review_of(version, code) -> SectionReview:
    return SectionReview.objects.select_related("version", "obligation").get(
        version=version, obligation__code=code
    )


@pytest.fixture
def v1(world, telecom_plan) -> PlanVersion:
    """Version 1 of the telecom plan, with T1 and T3 awaiting review."""
    fill(telecom_plan, "T1", world.telecom_officer, "Máy phát điện tại trạm Hàm Rồng")
    fill(telecom_plan, "T3", world.telecom_officer, "Ứng cứu thông tin 24/7")
    return plan_submit(plan=telecom_plan, by=world.telecom_officer)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- index --------------------------------------------------------------------


def test_a_carrier_is_sent_to_its_own_plan(client, plan_world):
    login(client, plan_world.telecom_officer)
    r = client.get(url("plan_index"))
    assert r.status_code == 302
    plan = plan_world.telecom.readiness_plans.get()
    assert r["Location"] == url("plan_detail", plan.pk)
    assert sorted(plan.sections.values_list("obligation__code", flat=True)) == [
        "T1",
        "T3",
    ]
    assert client.get(r["Location"]).status_code == 200


def test_a_district_is_sent_to_its_d1_report(client, plan_world):
    login(client, plan_world.district_a_officer)
    r = client.get(url("plan_index"))
    plan = plan_world.district_a.readiness_plans.get()
    assert r["Location"] == url("plan_detail", plan.pk)
    assert list(plan.sections.values_list("obligation__code", flat=True)) == ["D1"]


@pytest.mark.parametrize("user", ["staff", "staff_viewer", "observer"])
def test_the_department_and_observers_go_to_the_matrix(client, plan_world, user):
    login(client, getattr(plan_world, user))
    assert client.get(url("plan_index"))["Location"] == reverse("readiness:matrix")


def test_index_is_404_without_membership_or_anything_to_file(client, world):
    login(client, UserFactory(username="nobody"))
    assert client.get(url("plan_index")).status_code == 404
    # Without D1 in the directive a district has no report to file.
    login(client, world.district_a_officer)
    assert client.get(url("plan_index")).status_code == 404


def test_index_is_404_without_a_directive(client, world):
    world.directive.obligations.all().delete()
    world.directive.delete()
    login(client, world.telecom_officer)
    assert client.get(url("plan_index")).status_code == 404


# --- detail -------------------------------------------------------------------


def test_the_owner_sees_its_draft_with_edit_links_and_submit(
    client, world, telecom_plan
):
    fill(
        telecom_plan,
        "T1",
        world.telecom_officer,
        "Bố trí máy phát điện",
        resources=[
            ResourceLine("generator", 4, "Trạm Hàm Rồng", world.district_a.unit)
        ],
    )
    login(client, world.telecom_officer)
    r = client.get(url("plan_detail", telecom_plan.pk))
    body = body_of(r)
    assert r.status_code == 200
    assert 'id="section-T1"' in body and 'id="section-T3"' in body
    assert "Bố trí máy phát điện" in body
    assert "Trạm Hàm Rồng" in body and world.district_a.unit.name in body
    assert 'href="tel:+84912345678"' in body and "0912 345 678" in body
    assert url("section_edit", section_of(telecom_plan, "T1").pk) in body
    assert url("plan_submit", telecom_plan.pk) in body
    assert "Showing the draft" in body


@pytest.mark.parametrize(
    "plan_fixture, user",
    [
        ("district_a_report", "district_b_officer"),
        ("telecom_plan", "postal_officer"),
        ("postal_plan", "telecom_officer"),
        ("telecom_plan", "district_a_officer"),
    ],
)
def test_outsiders_get_404_on_every_page(client, world, request, plan_fixture, user):
    plan = request.getfixturevalue(plan_fixture)
    code = plan.sections.first().obligation.code
    fill(plan, code, plan.organisation.memberships.first().user)
    version = plan_submit(plan=plan, by=plan.organisation.memberships.first().user)
    section = section_of(plan, code)
    review = review_of(version, code)
    login(client, getattr(world, user))
    assert client.get(url("plan_detail", plan.pk)).status_code == 404
    assert client.get(url("plan_detail", plan.pk, version=1)).status_code == 404
    assert client.get(url("plan_changes", plan.pk, to=1)).status_code == 404
    assert client.get(url("section_edit", section.pk)).status_code == 404
    assert client.post(url("plan_submit", plan.pk)).status_code == 404
    assert (
        client.post(url("attachment_upload", section.pk), {"file": pdf()}).status_code
        == 404
    )
    assert client.post(url("review_accept", review.pk)).status_code == 404
    assert (
        client.post(url("review_return", review.pk), {"comment": "x"}).status_code
        == 404
    )
    assert PlanAttachment.objects.count() == 0
    assert review_of(version, code).status == ReviewStatus.SUBMITTED


def test_others_see_the_latest_version_never_the_draft(client, world, telecom_plan, v1):
    fill(telecom_plan, "T1", world.telecom_officer, "Chưa gửi: bản nháp mới")
    login(client, world.staff)
    body = body_of(client.get(url("plan_detail", telecom_plan.pk)))
    assert "Máy phát điện tại trạm Hàm Rồng" in body
    assert "Chưa gửi" not in body
    assert "Showing version 1" in body
    assert (
        client.get(url("plan_detail", telecom_plan.pk, version="draft")).status_code
        == 404
    )


def test_before_any_submission_others_see_nothing_of_the_draft(
    client, world, telecom_plan
):
    fill(telecom_plan, "T1", world.telecom_officer, "Nháp riêng của nhà mạng")
    login(client, world.observer)
    r = client.get(url("plan_detail", telecom_plan.pk))
    assert r.status_code == 200
    assert "Nháp riêng" not in body_of(r)
    assert "Nothing has been submitted yet." in body_of(r)


@pytest.mark.parametrize("user", ["observer", "staff_viewer"])
def test_read_only_users_see_the_plan_without_edit_or_review_forms(
    client, world, telecom_plan, v1, user
):
    login(client, getattr(world, user))
    body = body_of(client.get(url("plan_detail", telecom_plan.pk)))
    assert "Máy phát điện tại trạm Hàm Rồng" in body
    assert url("review_accept", review_of(v1, "T1").pk) not in body
    assert url("plan_submit", telecom_plan.pk) not in body
    assert "/edit/" not in body


def test_a_department_editor_gets_accept_and_return_forms_per_section(
    client, world, telecom_plan, v1
):
    login(client, world.staff)
    body = body_of(client.get(url("plan_detail", telecom_plan.pk)))
    for code in ("T1", "T3"):
        review = review_of(v1, code)
        assert url("review_accept", review.pk) in body
        assert url("review_return", review.pk) in body
        assert f'id="id_return_{code}_comment"' in body
    assert url("plan_submit", telecom_plan.pk) not in body


def test_the_owner_cannot_review_and_has_no_review_forms(
    client, world, telecom_plan, v1
):
    login(client, world.telecom_officer)
    body = body_of(client.get(url("plan_detail", telecom_plan.pk, version=1)))
    assert url("review_accept", review_of(v1, "T1").pk) not in body


def test_a_missing_plan_or_version_is_404(client, world, telecom_plan, v1):
    login(client, world.staff)
    assert client.get(url("plan_detail", 987654)).status_code == 404
    assert client.get(url("plan_detail", telecom_plan.pk, version=9)).status_code == 404
    assert (
        client.get(url("plan_detail", telecom_plan.pk, version="abc")).status_code
        == 404
    )


def test_anonymous_is_sent_to_login_everywhere(client, world, telecom_plan, v1):
    section = section_of(telecom_plan, "T1")
    review = review_of(v1, "T1")
    attachment = attachment_add(
        section=section, filename="a.pdf", content=PDF_BYTES, by=world.telecom_officer
    )
    for get in (
        url("plan_index"),
        url("plan_detail", telecom_plan.pk),
        url("plan_changes", telecom_plan.pk),
        url("section_edit", section.pk),
        url("attachment_download", attachment.pk),
    ):
        assert_login_redirect(client.get(get))
    for post in (
        url("plan_submit", telecom_plan.pk),
        url("attachment_upload", section.pk),
        url("attachment_remove", attachment.pk),
        url("review_accept", review.pk),
        url("review_return", review.pk),
    ):
        assert_login_redirect(client.post(post))


# --- section_edit ---------------------------------------------------------------


def test_the_owner_saves_a_section_with_resources(client, world, telecom_plan):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    r = client.get(url("section_edit", section.pk))
    assert r.status_code == 200
    assert 'name="revision"' in body_of(r)
    data = section_post(
        0,
        "Bố trí 4 máy phát điện",
        resources=[
            {
                "kind": "generator",
                "quantity": 4,
                "location": "Trạm Hàm Rồng",
                "district": world.district_a.unit.pk,
            },
            {"kind": "vehicle", "quantity": 2, "location": "", "district": ""},
        ],
    )
    r = client.post(url("section_edit", section.pk), data)
    assert r.status_code == 302
    assert r["Location"] == url("plan_detail", telecom_plan.pk) + "#section-T1"
    section.refresh_from_db()
    assert section.measures == "Bố trí 4 máy phát điện"
    assert section.responsible_phone == "+84912345678"
    assert section.revision == 1 and section.updated_by == world.telecom_officer
    lines = list(
        section.resources.order_by("kind").values_list("kind", "quantity", "district")
    )
    assert lines == [("generator", 4, world.district_a.unit.pk), ("vehicle", 2, None)]


def test_the_edit_form_shows_the_phone_in_national_format(client, world, telecom_plan):
    section = fill(telecom_plan, "T1", world.telecom_officer)
    login(client, world.telecom_officer)
    body = body_of(client.get(url("section_edit", section.pk)))
    assert 'value="0912 345 678"' in body


def test_a_bad_phone_or_quantity_is_refused_and_nothing_saved(
    client, world, telecom_plan
):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    r = client.post(
        url("section_edit", section.pk),
        section_post(
            0,
            "Biện pháp",
            phone="123",
            resources=[{"kind": "generator", "quantity": 0}],
        ),
    )
    assert r.status_code == 200
    assert "is not a valid Vietnamese phone number" in body_of(r)
    assert r.context["formset"].forms[0].errors["quantity"]
    section.refresh_from_db()
    assert section.revision == 0 and section.measures == ""


def test_a_district_of_another_province_is_refused(client, world, telecom_plan):
    elsewhere = DistrictFactory()  # its own province
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    r = client.post(
        url("section_edit", section.pk),
        section_post(
            0,
            "Biện pháp",
            resources=[{"kind": "generator", "quantity": 1, "district": elsewhere.pk}],
        ),
    )
    assert r.status_code == 200
    assert r.context["formset"].forms[0].errors["district"]
    assert PlanResource.objects.count() == 0


def test_the_district_list_holds_only_the_provinces_districts(
    client, world, telecom_plan
):
    DistrictFactory(name="Huyện Tỉnh Khác")
    login(client, world.telecom_officer)
    body = body_of(client.get(url("section_edit", section_of(telecom_plan, "T1").pk)))
    assert world.district_b.unit.name in body and "Huyện Tỉnh Khác" not in body


def test_a_district_files_its_d1_report_the_same_way(client, world, district_a_report):
    section = section_of(district_a_report, "D1")
    login(client, world.district_a_officer)
    r = client.post(
        url("section_edit", section.pk), section_post(0, "Báo cáo công tác chuẩn bị")
    )
    assert r.status_code == 302
    r = client.post(url("plan_submit", district_a_report.pk), follow=True)
    assert "Version 1 was submitted for review." in messages_of(r)
    assert (
        district_a_report.versions.get().content["D1"]["measures"]
        == "Báo cáo công tác chuẩn bị"
    )


@pytest.mark.parametrize("user", ["observer", "staff_viewer", "staff"])
def test_users_who_may_only_read_the_plan_cannot_edit_it(
    client, world, telecom_plan, user
):
    section = section_of(telecom_plan, "T1")
    login(client, getattr(world, user))
    assert client.get(url("section_edit", section.pk)).status_code == 403
    assert (
        client.post(url("section_edit", section.pk), section_post(0, "x")).status_code
        == 403
    )
    section.refresh_from_db()
    assert section.revision == 0


def test_a_read_only_member_of_the_carrier_cannot_edit_or_submit(
    client, world, telecom_plan
):
    viewer = MembershipFactory(
        organisation=world.telecom, role=MembershipRole.VIEWER
    ).user
    fill(telecom_plan, "T1", world.telecom_officer)
    login(client, viewer)
    assert client.get(url("plan_detail", telecom_plan.pk)).status_code == 200
    assert (
        client.get(url("section_edit", section_of(telecom_plan, "T1").pk)).status_code
        == 403
    )
    assert client.post(url("plan_submit", telecom_plan.pk)).status_code == 403
    assert not telecom_plan.versions.exists()


def test_a_missing_section_is_404(client, world, telecom_plan):
    login(client, world.telecom_officer)
    assert client.get(url("section_edit", 987654)).status_code == 404


# --- two people editing the same section ---------------------------------------


def test_the_second_save_is_refused_and_keeps_that_users_text(
    client, world, telecom_plan
):
    colleague = MembershipFactory(
        organisation=world.telecom, user__username="telecom-2"
    ).user
    section = section_of(telecom_plan, "T1")
    first, second = login(client, world.telecom_officer), login(Client(), colleague)
    # Both open the form at the same revision.
    rev_first = (
        first.get(url("section_edit", section.pk)).context["form"]["revision"].value()
    )
    rev_second = (
        second.get(url("section_edit", section.pk)).context["form"]["revision"].value()
    )
    assert rev_first == rev_second == 0

    r1 = first.post(
        url("section_edit", section.pk),
        section_post(rev_first, "Văn bản của người thứ nhất"),
    )
    assert r1.status_code == 302
    r2 = second.post(
        url("section_edit", section.pk),
        section_post(rev_second, "Văn bản của người thứ hai", name="Trần Thị Hai"),
    )
    assert r2.status_code == 200
    body = body_of(r2)
    assert 'role="alert"' in body and en(EDIT_CONFLICT) in body
    # Their text is kept in the form, the saved text is shown beside it.
    assert r2.context["form"]["measures"].value() == "Văn bản của người thứ hai"
    assert "Văn bản của người thứ hai</textarea>" in body
    assert 'value="Trần Thị Hai"' in body
    assert "Văn bản của người thứ nhất" in body
    section.refresh_from_db()
    assert section.measures == "Văn bản của người thứ nhất" and section.revision == 1
    # The form now carries the saved revision: saving again overwrites on purpose.
    assert r2.context["form"]["revision"].value() == "1"
    r3 = second.post(
        url("section_edit", section.pk), section_post(1, "Văn bản của người thứ hai")
    )
    assert r3.status_code == 302
    section.refresh_from_db()
    assert section.measures == "Văn bản của người thứ hai"
    # One audit row per successful save, each naming who saved.
    changes = section.history.filter(history_type="~").order_by("history_date")
    assert [(h.measures, h.history_user) for h in changes] == [
        ("Văn bản của người thứ nhất", world.telecom_officer),
        ("Văn bản của người thứ hai", colleague),
    ]
    assert PlanEvent.objects.filter(plan=telecom_plan, kind="saved").count() == 2


# --- submit ---------------------------------------------------------------------


def test_the_owner_submits_only_sections_with_measures(client, world, telecom_plan):
    fill(telecom_plan, "T1", world.telecom_officer)
    login(client, world.telecom_officer)
    r = client.post(url("plan_submit", telecom_plan.pk), follow=True)
    assert "Version 1 was submitted for review." in messages_of(r)
    version = telecom_plan.versions.get()
    assert list(version.content) == ["T1"]
    assert review_of(version, "T1").status == ReviewStatus.SUBMITTED


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("vi", "Không có thay đổi so với phiên bản đã gửi (phiên bản 1)"),
        ("en", "No changes since the version already submitted (version 1)"),
    ],
)
def test_pressing_submit_twice_makes_one_version_and_says_why(
    client, world, district_a_report, language, said
):
    """The district's D1 report, as any plan: the second press is refused
    on the page the user was on."""
    fill(district_a_report, "D1", world.district_a_officer)
    login(client, world.district_a_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(url("plan_submit", district_a_report.pk))
    r = client.post(url("plan_submit", district_a_report.pk), follow=True)
    assert r.redirect_chain == [(url("plan_detail", district_a_report.pk), 302)]
    assert [m for m in messages_of(r) if said in m]
    assert list(district_a_report.versions.values_list("number", flat=True)) == [1]
    assert review_of(district_a_report.versions.get(), "D1").status == (
        ReviewStatus.SUBMITTED
    )


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_make_one_version(
    client, world, telecom_plan
):
    """PostgreSQL: the second press waits for the plan's row lock, then
    finds the plan already submitted as it is and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    fill(telecom_plan, "T1", world.telecom_officer)
    submitted, go_on = threading.Event(), threading.Event()

    def first_press():
        try:
            with transaction.atomic():
                plan_submit(plan=telecom_plan, by=world.telecom_officer)
                submitted.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    login(client, world.telecom_officer)
    thread = threading.Thread(target=first_press)
    thread.start()
    assert submitted.wait(10)
    threading.Timer(0.5, go_on.set).start()  # commit while the second waits
    r = client.post(url("plan_submit", telecom_plan.pk), follow=True)
    thread.join()
    assert [m for m in messages_of(r) if "No changes since" in m]
    assert list(telecom_plan.versions.values_list("number", flat=True)) == [1]
    assert review_of(telecom_plan.versions.get(), "T1").status == (
        ReviewStatus.SUBMITTED
    )


def test_an_empty_plan_is_not_submitted(client, world, telecom_plan):
    login(client, world.telecom_officer)
    r = client.post(url("plan_submit", telecom_plan.pk), follow=True)
    assert en(NOTHING_TO_SUBMIT) in messages_of(r)
    assert not telecom_plan.versions.exists()


@pytest.mark.parametrize("user", ["observer", "staff_viewer", "staff"])
def test_read_only_users_cannot_submit(client, world, telecom_plan, user):
    fill(telecom_plan, "T1", world.telecom_officer)
    login(client, getattr(world, user))
    assert client.post(url("plan_submit", telecom_plan.pk)).status_code == 403
    assert not telecom_plan.versions.exists()


def test_submit_needs_post_and_an_existing_plan(client, world, telecom_plan):
    login(client, world.telecom_officer)
    assert client.get(url("plan_submit", telecom_plan.pk)).status_code == 405
    assert client.post(url("plan_submit", 987654)).status_code == 404


# --- review ---------------------------------------------------------------------


def test_staff_accept_a_section_and_land_on_it(client, world, telecom_plan, v1):
    review = review_of(v1, "T1")
    login(client, world.staff)
    r = client.post(url("review_accept", review.pk), {"comment": "Đạt yêu cầu"})
    assert (
        r["Location"] == url("plan_detail", telecom_plan.pk) + "?version=1#section-T1"
    )
    review.refresh_from_db()
    assert (review.status, review.comment, review.reviewed_by) == (
        ReviewStatus.ACCEPTED,
        "Đạt yêu cầu",
        world.staff,
    )


def test_returning_needs_a_comment(client, world, telecom_plan, v1):
    review = review_of(v1, "T1")
    login(client, world.staff)
    r = client.post(url("review_return", review.pk), {"comment": "  "}, follow=True)
    assert en(RETURN_NEEDS_COMMENT) in messages_of(r)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    client.post(url("review_return", review.pk), {"comment": "Thiếu số lượng máy phát"})
    review.refresh_from_db()
    assert (review.status, review.comment) == (
        ReviewStatus.RETURNED,
        "Thiếu số lượng máy phát",
    )


def test_a_decided_section_cannot_be_decided_again(client, world, telecom_plan, v1):
    review = review_of(v1, "T1")
    login(client, world.staff)
    client.post(url("review_accept", review.pk))
    r = client.post(url("review_return", review.pk), {"comment": "Muộn"}, follow=True)
    assert "This section is no longer awaiting review." in messages_of(r)
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACCEPTED


@pytest.mark.parametrize("user", ["telecom_officer", "observer", "staff_viewer"])
def test_only_department_editors_review(client, world, telecom_plan, v1, user):
    review = review_of(v1, "T1")
    login(client, getattr(world, user))
    assert client.post(url("review_accept", review.pk)).status_code == 403
    assert (
        client.post(url("review_return", review.pk), {"comment": "x"}).status_code
        == 403
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_review_needs_post_and_an_existing_review(client, world, telecom_plan, v1):
    login(client, world.staff)
    assert client.get(url("review_accept", review_of(v1, "T1").pk)).status_code == 405
    assert client.post(url("review_accept", 987654)).status_code == 404
    assert (
        client.post(url("review_return", 987654), {"comment": "x"}).status_code == 404
    )


# --- the whole workflow ---------------------------------------------------------


def test_draft_submit_return_fix_resubmit_accept(client, world, telecom_plan):
    carrier, staff = login(client, world.telecom_officer), login(Client(), world.staff)
    t1, t3 = section_of(telecom_plan, "T1"), section_of(telecom_plan, "T3")
    carrier.post(url("section_edit", t1.pk), section_post(0, "Máy phát điện: 2 chiếc"))
    carrier.post(url("section_edit", t3.pk), section_post(0, "Ứng cứu 24/7"))
    carrier.post(url("plan_submit", telecom_plan.pk))
    v1 = telecom_plan.versions.get(number=1)

    # The Department returns T1 (with a comment) and accepts T3.
    staff.post(url("review_return", review_of(v1, "T1").pk), {"comment": ""})
    assert review_of(v1, "T1").status == ReviewStatus.SUBMITTED
    staff.post(
        url("review_return", review_of(v1, "T1").pk),
        {"comment": "Cần ít nhất 4 máy phát"},
    )
    staff.post(url("review_accept", review_of(v1, "T3").pk))

    # The carrier sees the comment on its draft.
    body = body_of(carrier.get(url("plan_detail", telecom_plan.pk)))
    assert "Cần ít nhất 4 máy phát" in body and "Returned in version 1" in body

    # It fixes T1 and resubmits; the unchanged, accepted T3 is carried over.
    revision = (
        carrier.get(url("section_edit", t1.pk)).context["form"]["revision"].value()
    )
    carrier.post(
        url("section_edit", t1.pk), section_post(revision, "Máy phát điện: 4 chiếc")
    )
    carrier.post(url("plan_submit", telecom_plan.pk))
    v2 = telecom_plan.versions.get(number=2)
    assert review_of(v2, "T1").status == ReviewStatus.SUBMITTED
    t3_review = review_of(v2, "T3")
    assert (t3_review.status, t3_review.carried_over) == (ReviewStatus.ACCEPTED, True)

    # Staff see one pair of review forms, for T1 only, and accept it.
    body = body_of(staff.get(url("plan_detail", telecom_plan.pk)))
    assert url("review_accept", review_of(v2, "T1").pk) in body
    assert url("review_accept", t3_review.pk) not in body
    staff.post(url("review_accept", review_of(v2, "T1").pk))
    assert {r.status for r in v2.reviews.all()} == {ReviewStatus.ACCEPTED}

    # Both sections are in force from version 2 and the timeline tells it all.
    body = body_of(carrier.get(url("plan_detail", telecom_plan.pk)))
    assert body.count("version 2 in force") == 2
    kinds = list(
        PlanEvent.objects.filter(plan=telecom_plan)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "saved",
        "saved",
        "submitted",
        "returned",
        "accepted",
        "saved",
        "submitted",
        "accepted",
    ]
    assert "Cần ít nhất 4 máy phát" in body and str(world.staff) in body


def test_old_versions_stay_readable_and_changes_show_what_changed(
    client, world, telecom_plan, v1
):
    section_return(review=review_of(v1, "T1"), by=world.staff, comment="Thiếu máy phát")
    section_accept(review=review_of(v1, "T3"), by=world.staff)
    fill(
        telecom_plan,
        "T1",
        world.telecom_officer,
        "Máy phát điện tại trạm Hàm Rồng\nThêm 4 máy phát dự phòng",
        resources=[ResourceLine("generator", 4, "Kho Đông Sơn", None)],
    )
    plan_submit(plan=telecom_plan, by=world.telecom_officer)
    login(client, world.staff)

    body = body_of(client.get(url("plan_detail", telecom_plan.pk, version=1)))
    assert "Showing version 1" in body and "Thêm 4 máy phát" not in body
    assert "Thiếu máy phát" in body  # the review of version 1
    body = body_of(client.get(url("plan_detail", telecom_plan.pk)))
    assert "Showing version 2" in body and "Thêm 4 máy phát dự phòng" in body
    assert url("plan_changes", telecom_plan.pk) + "?from=1&amp;to=2" in body

    r = client.get(url("plan_changes", telecom_plan.pk, **{"from": 1, "to": 2}))
    assert r.status_code == 200
    diffs = {d.code: d for d in r.context["diffs"]}
    assert diffs["T1"].status == "changed" and diffs["T3"].status == "unchanged"
    assert [f.name for f in diffs["T1"].fields] == ["measures"]
    assert ("+", "Thêm 4 máy phát dự phòng") in diffs["T1"].measures_lines
    assert [(x.kind, x.quantity) for x in diffs["T1"].resources_added] == [
        ("generator", 4)
    ]
    body = body_of(r)
    assert "Thêm 4 máy phát dự phòng" in body and "Kho Đông Sơn" in body
    # Without parameters: the latest version against the one before it.
    assert client.get(url("plan_changes", telecom_plan.pk)).context["old"].number == 1


def test_changes_of_a_first_version_list_everything_as_added(
    client, world, telecom_plan, v1
):
    login(client, world.telecom_officer)
    r = client.get(url("plan_changes", telecom_plan.pk, to=1))
    assert r.context["old"] is None
    assert {d.status for d in r.context["diffs"]} == {"added"}


def test_changes_need_existing_versions(client, world, telecom_plan):
    login(client, world.staff)
    assert client.get(url("plan_changes", telecom_plan.pk)).status_code == 404
    assert client.get(url("plan_changes", telecom_plan.pk, to=3)).status_code == 404
    assert client.get(url("plan_changes", 987654)).status_code == 404


# --- attachments ----------------------------------------------------------------


def test_a_pdf_uploads_and_downloads_for_those_who_may_see_the_plan(
    client, world, telecom_plan
):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    r = client.post(url("attachment_upload", section.pk), {"file": pdf()}, follow=True)
    assert "“Kế hoạch T1.pdf” was attached." in messages_of(r)
    attachment = PlanAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (
        "Kế hoạch T1.pdf",
        "application/pdf",
    )
    assert "Kế hoạch T1.pdf" in body_of(r)  # listed on the edit page

    for user in (world.telecom_officer, world.staff, world.observer):
        login(client, user)
        r = client.get(url("attachment_download", attachment.pk))
        assert r.status_code == 200
        assert r.content == PDF_BYTES
        assert r["Content-Type"] == "application/pdf"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Disposition"].startswith("attachment;")
        assert (
            "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20T1.pdf"
            in r["Content-Disposition"]
        )
    for user in (
        world.district_b_officer,
        world.postal_officer,
        world.district_a_officer,
    ):
        login(client, user)
        assert client.get(url("attachment_download", attachment.pk)).status_code == 404
    assert client.get(url("attachment_download", 987654)).status_code == 404


def test_an_exe_named_pdf_is_refused_and_nothing_stored(
    client, world, telecom_plan, media_root
):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    r = client.post(
        url("attachment_upload", section.pk),
        {"file": pdf("ke-hoach.pdf", EXE_BYTES)},
        follow=True,
    )
    assert any("is not a file type that can be attached" in m for m in messages_of(r))
    assert PlanAttachment.objects.count() == 0
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_a_too_large_file_is_refused(client, world, telecom_plan, media_root):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    big = PDF_BYTES + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF_BYTES))
    r = client.post(
        url("attachment_upload", section.pk), {"file": pdf("lon.pdf", big)}, follow=True
    )
    assert "The file is larger than 10 MB." in messages_of(r)
    assert PlanAttachment.objects.count() == 0
    assert not [p for p in media_root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\x.pdf"])
def test_a_path_like_name_is_kept_as_a_base_name_and_the_file_renamed(
    client, world, telecom_plan, name
):
    section = section_of(telecom_plan, "T1")
    login(client, world.telecom_officer)
    assert raw_upload(client, section, name, PDF_BYTES).status_code == 302
    attachment = PlanAttachment.objects.get()
    assert attachment.original_name == "x.pdf"
    name = attachment.file.name
    assert name is not None
    assert re.fullmatch(r"plan-attachments/[0-9a-f]{32}(\.pdf)?", name)


def test_a_removed_file_leaves_the_draft_but_stays_downloadable(
    client, world, telecom_plan
):
    section = fill(telecom_plan, "T1", world.telecom_officer)
    attachment = attachment_add(
        section=section, filename="a.pdf", content=PDF_BYTES, by=world.telecom_officer
    )
    plan_submit(plan=telecom_plan, by=world.telecom_officer)
    login(client, world.telecom_officer)
    r = client.post(url("attachment_remove", attachment.pk), follow=True)
    assert "“a.pdf” was removed from the draft." in messages_of(r)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert url("attachment_download", attachment.pk) not in body_of(
        client.get(url("plan_detail", telecom_plan.pk))
    )
    # Version 1 cites it: still listed there and downloadable.
    login(client, world.staff)
    body = body_of(client.get(url("plan_detail", telecom_plan.pk, version=1)))
    assert url("attachment_download", attachment.pk) in body
    r = client.get(url("attachment_download", attachment.pk))
    assert r.status_code == 200
    kinds = list(
        PlanEvent.objects.filter(plan=telecom_plan).values_list("kind", flat=True)
    )
    assert "attached" in kinds and "detached" in kinds


@pytest.mark.parametrize(
    "user, status",
    [("observer", 403), ("staff", 403), ("staff_viewer", 403), ("postal_officer", 404)],
)
def test_only_the_owner_attaches_and_removes(client, world, telecom_plan, user, status):
    section = section_of(telecom_plan, "T1")
    attachment = attachment_add(
        section=section, filename="a.pdf", content=PDF_BYTES, by=world.telecom_officer
    )
    login(client, getattr(world, user))
    assert (
        client.post(url("attachment_upload", section.pk), {"file": pdf()}).status_code
        == status
    )
    assert client.post(url("attachment_remove", attachment.pk)).status_code == status
    attachment.refresh_from_db()
    assert attachment.removed_at is None and PlanAttachment.objects.count() == 1


def test_attachment_views_need_post_and_existing_ids(client, world, telecom_plan):
    login(client, world.telecom_officer)
    section = section_of(telecom_plan, "T1")
    assert client.get(url("attachment_upload", section.pk)).status_code == 405
    assert (
        client.post(url("attachment_upload", 987654), {"file": pdf()}).status_code
        == 404
    )
    assert client.post(url("attachment_remove", 987654)).status_code == 404


# --- a fixed number of queries ----------------------------------------------------


def _grow(world, plan):
    """Eight more telecom obligations; 10 sections × 20 resources, files,
    three versions and 150 more events."""
    for i in range(8):
        add_obligation(world, f"T{10 + i}", position=20 + i)
    plan_get_or_create(directive=world.directive, organisation=world.telecom)
    units = [world.district_a.unit, world.district_b.unit, None]
    for section in plan.sections.select_related("obligation"):
        fill(
            plan,
            section.obligation.code,
            world.telecom_officer,
            f"Biện pháp {section.obligation.code}",
            resources=[
                ResourceLine("generator", n + 1, f"Trạm {n}", units[n % 3])
                for n in range(20)
            ],
        )
        for n in range(2):
            attachment_add(
                section=section,
                filename=f"{n}.pdf",
                content=PDF_BYTES,
                by=world.telecom_officer,
            )
    for n in range(2):
        version = plan_submit(plan=plan, by=world.telecom_officer)
        returned = version.reviews.filter(status=ReviewStatus.SUBMITTED)[:5]
        for review in returned:
            section_return(review=review, by=world.staff, comment="Bổ sung")
        # What was asked for (a plan sent back unchanged is refused).
        attachment_add(
            section=plan.sections.get(obligation=returned[0].obligation),
            filename=f"bo-sung-{n}.pdf",
            content=PDF_BYTES,
            by=world.telecom_officer,
        )
    plan_submit(plan=plan, by=world.telecom_officer)
    now = datetime.datetime(2021, 4, 1, tzinfo=datetime.UTC)
    PlanEvent.objects.bulk_create(
        PlanEvent(
            plan=plan,
            kind="saved",
            by=world.telecom_officer,
            at=now,
            obligation=section.obligation,
        )
        for section in plan.sections.select_related("obligation")
        for _ in range(15)
    )


@pytest.mark.parametrize(
    "user", ["telecom_officer", "staff"]
)  # the draft; the latest version
def test_the_plan_page_makes_the_same_number_of_queries_whatever_its_size(
    client, world, telecom_plan, v1, django_assert_num_queries, user
):
    attachment_add(
        section=section_of(telecom_plan, "T1"),
        filename="a.pdf",
        content=PDF_BYTES,
        by=world.telecom_officer,
    )
    section_return(review=review_of(v1, "T1"), by=world.staff, comment="Bổ sung")
    fill(
        telecom_plan,
        "T1",
        world.telecom_officer,
        resources=[ResourceLine("vehicle", 1, "", None)],
    )
    plan_submit(plan=telecom_plan, by=world.telecom_officer)
    login(client, getattr(world, user))
    page = url("plan_detail", telecom_plan.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200

    _grow(world, telecom_plan)
    assert telecom_plan.sections.count() == 10
    with django_assert_num_queries(len(small.captured_queries)):
        r = client.get(page)
    assert body_of(r).count('class="card mb-3') == 10
    assert PlanEvent.objects.filter(plan=telecom_plan).count() > 100
