"""The contact-list pages, for each role (owner, read-only, outsider,
anonymous, bad id), as healthchecks tests each view."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import (
    Contact,
    ContactImport,
    ElectionBody,
    MembershipRole,
    VersionStatus,
)
from contacts.services import contact_lists as services
from tests.contacts.conftest import make_bodies, make_row
from tests.factories import MembershipFactory

GOOD_CSV = (
    "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Khu vực bỏ phiếu;Địa điểm làm việc;"
    "Họ và tên;Chức vụ;Số điện thoại\n"
    "Tổ bầu cử;{c1};Tổ bầu cử số 1;KVBP 1;Nhà văn hóa thôn 1;Lê Văn An;Tổ trưởng;0912 345 678\n"
    "Tổ bầu cử;{c2};Tổ bầu cử số 2;KVBP 2;Nhà văn hóa thôn 2;Trần Thị Bình;Tổ trưởng;0987.654.321\n"
)


def detail(contact_list, **params):
    url = reverse("contacts:contact_list_detail", args=[contact_list.pk])
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def upload(client, contact_list, text, name="danh-sach.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse("contacts:import_upload", args=[contact_list.pk]), {"file": f}
    )


# --- index ------------------------------------------------------------------


def test_a_district_is_sent_to_its_own_list(client, world):
    client.force_login(world.district_a_officer)
    r = client.get(reverse("contacts:contact_list_index"))
    assert r.status_code == 302
    assert r["Location"].startswith("/contact-lists/")
    assert client.get(r["Location"]).status_code == 200


@pytest.mark.parametrize("user", ["staff", "observer"])
def test_the_department_and_observers_see_every_district(client, world, user):
    client.force_login(getattr(world, user))
    body = client.get(reverse("contacts:contact_list_index")).content.decode()
    assert world.district_a.name in body and world.district_b.name in body


def test_a_carrier_is_sent_to_the_directory(client, world):
    client.force_login(world.telecom_officer)
    r = client.get(reverse("contacts:contact_list_index"))
    assert r["Location"] == reverse("contacts:directory")


def test_anonymous_is_sent_to_login(client, world, list_a):
    for url in (reverse("contacts:contact_list_index"), detail(list_a)):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- detail -----------------------------------------------------------------


def test_the_district_sees_its_draft(client, world, list_a, communes_a):
    make_bodies(list_a, communes_a, 3, prefix="Tổ nháp")
    client.force_login(world.district_a_officer)
    body = client.get(detail(list_a)).content.decode()
    assert "Tổ nháp 0" in body
    assert "Submit for review" in body or "Gửi" in body


@pytest.mark.parametrize(
    "user", ["district_b_officer", "telecom_officer", "postal_officer"]
)
def test_outsiders_get_404(client, world, list_a, user):
    client.force_login(getattr(world, user))
    assert client.get(detail(list_a)).status_code == 404


def test_staff_see_the_submitted_version_not_the_draft(
    client, world, list_a, communes_a, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    make_bodies(list_a, communes_a, 1, prefix="Chưa gửi")
    client.force_login(world.staff)
    body = client.get(detail(list_a)).content.decode()
    assert "Tổ bầu cử số 2" in body
    assert "Chưa gửi" not in body
    assert client.get(detail(list_a, version="draft")).status_code == 404


def test_a_missing_version_or_list_is_404(client, world, list_a):
    client.force_login(world.staff)
    assert client.get(detail(list_a, version=9)).status_code == 404
    url = reverse("contacts:contact_list_detail", args=[987654])
    assert client.get(url).status_code == 404


def test_filters_narrow_the_bodies(client, world, list_a, communes_a):
    make_bodies(list_a, communes_a, 4)
    client.force_login(world.district_a_officer)
    body = client.get(detail(list_a, unit=communes_a[0].pk)).content.decode()
    assert "Tổ bầu cử số 0" in body and "Tổ bầu cử số 1" not in body
    body = client.get(detail(list_a, q="số 3")).content.decode()
    assert "Tổ bầu cử số 3" in body and "Tổ bầu cử số 2" not in body


def test_the_list_page_makes_the_same_number_of_queries_for_10_and_1000_bodies(
    client, world, list_a, communes_a, django_assert_num_queries
):
    make_bodies(list_a, communes_a, 10)
    client.force_login(world.district_a_officer)
    client.get(detail(list_a))
    with CaptureQueriesContext(connection) as small:
        client.get(detail(list_a))
    make_bodies(list_a, communes_a, 990, prefix="Tổ thêm")
    with django_assert_num_queries(len(small.captured_queries)):
        r = client.get(detail(list_a))
    assert "(1000)" in r.content.decode()


def test_the_overview_makes_the_same_number_of_queries_for_more_lists(
    client, world, list_a, communes_a, django_assert_num_queries
):
    from tests.factories import DistrictOrganisationFactory

    client.force_login(world.staff)
    client.get(reverse("contacts:contact_list_index"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("contacts:contact_list_index"))
    DistrictOrganisationFactory.create_batch(60)
    make_bodies(list_a, communes_a, 50)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(reverse("contacts:contact_list_index")).content.decode()
    assert "1 / 2" in body  # 62 districts, 50 a page


# --- editing by hand --------------------------------------------------------


def body_post(unit, phones="0912 345 678", **extra):
    data = {
        "kind": "team",
        "unit": unit.pk,
        "name": "Tổ bầu cử số 7",
        "polling_areas": "KVBP 7",
        "location": "Trường tiểu học",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "1",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-full_name": "Phạm Văn Cường",
        "contacts-0-position": "chair",
        "contacts-0-phones": phones,
    }
    data.update(extra)
    return data


def test_the_district_adds_a_body_with_its_people(client, world, list_a, communes_a):
    client.force_login(world.district_a_officer)
    url = reverse("contacts:body_create", args=[list_a.pk])
    r = client.post(url, body_post(communes_a[0], phones="0912.345.678; 02373 718 258"))
    assert r.status_code == 302
    body = ElectionBody.objects.get(contact_list=list_a, version=None)
    assert body.contacts.get().phones == "+84912345678 +842373718258"
    assert body.history.latest().history_user == world.district_a_officer


def test_a_bad_phone_keeps_what_was_typed_and_saves_nothing(
    client, world, list_a, communes_a
):
    client.force_login(world.district_a_officer)
    url = reverse("contacts:body_create", args=[list_a.pk])
    r = client.post(url, body_post(communes_a[0], phones="0169 123 4567"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "0169 123 4567" in page and "Trường tiểu học" in page
    assert ElectionBody.objects.count() == 0


def test_a_commune_of_another_district_is_refused(client, world, list_a):
    other = world.district_b.unit.children.first()
    client.force_login(world.district_a_officer)
    r = client.post(reverse("contacts:body_create", args=[list_a.pk]), body_post(other))
    assert r.status_code == 200
    assert ElectionBody.objects.count() == 0


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("staff", 403),
        ("observer", 403),
        ("district_b_officer", 404),
        ("telecom_officer", 404),
    ],
)
def test_only_the_district_edits_its_list(
    client, world, list_a, communes_a, user, status
):
    client.force_login(getattr(world, user))
    r = client.post(
        reverse("contacts:body_create", args=[list_a.pk]), body_post(communes_a[0])
    )
    assert r.status_code == status
    assert ElectionBody.objects.count() == 0


def test_a_read_only_member_of_the_district_cannot_edit(
    client, world, list_a, communes_a
):
    viewer = MembershipFactory(
        organisation=world.district_a, role=MembershipRole.VIEWER
    ).user
    client.force_login(viewer)
    assert client.get(detail(list_a)).status_code == 200
    r = client.post(
        reverse("contacts:body_create", args=[list_a.pk]), body_post(communes_a[0])
    )
    assert r.status_code == 403
    assert (
        client.post(
            reverse("contacts:contact_list_submit", args=[list_a.pk])
        ).status_code
        == 403
    )


def test_editing_and_removing_a_draft_body(client, world, list_a, communes_a):
    [body] = make_bodies(list_a, communes_a, 1)
    client.force_login(world.district_a_officer)
    assert client.get(reverse("contacts:body_edit", args=[body.pk])).status_code == 200
    assert (
        client.get(reverse("contacts:body_delete", args=[body.pk])).status_code == 405
    )
    client.force_login(world.district_b_officer)
    assert (
        client.post(reverse("contacts:body_delete", args=[body.pk])).status_code == 404
    )
    client.force_login(world.district_a_officer)
    assert (
        client.post(reverse("contacts:body_delete", args=[body.pk])).status_code == 302
    )
    assert not ElectionBody.objects.filter(pk=body.pk).exists()


def test_a_frozen_body_cannot_be_edited(client, world, list_a, communes_a, import_rows):
    import_rows([make_row(2, communes_a[0])])
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    frozen = version.bodies.get()
    client.force_login(world.district_a_officer)
    assert (
        client.get(reverse("contacts:body_edit", args=[frozen.pk])).status_code == 403
    )
    assert (
        client.post(reverse("contacts:body_delete", args=[frozen.pk])).status_code
        == 403
    )


# --- import -----------------------------------------------------------------


def test_an_import_is_previewed_then_applied(client, world, list_a, communes_a):
    client.force_login(world.district_a_officer)
    r = upload(
        client, list_a, GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    )
    assert r.status_code == 302
    preview = client.get(r["Location"]).content.decode()
    assert "Lê Văn An" in preview
    assert ElectionBody.objects.count() == 0  # nothing saved before confirming
    contact_import = ContactImport.objects.get()
    r = client.post(reverse("contacts:import_apply", args=[contact_import.pk]))
    assert r.status_code == 302
    assert ElectionBody.objects.filter(contact_list=list_a, version=None).count() == 2
    # The audit trail says who imported each row.
    users = set(Contact.history.values_list("history_user", flat=True))
    assert users == {world.district_a_officer.pk}
    # The same import cannot be applied twice.
    client.post(reverse("contacts:import_apply", args=[contact_import.pk]))
    assert ElectionBody.objects.count() == 2


def _uploaded(client, contact_list, text) -> ContactImport:
    r = upload(client, contact_list, text)
    assert r.status_code == 302
    return ContactImport.objects.latest("pk")


def _remove_stored_file(contact_import: ContactImport) -> None:
    storage, name = contact_import.file.storage, contact_import.file.name
    assert name is not None
    storage.delete(name)
    assert not storage.exists(name)


def test_the_preview_counts_what_confirming_would_do(client, world, list_a, communes_a):
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    contact_import = _uploaded(client, list_a, text)
    url = reverse("contacts:import_preview", args=[contact_import.pk])
    r = client.get(url)
    assert (r.context["created"], r.context["updated"], r.context["unchanged"]) == (
        2,
        0,
        0,
    )
    assert "Sẽ thêm mới: 2" in r.content.decode()


def test_the_file_is_read_once_on_upload_not_on_preview_or_confirming(
    client, world, list_a, communes_a
):
    """The plan made on upload is kept: with the stored file gone, the
    preview still lists its rows and confirming saves them."""
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    contact_import = _uploaded(client, list_a, text)
    _remove_stored_file(contact_import)
    preview = client.get(reverse("contacts:import_preview", args=[contact_import.pk]))
    assert "Lê Văn An" in preview.content.decode()
    r = client.post(reverse("contacts:import_apply", args=[contact_import.pk]))
    assert r["Location"] == detail(list_a).split("?")[0]
    saved = Contact.objects.filter(body__contact_list=list_a, body__version=None)
    assert sorted(saved.values_list("full_name", "phones")) == [
        ("Lê Văn An", "+84912345678"),
        ("Trần Thị Bình", "+84987654321"),
    ]
    contact_import.refresh_from_db()
    assert (contact_import.created_count, contact_import.plan_file.name) == (2, "")


def test_a_plan_made_before_the_draft_changed_is_made_again_from_its_rows(
    client, world, list_a, communes_a
):
    """Someone edits the draft between the preview and the confirmation:
    confirming compares the file's rows with the draft as it is then (as
    planning the file again would), still without reading the file."""
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    first = _uploaded(client, list_a, text)
    client.post(reverse("contacts:import_apply", args=[first.pk]))
    again = _uploaded(client, list_a, text)
    url = reverse("contacts:import_preview", args=[again.pk])
    assert client.get(url).context["unchanged"] == 2
    draft = Contact.objects.filter(body__contact_list=list_a, body__version=None)
    draft.filter(full_name="Lê Văn An").update(phones="+84911111111")
    ElectionBody.objects.filter(contact_list=list_a, name="Tổ bầu cử số 2").delete()
    _remove_stored_file(again)
    r = client.get(url)
    assert (r.context["created"], r.context["updated"], r.context["unchanged"]) == (
        1,
        1,
        0,
    )
    client.post(reverse("contacts:import_apply", args=[again.pk]))
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (
        1,
        1,
        0,
    )
    assert sorted(draft.values_list("full_name", "phones")) == [
        ("Lê Văn An", "+84912345678"),
        ("Trần Thị Bình", "+84987654321"),
    ]


def test_the_errors_of_a_kept_plan_follow_the_pages_language(
    client, world, list_a, communes_a
):
    """The errors are written when the file is planned; shown in the other
    language, they are written again in it."""
    other = world.district_b.unit.children.first()
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=other.code)
    contact_import = _uploaded(client, list_a, text)
    url = reverse("contacts:import_preview", args=[contact_import.pk])
    assert f"“{other.code}” không phải là" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert f"“{other.code}” is not {world.district_a.unit.name}" in page


def test_a_file_with_a_bad_row_in_the_middle_saves_nothing(
    client, world, list_a, communes_a
):
    other = world.district_b.unit.children.first()
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=other.code) + (
        f"Tổ bầu cử;{communes_a[1].code};Tổ bầu cử số 3;KVBP 3;Thôn 3;Hà Văn Dũng;Tổ trưởng;"
        "0912 000 111\n"
    )
    client.force_login(world.district_a_officer)
    r = upload(client, list_a, text)
    preview = client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in preview
    assert "<td>3</td>" in preview  # the row number of the bad row
    contact_import = ContactImport.objects.get()
    client.post(reverse("contacts:import_apply", args=[contact_import.pk]))
    assert ElectionBody.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_explained(client, world, list_a):
    client.force_login(world.district_a_officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile(
        "list.xlsx", b"%PDF-1.4\n\x00\x01binary", content_type="application/pdf"
    )
    r = client.post(reverse("contacts:import_upload", args=[list_a.pk]), {"file": pdf})
    preview = client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in preview


def test_others_cannot_see_or_apply_a_districts_import(
    client, world, list_a, communes_a
):
    client.force_login(world.district_a_officer)
    upload(
        client, list_a, GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    )
    contact_import = ContactImport.objects.get()
    for user in (world.district_b_officer, world.staff, world.telecom_officer):
        client.force_login(user)
        assert (
            client.get(
                reverse("contacts:import_preview", args=[contact_import.pk])
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("contacts:import_apply", args=[contact_import.pk])
            ).status_code
            == 404
        )
    assert ElectionBody.objects.count() == 0


def test_the_template_downloads_in_both_languages(client, world):
    client.force_login(world.district_a_officer)
    for lang in ("vi", "en"):
        r = client.get(reverse("contacts:import_template") + f"?lang={lang}")
        assert r.status_code == 200
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")
        assert r.content[:2] == b"PK"


# --- submission and review --------------------------------------------------


def submitted(world, list_a, communes_a, import_rows, n=2):
    import_rows([make_row(2 + i, communes_a[i % 2]) for i in range(n)])
    return services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )


def test_the_district_submits(client, world, list_a, communes_a, import_rows):
    import_rows([make_row(2, communes_a[0])])
    client.force_login(world.district_a_officer)
    r = client.post(reverse("contacts:contact_list_submit", args=[list_a.pk]))
    assert r.status_code == 302
    list_a.refresh_from_db()
    assert list_a.latest_version.status == VersionStatus.SUBMITTED


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("vi", "Không có thay đổi so với phiên bản đã gửi (phiên bản 1)"),
        ("en", "No changes since the version already submitted (version 1)"),
    ],
)
def test_pressing_submit_twice_makes_one_version_and_says_why(
    client, world, list_a, communes_a, import_rows, language, said
):
    import_rows([make_row(2, communes_a[0])])
    client.force_login(world.district_a_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    submit = reverse("contacts:contact_list_submit", args=[list_a.pk])
    client.post(submit)
    r = client.post(submit, follow=True)
    assert r.redirect_chain == [(detail(list_a), 302)]  # back where they were
    assert said in r.content.decode()
    assert list(list_a.versions.values_list("number", "status")) == [
        (1, VersionStatus.SUBMITTED)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_make_one_version(
    client, world, list_a, communes_a, import_rows
):
    """PostgreSQL: the second press arrives while the first's version is
    not yet committed; it waits for the list's row lock, then finds the
    draft already submitted and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    import_rows([make_row(2, communes_a[0])])
    submitted, go_on = threading.Event(), threading.Event()

    def first_press():
        try:
            with transaction.atomic():
                services.contact_list_submit(
                    contact_list=list_a, by=world.district_a_officer
                )
                submitted.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    client.force_login(world.district_a_officer)
    thread = threading.Thread(target=first_press)
    thread.start()
    assert submitted.wait(10)
    threading.Timer(0.5, go_on.set).start()  # commit while the second waits
    r = client.post(reverse("contacts:contact_list_submit", args=[list_a.pk]))
    thread.join()
    assert r.status_code == 302
    assert list(list_a.versions.values_list("number", "status")) == [
        (1, VersionStatus.SUBMITTED)
    ]


