"""Inviting people from a spreadsheet: upload, preview, confirm; every
person or none; the same file twice invites nobody twice."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.importers.people import (
    MAX_PEOPLE,
    PersonRow,
    parse_people_file,
    too_many_people_message,
)
from contacts.models import (
    MemberRole,
    Membership,
    MembershipRole,
    Organisation,
    OutboundMessage,
    User,
)
from contacts.services.invitation_imports import (
    RowAction,
    invitation_import_plan,
)
from contacts.services.members import PersonDraft, person_invite
from contacts.spreadsheets import active_sheet
from tests.contacts.test_import_layouts import windows_1258
from tests.factories import OrganisationFactory

FILES = Path(__file__).parent / "files"
URL = "/people/import/"  # contacts:people_import
HEADER = ["STT", "Họ và tên", "Chức vụ", "Thư điện tử", "Số điện thoại", "Đơn vị"]
PEOPLE = [
    # The phone typed as a number: Excel dropped its leading 0.
    [1, "Lê Thị Hoa", "Phó Chủ tịch", "Hoa.Le@DongSon.gov.vn", 912345678,
     "ubnd huyen dong son", "Lãnh đạo"],
    [2, "Trần Văn Bình", "Chuyên viên", "binh.tv@thanhpho.gov.vn", "0987 654 321",
     "District-A", ""],
    None,  # a blank row
    [3, "Phạm Thị Cúc", "Văn thư", "", "0911 222 333", "Viễn thông Thử", "chỉ xem"],
]  # fmt: skip


def workbook(people=PEOPLE, header=(*HEADER, "Vai trò")) -> bytes:
    """A list as a provincial office writes it: the national heading and a
    title above the header, the columns numbered under it, a signature
    block below."""
    book = openpyxl.Workbook()
    sheet = active_sheet(book)
    sheet.append(["ỦY BAN NHÂN DÂN TỈNH THANH HÓA"])
    sheet.append(["SỞ THÔNG TIN VÀ TRUYỀN THÔNG"])
    sheet.append([])
    sheet.append(["DANH SÁCH CÁN BỘ ĐƯỢC MỜI SỬ DỤNG HỆ THỐNG"])
    sheet.append(list(header))  # row 5
    sheet.append([f"({n})" for n in range(1, len(header) + 1)])
    for person in people:  # from row 7
        sheet.append(person or [])
    sheet.append([])
    sheet.append([None, "Thanh Hóa, ngày 10 tháng 3 năm 2026"])
    sheet.append([None, "Người lập biểu"])
    sheet.append([None, "Nguyễn Văn Ký"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "danh-sach-moi.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    return client.post(URL, {"rows": preview.context["confirm"]["rows"].value()})


@pytest.fixture
def staff(client, world, settings):
    settings.USE_SMS = True
    client.force_login(world.staff)
    return client


def actions(response) -> list[tuple[int, str]]:
    return [(p.row.row_number, p.action) for p in response.context["plan"].rows]


def test_the_preview_says_what_each_row_of_a_titled_workbook_will_do(staff, world):
    r = upload(staff, workbook())
    assert r.status_code == 200
    assert actions(r) == [(7, "invite"), (8, "invite"), (10, "invite")]
    rows = {p.row.row_number: p for p in r.context["plan"].rows}
    assert rows[7].organisation == world.district_b
    assert rows[7].role == MemberRole.HEAD
    assert rows[7].draft.phone == "+84912345678"
    assert (rows[8].organisation, rows[8].role) == (world.district_a, "editor")
    assert (rows[10].organisation, rows[10].role) == (world.telecom, "viewer")
    page = r.content.decode()
    assert "Gửi 3 lời mời" in page
    assert not User.objects.filter(full_name="Lê Thị Hoa").exists()


def test_confirming_invites_everyone_inactive_with_their_role_and_one_message(
    staff, world
):
    r = confirm(staff, upload(staff, workbook()))
    assert r.status_code == 302
    people = {u.full_name: u for u in User.objects.filter(membership__isnull=False)}
    hoa, binh, cuc = (
        people["Lê Thị Hoa"],
        people["Trần Văn Bình"],
        people["Phạm Thị Cúc"],
    )
    assert not any(p.is_active or p.has_usable_password() for p in (hoa, binh, cuc))
    assert hoa.email == "hoa.le@dongson.gov.vn"
    assert (hoa.membership.organisation, hoa.membership.member_role) == (
        world.district_b,
        MemberRole.HEAD,
    )
    assert binh.membership.member_role == MemberRole.EDITOR
    assert cuc.membership.role == MembershipRole.VIEWER
    assert cuc.username == "+84911222333"  # no e-mail: the link goes by SMS
    for person in (hoa, binh, cuc):
        assert OutboundMessage.objects.filter(recipient=person).count() == 1
    page = staff.get(r["Location"]).content.decode()
    assert "Đã gửi 3 lời mời, 0 giữ nguyên." in page


def test_the_same_file_again_invites_nobody(staff, world):
    first = upload(staff, workbook())
    confirm(staff, first)
    again = upload(staff, workbook())
    assert [action for _, action in actions(again)] == ["invited"] * 3
    assert again.context["confirm"] is None
    assert "đã được mời, chưa tham gia" in again.content.decode()
    # The first preview confirmed twice (a second tab, a double click).
    r = confirm(staff, first)
    assert r.status_code == 200
    assert "Chưa gửi lời mời nào" in r.content.decode()
    assert User.objects.filter(full_name="Lê Thị Hoa").count() == 1
    assert OutboundMessage.objects.filter(kind="invitation").count() == 3


def test_a_member_who_joined_is_left_unchanged(staff, world):
    world.district_a_officer.email = "binh.tv@thanhpho.gov.vn"
    world.district_a_officer.save()
    r = upload(staff, workbook())
    assert actions(r)[1] == (8, "member")
    r = confirm(staff, r)
    assert (
        "Đã gửi 2 lời mời, 1 giữ nguyên." in staff.get(r["Location"]).content.decode()
    )


def test_one_bad_row_saves_nothing_and_names_its_row_and_column(staff, world):
    people = [
        *PEOPLE,
        [4, "Đỗ Văn Dũng", "", "dung@x.vn", "", "UBND huyện Nga Sơn", ""],
    ]
    r = upload(staff, workbook(people))
    assert r.context["confirm"] is None
    assert actions(r)[-1] == (11, "error")
    place = "dòng 11, cột F “Đơn vị”"
    page = r.content.decode()
    assert place in page
    assert "Không có đơn vị nào có mã hoặc tên “UBND huyện Nga Sơn”" in page
    assert not User.objects.filter(full_name__in=["Lê Thị Hoa", "Đỗ Văn Dũng"]).exists()


def test_an_address_taken_after_the_preview_stops_the_whole_file(staff, world):
    preview = upload(staff, workbook())
    world.telecom_officer.email = "binh.tv@thanhpho.gov.vn"
    world.telecom_officer.save()
    r = confirm(staff, preview)
    assert r.status_code == 200
    assert actions(r)[1] == (8, "error")
    assert "dòng 8, cột D “Thư điện tử”" in r.content.decode()
    assert not User.objects.filter(full_name="Lê Thị Hoa").exists()
    assert not OutboundMessage.objects.filter(kind="invitation").exists()


def test_a_windows_1258_csv_without_a_role_column_is_read(staff, world):
    lines = [
        "Họ tên;Email;Điện thoại;Cơ quan",
        "Vũ Thị Én;en.vt@dongson.gov.vn;;UBND huyện Đông Sơn",
        ";;;",
        "Hà Văn Giang;;0912 000 111;Bưu điện Thử",
    ]
    r = upload(staff, windows_1258("\r\n".join(lines) + "\r\n"), "moi.csv")
    assert actions(r) == [(2, "invite"), (4, "invite")]
    rows = r.context["plan"].rows
    assert rows[0].row.full_name == "Vũ Thị Én"
    assert (rows[1].organisation, rows[1].role) == (world.postal, "editor")
    confirm(staff, r)
    assert User.objects.get(full_name="Vũ Thị Én").membership.organisation == (
        world.district_b
    )


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8-sig"), ("\t", "utf-16")]
)
def test_a_text_file_with_headers_without_diacritics_is_read(
    staff, world, delimiter, encoding
):
    lines = [
        ["Ho ten", "E-mail", "SDT", "To chuc", "Quyen"],
        ["Lương Văn Hải", "hai@dongson.gov.vn", "", "district-b", "xem"],
    ]
    text = "".join(delimiter.join(line) + "\r\n" for line in lines)
    r = upload(staff, text.encode(encoding), "moi.csv")
    assert actions(r) == [(2, "invite")]
    assert r.context["plan"].rows[0].role == MemberRole.VIEWER


# --- What the plan refuses ------------------------------------------------


def plan_of(world, rows):
    columns = parse_people_file(content=workbook()).columns
    return invitation_import_plan(
        rows=rows, columns=columns, organisations=Organisation.objects.all()
    )


def row(n, **kw) -> PersonRow:
    values = {
        "full_name": f"Người {n}",
        "email": f"nguoi{n}@dongson.gov.vn",
        "phone": "",
        "organisation": "district-b",
        "role": "",
    }
    values.update(kw)
    return PersonRow(row_number=n, **values)


def messages_of(plan) -> list[tuple[int, str, str]]:
    return [(e.row_number, e.column, e.message) for e in plan.errors]


def test_the_plan_names_each_problem_by_row_and_column(world, settings):
    settings.USE_SMS = False
    plan = plan_of(
        world,
        [
            row(7, full_name=" "),
            row(8, email="", phone="0912 345 678"),
            row(9, role="phó phòng"),
            row(10, email="NGUOI7@dongson.gov.vn"),
        ],
    )
    found = messages_of(plan)
    assert found[0] == (7, "Họ và tên", "Hãy nhập họ và tên của người này.")
    assert found[1][:2] == (8, "Thư điện tử")
    assert found[2][:2] == (9, "Vai trò") and "thủ trưởng" in found[2][2]
    assert found[3] == (
        10,
        "Thư điện tử",
        "Trùng thư điện tử với dòng 7: mỗi người chỉ được mời một lần.",
    )
    assert [p.action for p in plan.rows] == ["error"] * 3 + ["error"]


def test_an_address_too_long_for_a_login_name_is_a_rows_error(world):
    """The file's limit is an e-mail field's (254); the address is also the
    login name, which holds 150."""
    long_address = "a" * 64 + "@" + "b" * 63 + "." + "c" * 40 + ".vn"
    plan = plan_of(world, [row(7, email=long_address)])
    assert messages_of(plan) == [
        (
            7,
            "Thư điện tử",
            "Địa chỉ thư điện tử dài tối đa 150 ký tự (địa chỉ này có 172).",
        )
    ]


def test_an_address_of_another_organisations_account_is_refused(world, settings):
    settings.USE_SMS = True
    world.telecom_officer.phone = "+84912345678"
    world.telecom_officer.save()
    plan = plan_of(world, [row(7, email="", phone="0912345678")])
    assert plan.errors[0].column == "Số điện thoại"
    assert "đơn vị khác" in plan.errors[0].message


def test_an_organisation_is_found_by_code_or_name_whatever_the_case_and_marks(world):
    names = ["DISTRICT-B", "UBND Huyện Đông Sơn", "ubnd huyen dong son", "Sở TTTT Thử"]
    plan = plan_of(world, [row(n, organisation=v) for n, v in enumerate(names, 7)])
    assert plan.errors == []
    found = [p.organisation for p in plan.rows]
    assert found == [world.district_b] * 3 + [world.department]


def test_a_name_two_organisations_share_asks_for_the_code(world):
    OrganisationFactory(kind="telecom", code="vt-2", name="Viễn thông thử")
    plan = plan_of(world, [row(7, organisation="vien thong thu")])
    assert plan.errors[0].column == "Đơn vị"
    assert "hãy ghi mã của đơn vị cần mời" in plan.errors[0].message


def test_roles_are_read_in_either_language(world):
    words = {
        "thủ trưởng": "head",
        "Trưởng": "head",
        "head": "head",
        "cán bộ": "editor",
        "nhap lieu": "editor",
        "Editor": "editor",
        "chỉ xem": "viewer",
        "reader": "viewer",
    }
    rows = [row(n, role=word) for n, word in enumerate(words, 7)]
    plan = plan_of(world, rows)
    assert [p.role for p in plan.rows] == list(words.values())


def test_an_invited_person_of_the_file_is_unchanged_in_the_plan(world):
    person_invite(
        draft=PersonDraft(
            "Người 7", "nguoi7@dongson.gov.vn", "", "editor", world.district_b
        ),
        by=world.staff,
    )
    plan = plan_of(world, [row(7), row(8)])
    assert [p.action for p in plan.rows] == [RowAction.INVITED, RowAction.INVITE]
    assert (len(plan.to_invite), plan.unchanged) == (1, 1)


def test_the_plan_takes_as_many_queries_for_many_rows_as_for_few(world):
    with CaptureQueriesContext(connection) as few:
        plan_of(world, [row(n) for n in range(7, 10)])
    with CaptureQueriesContext(connection) as many:
        plan_of(world, [row(n) for n in range(7, 60)])
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


def test_a_file_without_an_organisation_column_is_refused_as_a_whole(staff):
    r = upload(staff, workbook([p[:6] for p in PEOPLE if p], header=HEADER[:5]))
    assert r.context["plan"].rows == []
    assert "Tệp không có cột “Đơn vị”" in r.content.decode()


def test_an_xls_workbook_is_read_and_its_header_found_below_the_titles():
    # A district's contact list (tests/contacts/files): people, but no
    # organisation column.
    content = (FILES / "danh-sach-dong-son.xls").read_bytes()
    parsed = parse_people_file(content=content)
    assert parsed.header_row == 7
    assert parsed.columns["full_name"].letter == "B"
    assert [e.message for e in parsed.errors] == [
        "Tệp không có cột “Đơn vị”. Hãy đặt cho cột đó một tiêu đề như trong tệp mẫu."
    ]


def test_a_file_of_too_many_people_is_refused_as_a_whole():
    lines = ["Họ và tên,Thư điện tử,Đơn vị"]
    lines += [f"Người {n},n{n}@x.vn,district-b" for n in range(MAX_PEOPLE + 1)]
    parsed = parse_people_file(content="\n".join(lines).encode())
    assert parsed.rows == []
    assert [e.message for e in parsed.errors] == [too_many_people_message()]


def test_a_formula_cell_is_refused_with_its_place(staff):
    people = [[1, "Lê Thị Hoa", "", '=HYPERLINK("http://x")', "", "district-b", ""]]
    r = upload(staff, workbook(people))
    assert [(e.place, e.message) for e in r.context["plan"].errors] == [
        (
            "dòng 7, cột D “Thư điện tử”",
            "Ô này chứa công thức; hãy gõ trực tiếp giá trị.",
        )
    ]
    assert r.context["confirm"] is None


def test_a_tampered_preview_sends_nothing(staff):
    preview = upload(staff, workbook())
    signed = preview.context["confirm"]["rows"].value()
    r = staff.post(URL, {"rows": signed[:-3] + "abc"}, follow=True)
    assert "Không đọc được bản xem trước này" in r.content.decode()
    assert not OutboundMessage.objects.filter(kind="invitation").exists()


def test_the_template_imports_as_it_is_and_holds_no_formula(staff, world):
    OrganisationFactory(
        kind="telecom", code="viettel-thanhhoa", name="Viettel Thanh Hóa"
    )
    r = staff.get(reverse("contacts:people_import_template"))
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert [c.value for c in book.worksheets[0][2]] == [
        "Họ và tên",
        "Thư điện tử",
        "Số điện thoại",
        "Đơn vị",
        "Vai trò",
    ]
    assert not any(
        str(c.value).startswith("=") for s in book.worksheets for r in s.rows for c in r
    )
    preview = upload(staff, r.content)
    assert [a for _, a in actions(preview)] == ["invite", "invite"]


# --- Who may ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["people_import", "people_import_template"])
def test_only_department_editors_may_use_it(client, world, name):
    url = reverse(f"contacts:{name}")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.district_a_officer)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    for reader in (world.staff_viewer, world.observer):
        client.force_login(reader)
        assert client.get(url).status_code == 403
        assert (
            client.post(
                url, {"file": SimpleUploadedFile("a.xlsx", workbook())}
            ).status_code
            == 403
        )
    client.force_login(world.staff)
    assert client.get(url).status_code == 200
    assert not Membership.objects.filter(user__full_name="Lê Thị Hoa").exists()
