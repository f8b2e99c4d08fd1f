"""The import preview says how the district's own file was read and lets its
officer change it: which column holds what the header does not name
(remembered for the district's next files), which sheet of a workbook,
where each error is in the file, what was done to old phone numbers, and
which columns were not read. Through the real views, in Vietnamese."""

import html
import io
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import (
    Contact,
    ContactImport,
    ElectionBody,
    ImportColumns,
    MembershipRole,
)
from contacts.spreadsheets import active_sheet
from tests.factories import MembershipFactory

# A district's own layout: its own word for the person's name ("Cán bộ phụ
# trách", which the import does not know) and a column the import does not
# read ("Quê quán").
OWN_HEADER = [
    "Loại tổ chức",
    "Mã đơn vị hành chính",
    "Tên tổ chức",
    "Khu vực bỏ phiếu",
    "Địa điểm làm việc",
    "Cán bộ phụ trách",
    "Chức vụ",
    "Số điện thoại",
    "Quê quán",
]


def own_rows(communes, phones=("0912 345 678", "0987 654 321")) -> list[list]:
    return [
        [
            "Tổ bầu cử",
            commune.code,
            f"Tổ bầu cử số {n}",
            f"KVBP {n}",
            f"Nhà văn hóa thôn {n}",
            name,
            "Tổ trưởng",
            phone,
            "Thanh Hóa",
        ]
        for n, (commune, name, phone) in enumerate(
            zip(communes, ("Lê Văn An", "Trần Thị Bình"), phones, strict=False), 1
        )
    ]


def csv_of(rows: list[list]) -> bytes:
    return "".join(";".join(str(v) for v in row) + "\n" for row in rows).encode()