def test_staff_accept(client, world, list_a, communes_a, import_rows):
    version = submitted(world, list_a, communes_a, import_rows)
    client.force_login(world.staff)
    r = client.post(reverse("contacts:version_accept", args=[version.pk]))
    assert r.status_code == 302
    list_a.refresh_from_db()
    assert list_a.accepted_version == version


def test_staff_return_with_a_comment_the_district_then_reads(
    client, world, list_a, communes_a, import_rows
):
    version = submitted(world, list_a, communes_a, import_rows)
    client.force_login(world.staff)
    client.post(reverse("contacts:version_return", args=[version.pk]), {"comment": ""})
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    client.post(
        reverse("contacts:version_return", args=[version.pk]),
        {"comment": "Thiếu số máy bàn của Ủy ban"},
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED
    client.force_login(world.district_a_officer)
    assert "Thiếu số máy bàn của Ủy ban" in client.get(detail(list_a)).content.decode()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("staff_viewer", 403),
        ("observer", 403),
        ("district_a_officer", 403),
        ("district_b_officer", 404),
        ("telecom_officer", 404),
    ],
)
def test_only_department_editors_review(
    client, world, list_a, communes_a, import_rows, user, status
):
    version = submitted(world, list_a, communes_a, import_rows)
    client.force_login(getattr(world, user))
    assert (
        client.post(reverse("contacts:version_accept", args=[version.pk])).status_code
        == status
    )
    assert (
        client.post(
            reverse("contacts:version_return", args=[version.pk]), {"comment": "x"}
        ).status_code
        == status
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_incomplete_coverage_is_refused_without_a_reason(
    client, world, list_a, communes_a, import_rows
):
    version = submitted(world, list_a, communes_a, import_rows, n=1)
    client.force_login(world.staff)
    client.post(reverse("contacts:version_accept", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    client.post(
        reverse("contacts:version_accept", args=[version.pk]),
        {"reason": "Xã Thử sáp nhập"},
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.ACCEPTED


def test_the_changes_page(client, world, list_a, communes_a, import_rows):
    version = submitted(world, list_a, communes_a, import_rows)
    make_bodies(list_a, communes_a, 1, prefix="Tổ mới")
    url = reverse("contacts:contact_list_changes", args=[list_a.pk])
    client.force_login(world.district_a_officer)
    body = client.get(url + f"?from={version.number}&to=draft").content.decode()
    assert "Tổ mới 0" in body
    client.force_login(world.staff)
    assert client.get(url + f"?from={version.number}&to=draft").status_code == 404
    assert client.get(url + f"?to={version.number}").status_code == 200
    client.force_login(world.district_b_officer)
    assert client.get(url + f"?to={version.number}").status_code == 404


def test_the_preview_totals_removals_only_for_a_whole_list(
    client, world, list_a, communes_a
):
    """The file drops team 2: 'add and update only' keeps it, 'the whole
    list' shows it among the removals, and confirming removes it."""
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    client.post(
        reverse("contacts:import_apply", args=[_uploaded(client, list_a, text).pk])
    )
    shorter = _uploaded(client, list_a, text.rsplit("Tổ bầu cử;", 1)[0])
    url = reverse("contacts:import_preview", args=[shorter.pk])
    page = client.get(url).content.decode()
    assert "Sẽ xóa: 0" in page and 'id="import-removals"' not in page
    r = client.get(url, {"mode": "whole_list"})
    page = r.content.decode()
    assert "Sẽ xóa: 1" in page and "Giữ nguyên: 1" in page
    assert 'id="import-removals"' in page and "Tổ bầu cử số 2" in page
    shown = r.context["plan"].fingerprint
    client.post(
        reverse("contacts:import_apply", args=[shorter.pk]),
        {"mode": "whole_list", "shown": shown},
    )
    names = Contact.objects.filter(body__contact_list=list_a, body__version=None)
    assert list(names.values_list("full_name", flat=True)) == ["Lê Văn An"]
    assert Contact.history.filter(history_type="-").count() == 1


def test_the_preview_shows_a_changes_old_and_new_value(
    client, world, list_a, communes_a
):
    client.force_login(world.district_a_officer)
    text = GOOD_CSV.format(c1=communes_a[0].code, c2=communes_a[1].code)
    client.post(
        reverse("contacts:import_apply", args=[_uploaded(client, list_a, text).pk])
    )
    changed = _uploaded(client, list_a, text.replace("0912 345 678", "0913 000 111"))
    page = client.get(reverse("contacts:import_preview", args=[changed.pk]))
    assert "<del>0912 345 678</del> → <ins>0913 000 111</ins>" in page.content.decode()