def xlsx_of(sheets: list[tuple[str, list[list]]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    for index, (name, rows) in enumerate(sheets):
        if index:
            sheet = workbook.create_sheet(name)
        sheet.title = name
        for values in rows:
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_of(sheets: list[tuple[str, list[list]]]) -> bytes:
    """An OpenDocument spreadsheet, written by hand (no .ods writer is
    installed): text cells only."""

    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f"{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def upload(client, contact_list, content: bytes, name: str) -> ContactImport:
    r = client.post(
        reverse("contacts:import_upload", args=[contact_list.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return ContactImport.objects.latest("pk")


def preview_url(contact_import) -> str:
    return reverse("contacts:import_preview", args=[contact_import.pk])


def columns_url(contact_import) -> str:
    return reverse("contacts:import_columns", args=[contact_import.pk])


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def text_of(page: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def section(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found is not None, pattern
    return found.group()


def selected(page: str, name: str) -> str:
    """The value the select `name` shows selected ("" if none)."""
    select = re.search(f'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, f"no select {name}"
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select.group())
    return found.group(1) if found else ""


def apply(client, contact_import, **data):
    return client.post(reverse("contacts:import_apply", args=[contact_import.pk]), data)


def draft_people(contact_list) -> list[str]:
    return sorted(
        Contact.objects.filter(
            body__contact_list=contact_list, body__version=None
        ).values_list("full_name", flat=True)
    )


@pytest.fixture
def officer(client, world):
    client.force_login(world.district_a_officer)
    return client


# --- The columns the header does not name ---------------------------------------


def test_a_column_the_header_does_not_name_is_chosen_on_the_preview(
    officer, list_a, communes_a
):
    contact_import = upload(
        officer, list_a, csv_of([OWN_HEADER, *own_rows(communes_a)]), "ds.csv"
    )
    page = page_of(officer.get(preview_url(contact_import)))
    assert "Tệp không có cột “Họ và tên”" in page
    form = re.search(
        r'<div class="card mb-3" id="import-columns">.*?</form>', page, re.S
    )
    assert form is not None
    assert "Họ và tên" in form.group()
    assert '<option value="F">F – Cán bộ phụ trách</option>' in form.group()
    assert "Các cột không đọc: “Cán bộ phụ trách”, “Quê quán”" in text_of(page)

    r = officer.post(
        columns_url(contact_import), {"columns": "True", "column_full_name": "F"}
    )
    assert r.status_code == 302 and r["Location"] == preview_url(contact_import)
    r = officer.get(preview_url(contact_import))
    page = page_of(r)
    assert 'id="import-errors"' not in page
    assert (r.context["created"], r.context["plan"].errors) == (2, [])
    assert "cột F “Cán bộ phụ trách” chứa “Họ và tên”" in text_of(page)
    assert "Các cột không đọc: “Quê quán”" in text_of(page)
    assert selected(page, "column_full_name") == "F"

    apply(officer, contact_import, read_as=r.context["plan"].choice)
    assert draft_people(list_a) == ["Lê Văn An", "Trần Thị Bình"]


def test_the_choice_is_remembered_for_the_districts_next_file(
    client, world, officer, list_a, communes_a
):
    content = csv_of([OWN_HEADER, *own_rows(communes_a)])
    first = upload(officer, list_a, content, "ds.csv")
    officer.post(columns_url(first), {"columns": "True", "column_full_name": "F"})
    apply(officer, first)

    # The next file in the same layout is read with it, and the preview
    # says so and offers to change it.
    again = upload(officer, list_a, content, "ds-2.csv")
    r = officer.get(preview_url(again))
    page = page_of(r)
    assert r.context["plan"].errors == [] and r.context["unchanged"] == 2
    assert (
        "Một số cột được đọc theo lựa chọn của đơn vị bạn cho một tệp trước có "
        "cùng tiêu đề: cột F “Cán bộ phụ trách” chứa “Họ và tên”"
    ) in text_of(page)
    assert selected(page, "column_full_name") == "F"

    # Changed: "not in the file" asks again, and is remembered too.
    officer.post(columns_url(again), {"columns": "True", "column_full_name": ""})
    page = page_of(officer.get(preview_url(again)))
    assert "Tệp không có cột “Họ và tên”" in page
    assert ImportColumns.objects.get(organisation=world.district_a).columns == {}

    # Another district's file is not read with district A's choice.
    other = upload(officer, list_a, content, "ds-3.csv")
    officer.post(columns_url(other), {"columns": "True", "column_full_name": "F"})
    list_b = list_a.__class__.objects.create(
        election=list_a.election, organisation=world.district_b
    )
    client.force_login(world.district_b_officer)
    communes_b = list(world.district_b.unit.children.order_by("code"))
    theirs = upload(
        client, list_b, csv_of([OWN_HEADER, *own_rows(communes_b)]), "b.csv"
    )
    assert "Tệp không có cột “Họ và tên”" in page_of(client.get(preview_url(theirs)))


def test_a_title_block_above_a_header_of_unknown_words_still_offers_its_columns(
    officer, list_a, communes_a
):
    """Neither the name nor the phone header is known: the header is still
    found below the district's title block, and its columns are offered."""
    header = ["STT", "Loại", "Mã xã", "Đơn vị", "Cán bộ", "Chức vụ", "Liên lạc"]
    rows: list[list] = [
        ["ỦY BAN NHÂN DÂN HUYỆN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH CÁN BỘ PHỤ TRÁCH BẦU CỬ"],
        [],
        header,
        [
            1,
            "Tổ bầu cử",
            communes_a[0].code,
            "Tổ bầu cử số 1",
            "Lê Văn An",
            "Tổ trưởng",
            "0912 345 678",
        ],
    ]
    contact_import = upload(officer, list_a, xlsx_of([("DS", rows)]), "ds.xlsx")
    page = page_of(officer.get(preview_url(contact_import)))
    assert '<option value="E">E – Cán bộ</option>' in page
    assert '<option value="G">G – Liên lạc</option>' in page
    officer.post(
        columns_url(contact_import),
        {"columns": "True", "column_full_name": "E", "column_phones": "G"},
    )
    r = officer.get(preview_url(contact_import))
    assert r.context["plan"].errors == []
    assert [item.row.full_name for item in r.context["plan"].rows] == ["Lê Văn An"]


def test_a_bad_choice_is_refused_in_vietnamese_and_keeps_what_was_chosen(
    officer, world, list_a, communes_a
):
    header = [*OWN_HEADER[:7], "Liên lạc", "Quê quán"]  # no known phone header
    contact_import = upload(
        officer, list_a, csv_of([header, *own_rows(communes_a)]), "ds.csv"
    )
    url = columns_url(contact_import)
    cases = [
        (
            {"column_full_name": "F", "column_phones": "F"},
            "Cột F “Cán bộ phụ trách” được chọn cho cả “Họ và tên” và “Số điện "
            "thoại”; hãy chọn một cột khác cho mỗi mục.",
            {"column_full_name": "F", "column_phones": "F"},
        ),
        (
            {"column_full_name": "Z", "column_phones": "H"},
            "Tệp không có cột “Z”; hãy chọn một trong các cột của tệp.",
            {"column_full_name": "", "column_phones": "H"},
        ),
        (
            {"column_full_name": "G", "column_phones": "H"},
            "Cột G “Chức vụ” đã chứa “Chức vụ”; hãy chọn cột khác.",
            {"column_full_name": "G", "column_phones": "H"},
        ),
    ]
    for data, message, kept in cases:
        r = officer.post(url, {"columns": "True", **data})
        assert r.status_code == 200
        page = page_of(r)
        assert message in page
        assert 'class="invalid-feedback' in page
        for name, value in kept.items():
            assert selected(page, name) == value
    contact_import.refresh_from_db()
    assert contact_import.column_map == {}
    assert not ImportColumns.objects.exists()
    assert ElectionBody.objects.count() == 0


# --- The sheet ----------------------------------------------------------------


TEMPLATE_HEADER = [
    "Loại tổ chức",
    "Mã đơn vị hành chính",
    "Tên tổ chức",
    "Họ và tên",
    "Chức vụ",
    "Số điện thoại",
]


def two_sheets(communes) -> list[tuple[str, list[list]]]:
    def person(n, name, phone) -> list:
        return [
            "Tổ bầu cử",
            communes[0].code,
            f"Tổ bầu cử số {n}",
            name,
            "Tổ trưởng",
            phone,
        ]

    return [
        ("Danh sách", [TEMPLATE_HEADER, person(1, "Lê Văn An", "0912 345 678")]),
        ("Bổ sung", [TEMPLATE_HEADER, person(2, "Trần Thị Bình", "0987 654 321")]),
    ]


@pytest.mark.parametrize(("writer", "name"), [(xlsx_of, "ds.xlsx"), (ods_of, "ds.ods")])
def test_the_officer_reads_another_sheet_of_the_workbook(
    officer, list_a, communes_a, writer, name
):
    contact_import = upload(officer, list_a, writer(two_sheets(communes_a)), name)
    r = officer.get(preview_url(contact_import))
    page = page_of(r)
    assert "Đọc từ trang tính “Danh sách”." in text_of(page)
    assert selected(page, "sheet") == "Danh sách"
    assert '<option value="Bổ sung">Bổ sung</option>' in page
    assert [i.row.full_name for i in r.context["plan"].rows] == ["Lê Văn An"]

    r = officer.post(columns_url(contact_import), {"sheet": "Không có"})
    assert r.status_code == 200
    assert (
        "Tệp không có trang tính “Không có”; hãy chọn một trong các trang tính của tệp."
        in page_of(r)
    )

    officer.post(columns_url(contact_import), {"sheet": "Bổ sung"})
    r = officer.get(preview_url(contact_import))
    assert "Đọc từ trang tính “Bổ sung”." in text_of(page_of(r))
    assert [i.row.full_name for i in r.context["plan"].rows] == ["Trần Thị Bình"]
    apply(officer, contact_import, read_as=r.context["plan"].choice)
    assert draft_people(list_a) == ["Trần Thị Bình"]


# --- Where the problems are, the phone notes ---------------------------------------


def test_errors_say_where_they_are_in_the_officers_file_and_notes_are_shown(
    officer, world, list_a, communes_a
):
    other = world.district_b.unit.children.first()
    rows = own_rows(communes_a, phones=("01693456789", "0912 345"))
    rows.append(
        [
            "Tổ bầu cử",
            other.code,
            "Tổ bầu cử số 3",
            "",
            "",
            "Hà Văn Dũng",
            "Tổ trưởng",
            "0912 000 111",
            "",
        ]
    )
    header = [*OWN_HEADER[:5], "Họ và tên", *OWN_HEADER[6:]]
    contact_import = upload(officer, list_a, csv_of([header, *rows]), "ds.csv")
    page = page_of(officer.get(preview_url(contact_import)))
    errors = section(page, r'<table[^>]*id="import-errors".*?</table>')
    assert "<td>3</td><td>dòng 3, cột H “Số điện thoại”</td>" in errors
    assert (
        f"<td>4</td><td>dòng 4, cột B “Mã đơn vị hành chính”</td><td>“{other.code}”"
        in errors
    )
    notes = section(page, r'<section id="import-notes".*?</section>')
    assert "01693456789 → 0393 456 789, đổi đầu số từ 2018" in notes
    assert "Các cột không đọc: “Quê quán”" in text_of(page)


# --- The confirmation --------------------------------------------------------------


def test_confirming_a_preview_read_with_other_columns_is_refused(
    officer, list_a, communes_a
):
    """The officer changes the columns after the preview was shown (in
    another tab): confirming the old preview saves nothing; the kept plan
    follows the new columns, without reading the file again."""
    content = csv_of([OWN_HEADER, *own_rows(communes_a)])
    contact_import = upload(officer, list_a, content, "ds.csv")
    officer.post(
        columns_url(contact_import), {"columns": "True", "column_full_name": "F"}
    )
    shown = officer.get(preview_url(contact_import)).context["plan"]
    officer.post(
        columns_url(contact_import), {"columns": "True", "column_full_name": "I"}
    )
    r = apply(officer, contact_import, read_as=shown.choice, shown=shown.fingerprint)
    assert r.status_code == 302 and r["Location"].startswith(
        preview_url(contact_import)
    )
    assert ElectionBody.objects.count() == 0
    message = officer.get(r["Location"])
    assert "Trang tính hoặc các cột dùng để đọc tệp đã thay đổi" in page_of(message)

    contact_import.file.storage.delete(str(contact_import.file.name))
    r = officer.get(preview_url(contact_import))
    assert [i.row.full_name for i in r.context["plan"].rows] == ["Thanh Hóa"] * 2
    apply(officer, contact_import, read_as=r.context["plan"].choice)
    assert draft_people(list_a) == ["Thanh Hóa", "Thanh Hóa"]


def test_a_whole_list_confirmation_still_refuses_a_draft_changed_since(
    officer, list_a, communes_a
):
    content = csv_of([OWN_HEADER, *own_rows(communes_a)])
    first = upload(officer, list_a, content, "ds.csv")
    officer.post(columns_url(first), {"columns": "True", "column_full_name": "F"})
    apply(officer, first)
    again = upload(officer, list_a, content, "ds-2.csv")
    shown = officer.get(preview_url(again), {"mode": "whole_list"}).context["plan"]
    Contact.objects.filter(full_name="Lê Văn An").update(note="đổi")
    apply(
        officer, again, mode="whole_list", shown=shown.fingerprint, read_as=shown.choice
    )
    again.refresh_from_db()
    assert again.status == "uploaded"


# --- Who may choose ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("district_b_officer", 404),
        ("staff", 404),
        ("telecom_officer", 404),
        ("district_a_viewer", 403),
    ],
)
def test_only_the_districts_editors_choose(
    client, world, officer, list_a, communes_a, user, status
):
    contact_import = upload(
        officer, list_a, csv_of([OWN_HEADER, *own_rows(communes_a)]), "ds.csv"
    )
    if user == "district_a_viewer":
        viewer = MembershipFactory(
            organisation=world.district_a, role=MembershipRole.VIEWER
        ).user
        client.force_login(viewer)
        page = page_of(client.get(preview_url(contact_import)))
        assert 'id="import-errors"' in page and 'id="import-columns"' not in page
    else:
        client.force_login(getattr(world, user))
    r = client.post(
        columns_url(contact_import), {"columns": "True", "column_full_name": "F"}
    )
    assert r.status_code == status
    contact_import.refresh_from_db()
    assert contact_import.column_map == {}
    assert not ImportColumns.objects.exists()
    assert client.get(columns_url(contact_import)).status_code == 405
