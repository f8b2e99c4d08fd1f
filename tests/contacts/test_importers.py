"""A district's contact list is read from .xlsx or CSV bytes into rows and
plain-language errors, without touching the database."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from django.utils import translation

from contacts.importers import (
    COLUMNS,
    COLUMNS_BY_KEY,
    FILE_EMPTY,
    FILE_NOT_A_WORKBOOK,
    FILE_NOT_SPREADSHEET,
    FORMULA_CELL,
    MAX_IMPORT_BYTES,
    ContactRow,
    RowError,
    body_conflict_message,
    duplicate_row_message,
    file_too_large_message,
    invalid_email_message,
    missing_column_message,
    missing_unit_columns_message,
    missing_unit_message,
    missing_value_message,
    parse_contact_file,
    repeated_column_message,
    too_long_message,
    unit_not_in_name_message,
    unknown_body_kind_message,
    unknown_position_message,
)
from contacts.spreadsheets import active_sheet

VI = [column.vi for column in COLUMNS]
EN = [column.en for column in COLUMNS]

HUNG = {
    "body_kind": "Tổ bầu cử",
    "unit_code": "16378",
    "unit_name": "Thị trấn Rừng Thông",
    "body_name": "Tổ bầu cử số 1",
    "polling_areas": "Khu vực bỏ phiếu số 1",
    "location": "Nhà văn hóa Tiểu khu 1",
    "full_name": "Lê Văn Hùng",
    "position": "Tổ trưởng",
    "phones": "0912 345 678",
    "email": "lvhung@thanhhoa.gov.vn",
    "note": "Trực cả ngày",
}
LAN = {**HUNG, "full_name": "Nguyễn Thị Lan", "position": "Thành viên"}
LAN.update(phones="0987.654.321; (0237) 3718258", email="", note="")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(person=HUNG, **changes) -> list:
    values = {**person, **changes}
    return [values[column.key] for column in COLUMNS]


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for values in rows:
        active_sheet(workbook).append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter=",", bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def parse(content: bytes, filename="list.xlsx"):
    return parse_contact_file(content=content, filename=filename)


def only_error(result) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# Reading good files.


def test_it_reads_a_vietnamese_xlsx():
    result = parse(xlsx([VI, row(), row(LAN)]))
    assert result.errors == []
    assert result.language == "vi"
    assert result.rows == [
        ContactRow(
            row_number=2,
            body_kind="team",
            unit_code="16378",
            unit_name="Thị trấn Rừng Thông",
            body_name="Tổ bầu cử số 1",
            polling_areas="Khu vực bỏ phiếu số 1",
            location="Nhà văn hóa Tiểu khu 1",
            full_name="Lê Văn Hùng",
            position="chair",
            phones=("+84912345678",),
            email="lvhung@thanhhoa.gov.vn",
            note="Trực cả ngày",
        ),
        ContactRow(
            row_number=3,
            body_kind="team",
            unit_code="16378",
            unit_name="Thị trấn Rừng Thông",
            body_name="Tổ bầu cử số 1",
            polling_areas="Khu vực bỏ phiếu số 1",
            location="Nhà văn hóa Tiểu khu 1",
            full_name="Nguyễn Thị Lan",
            position="member",
            phones=("+84987654321", "+842373718258"),
            email="",
            note="",
        ),
    ]


def test_it_reads_english_headers_and_values():
    person = {**HUNG, "body_kind": "Election Board", "position": "vice-chair"}
    result = parse(csv_bytes([EN, row(person)]), "list.csv")
    assert result.errors == []
    assert result.language == "en"
    assert (result.rows[0].body_kind, result.rows[0].position) == (
        "board",
        "vice_chair",
    )


def test_headers_match_whatever_the_case_spacing_and_diacritics():
    headers = [
        "LOAI TO CHUC",
        "ma don vi hanh chinh",
        "Tên  đơn vị hành chính ",
        "tên tổ chức",
        "Khu vuc bo phieu",
        "ĐỊA ĐIỂM LÀM VIỆC",
        "Họ và tên (*)",
        "chuc vu",
        "So dien thoai",
        "E-mail",
        "ghi chu",
    ]
    result = parse(xlsx([headers, row()]))
    assert result.errors == []
    assert result.rows[0].phones == ("+84912345678",)


def test_it_ignores_extra_columns_and_their_order():
    keys = ["full_name", "phones", "body_name", "position", "unit_name", "body_kind"]
    headers = ["STT", *[COLUMNS_BY_KEY[key].vi for key in keys], "Đơn vị cũ"]
    values = ["1", *[HUNG[key] for key in keys], "Xã cũ"]
    numbered_but_empty = ["2", "", "", "", "", "", "", ""]
    result = parse(xlsx([headers, values, numbered_but_empty]))
    assert result.errors == []
    assert len(result.rows) == 1
    assert result.rows[0].unit_code == ""
    assert result.rows[0].unit_name == "Thị trấn Rừng Thông"


def test_it_skips_empty_rows_and_keeps_the_users_row_numbers():
    result = parse(xlsx([VI, row(), ["", "  ", None], row(LAN)]))
    assert result.errors == []
    assert [r.row_number for r in result.rows] == [2, 4]


def test_the_header_is_found_below_a_title():
    result = parse(xlsx([["DANH SÁCH TỔ BẦU CỬ"], [], VI, row()]))
    assert result.errors == []
    assert [r.row_number for r in result.rows] == [4]
    assert result.header_rows == (3,)


def test_it_keeps_the_users_column_and_row_numbers_when_column_a_is_empty():
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    sheet.append(["", *VI])
    sheet.append(["", *row()])
    sheet.append(["", *row(LAN)])
    sheet["J3"] = '="0987"&"654321"'  # phones of the second person
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(buffer.getvalue())
    assert result.errors == [RowError(3, "Số điện thoại", str(FORMULA_CELL))]
    assert [r.row_number for r in result.rows] == [2]


def test_it_reads_body_columns_merged_down_over_the_people():
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    sheet.append(VI)
    sheet.append(row())
    sheet.append(row(LAN, body_kind=None, unit_code=None, body_name=None))
    for letter in "ABD":
        sheet.merge_cells(f"{letter}2:{letter}3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(buffer.getvalue())
    assert result.errors == []
    assert [r.body_name for r in result.rows] == ["Tổ bầu cử số 1"] * 2


def test_body_key_groups_the_rows_of_one_body():
    other_body = row(LAN, body_name="Tổ bầu cử số 2")
    result = parse(xlsx([VI, row(), row(LAN), other_body]))
    keys = [r.body_key for r in result.rows]
    assert keys[0] == keys[1] != keys[2]


# Vocabularies.


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("Ủy ban bầu cử", "committee"),
        ("Uỷ ban bầu cử", "committee"),
        ("UBBC", "committee"),
        ("Election Committee", "committee"),
        ("committee", "committee"),
        ("uy ban bau cu", "committee"),
        ("Ban bầu cử", "board"),
        ("bbc", "board"),
        ("ELECTION BOARD", "board"),
        ("board", "board"),
        ("Tổ bầu cử", "team"),
        ("TBC", "team"),
        ("Election Team", "team"),
        ("team", "team"),
    ],
)
def test_it_understands_body_kinds(typed, kind):
    result = parse(xlsx([VI, row(body_kind=typed)]))
    assert result.errors == []
    assert result.rows[0].body_kind == kind


@pytest.mark.parametrize(
    ("typed", "position"),
    [
        ("Chủ tịch", "chair"),
        ("Trưởng ban", "chair"),
        ("Tổ trưởng", "chair"),
        ("chair", "chair"),
        ("Phó Chủ tịch", "vice_chair"),
        ("Phó Trưởng ban", "vice_chair"),
        ("Tổ phó", "vice_chair"),
        ("vice-chair", "vice_chair"),
        ("Vice chair", "vice_chair"),
        ("Thư ký", "secretary"),
        ("thu ky", "secretary"),
        ("secretary", "secretary"),
        ("Ủy viên", "member"),
        ("Uỷ viên", "member"),
        ("Thành viên", "member"),
        ("member", "member"),
        ("Cán bộ trực", "on_duty"),
        ("Trực", "on_duty"),
        ("on-duty officer", "on_duty"),
    ],
)
def test_it_understands_positions(typed, position):
    result = parse(xlsx([VI, row(position=typed)]))
    assert result.errors == []
    assert result.rows[0].position == position


def test_an_unknown_body_kind_lists_the_accepted_values_in_the_files_language():
    result = parse(xlsx([VI, row(body_kind="Hội đồng bầu cử")]))
    assert only_error(result) == RowError(
        2, "Loại tổ chức", unknown_body_kind_message("Hội đồng bầu cử", "vi")
    )
    assert result.errors[0].message == (
        "“Hội đồng bầu cử” is not a body kind. Write one of: Ủy ban bầu cử, "
        "UBBC, Ban bầu cử, BBC, Tổ bầu cử, TBC."
    )
    english = parse(xlsx([EN, row(body_kind="Council")]))
    assert english.errors[0].message == (
        "“Council” is not a body kind. Write one of: Election Committee, "
        "Election Board, Election Team."
    )


def test_an_unknown_position_is_an_error_in_that_column():
    result = parse(xlsx([EN, row(position="Kế toán")]))
    assert only_error(result) == RowError(
        2, "Position", unknown_position_message("Kế toán", "en")
    )
    assert result.errors[0].message == (
        "“Kế toán” is not a position. Write one of: chair, vice-chair, "
        "secretary, member, on-duty officer."
    )
    assert result.rows == []


# Missing columns and cells.


# The body kind can be read from the body's name (test_layouts.py).
NEEDED = [c.key for c in COLUMNS if c.required and c.key != "body_kind"]


@pytest.mark.parametrize("key", NEEDED, ids=lambda key: key)
def test_a_missing_required_column_is_a_file_error_naming_it(key):
    index = [c.key for c in COLUMNS].index(key)
    headers = [h for i, h in enumerate(EN) if i != index]
    values = [v for i, v in enumerate(row()) if i != index]
    result = parse(xlsx([headers, values]))
    assert result.rows == []
    assert only_error(result) == RowError(
        0, "", missing_column_message(COLUMNS_BY_KEY[key].en)
    )


def test_missing_columns_are_named_in_the_files_language():
    result = parse(csv_bytes([VI[:4], ["Tổ bầu cử", "16378", "", "Tổ 1"]]))
    assert [e.message for e in result.errors] == [
        missing_column_message("Họ và tên"),
        missing_column_message("Chức vụ"),
        missing_column_message("Số điện thoại"),
    ]
    assert result.errors[0].message == (
        "The file has no “Họ và tên” column. Give that column one of the "
        "headers of the template, or choose it among the file's columns."
    )
    assert result.missing_keys == ["full_name", "position", "phones"]


def test_without_any_known_header_columns_are_named_in_the_pages_language():
    content = xlsx([["STT", "Ngày sinh"], ["1", "1970"]])
    assert parse(content).errors[0].message == missing_column_message("Body kind")
    assert parse(content).language == "en"
    with translation.override("vi"):
        assert parse(content).language == "vi"


def test_a_file_needs_a_unit_or_body_name_column():
    keep = [c.key not in ("unit_code", "unit_name", "body_name") for c in COLUMNS]
    headers = [h for h, kept in zip(EN, keep, strict=True) if kept]
    values = [v for v, kept in zip(row(), keep, strict=True) if kept]
    result = parse(xlsx([headers, values]))
    assert (
        RowError(0, "", missing_unit_columns_message("Unit code", "Unit name"))
        in result.errors
    )


def test_without_unit_columns_the_unit_comes_from_the_body_name():
    keep = [c.key not in ("unit_code", "unit_name") for c in COLUMNS]
    headers = [h for h, kept in zip(VI, keep, strict=True) if kept]
    named = [
        v
        for v, kept in zip(
            row(body_name="Tổ bầu cử số 1 - TT Rừng Thông"), keep, strict=True
        )
        if kept
    ]
    unnamed = [
        v for v, kept in zip(row(LAN, body_name="Tổ 2"), keep, strict=True) if kept
    ]
    result = parse(xlsx([headers, named, unnamed]))
    assert [r.unit_name for r in result.rows] == ["TT Rừng Thông"]
    assert result.errors == [
        RowError(3, "Tên tổ chức", unit_not_in_name_message("Tổ 2"))
    ]


def test_a_repeated_column_is_a_file_error():
    result = parse(xlsx([[*VI, "Họ và tên"], [*row(), "Lê Văn Hùng"]]))
    assert only_error(result) == RowError(0, "", repeated_column_message("Họ và tên"))


def test_every_phone_column_gives_the_person_numbers():
    result = parse(xlsx([[*VI, "Số điện thoại"], [*row(), "0987 654 321"]]))
    assert result.errors == []
    assert result.rows[0].phones == ("+84912345678", "+84987654321")


@pytest.mark.parametrize("key", NEEDED, ids=lambda key: key)
def test_each_required_cell_is_checked(key):
    result = parse(xlsx([VI, row(), row(LAN, **{key: "  "})]))
    header = COLUMNS_BY_KEY[key].vi
    assert only_error(result) == RowError(3, header, missing_value_message(header))
    assert [r.row_number for r in result.rows] == [2]


def test_the_missing_value_message():
    assert missing_value_message("Full name") == "“Full name” is empty; fill it in."


def test_a_row_needs_a_unit_code_or_name():
    result = parse(xlsx([EN, row(unit_code="", unit_name="")]))
    assert only_error(result) == RowError(
        2, "Unit code", missing_unit_message("Unit code", "Unit name")
    )
    assert result.errors[0].message == "Fill in “Unit code” or “Unit name”, or both."


def test_a_unit_code_alone_or_a_unit_name_alone_is_enough():
    rows = [VI, row(unit_name=""), row(LAN, unit_code="")]
    assert parse(xlsx(rows)).errors == []


def test_errors_name_the_column_as_written_in_the_file():
    headers = [h.upper() for h in VI]
    result = parse(xlsx([headers, row(full_name="")]))
    assert only_error(result) == RowError(
        2, "HỌ VÀ TÊN", missing_value_message("HỌ VÀ TÊN")
    )


# Formulas.


def test_a_formula_cell_in_xlsx_is_an_error_in_its_column():
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    sheet.append(VI)
    sheet.append(row())
    sheet.append(row(LAN))
    sheet["I3"] = '="0987"&"654321"'
    sheet["K2"] = '=UPPER("trực")'
    sheet["L2"] = "=1+1"  # a column of the district's own: ignored
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(buffer.getvalue())
    assert result.errors == [
        RowError(2, "Ghi chú", str(FORMULA_CELL)),
        RowError(3, "Số điện thoại", str(FORMULA_CELL)),
    ]
    assert result.rows == []
    assert str(FORMULA_CELL) == "This cell contains a formula; type the value itself."


def formula_in_row_3() -> bytes:
    return xlsx([VI, row(), row(LAN, phones='="0987"&"654321"')])


def rewrite_sheet(content: bytes, transform) -> bytes:
    """The same workbook with its first sheet's XML changed, as other
    programs than openpyxl write it."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = transform(data)
            target.writestr(info, data)
    return buffer.getvalue()


def without_cell_references(xml: bytes) -> bytes:
    return re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", xml)


def with_namespace_prefix(xml: bytes) -> bytes:
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)", rb"<\1x:\2", xml)
    return xml.replace(b'xmlns="', b'xmlns:x="')


@pytest.mark.parametrize(
    "transform",
    [without_cell_references, with_namespace_prefix],
    ids=["cells without references", "prefixed elements"],
)
def test_formulas_are_found_however_the_sheet_xml_is_written(transform):
    result = parse(rewrite_sheet(formula_in_row_3(), transform))
    assert result.errors == [RowError(3, "Số điện thoại", str(FORMULA_CELL))]
    assert [r.row_number for r in result.rows] == [2]


def test_a_sheet_declaring_a_dtd_is_refused():
    def add_dtd(xml: bytes) -> bytes:
        return b'<!DOCTYPE worksheet [<!ENTITY a "b">]>' + xml

    result = parse(rewrite_sheet(formula_in_row_3(), add_dtd))
    assert result.errors == [RowError(0, "", str(FILE_NOT_SPREADSHEET))]


def test_a_cell_starting_with_equals_in_csv_is_a_formula_error():
    rows = [VI, row(full_name='=HYPERLINK("http://x.example","Hùng")')]
    result = parse(csv_bytes(rows), "list.csv")
    assert only_error(result) == RowError(2, "Họ và tên", str(FORMULA_CELL))


def test_a_value_escaped_by_our_export_is_read_as_text():
    result = parse(csv_bytes([VI, row(phones="'+84 912 345 678")]), "list.csv")
    assert result.errors == []
    assert result.rows[0].phones == ("+84912345678",)


# Not a spreadsheet.


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        bytes(range(256)) * 8,
        b"PK\x03\x04 not really a zip",
    ],
    ids=["pdf", "random", "broken zip"],
)
def test_a_file_that_is_not_a_spreadsheet_gets_one_file_error(content):
    result = parse(content, "list.xlsx")
    assert result.rows == []
    assert result.errors == [RowError(0, "", str(FILE_NOT_SPREADSHEET))]
    assert result.errors[0].message == (
        "This file is not a spreadsheet (Excel .xlsx or .xls, OpenDocument .ods) "
        "or a text file (CSV, “Unicode text”). Save it as “Excel Workbook "
        "(.xlsx)” and import it again."
    )


@pytest.mark.parametrize(
    "content",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), zip_without_workbook()],
    ids=["broken xls", "docx-like zip"],
)
def test_an_office_file_that_is_no_workbook_says_so(content):
    result = parse(content, "list.xls")
    assert result.errors == [RowError(0, "", str(FILE_NOT_A_WORKBOOK))]


@pytest.mark.parametrize(
    "content",
    ["Loại tổ chức,Họ và tên\n".encode("utf-16"), "Ghi chú,Email\n".encode("cp1258")],
    ids=["utf-16", "cp1258"],
)
def test_unicode_text_and_windows_1258_are_read(content):
    assert RowError(0, "", missing_column_message("Chức vụ")) in parse(content).errors


def test_the_content_decides_not_the_file_name():
    result = parse(csv_bytes([VI, row()]), "danh-sach.xls")
    assert result.errors == []
    assert len(result.rows) == 1


def test_an_xlsx_named_csv_is_read_as_xlsx():
    assert parse(xlsx([VI, row()]), "list.csv").errors == []


@pytest.mark.parametrize(
    "content",
    [b"", xlsx([]), xlsx([VI]), csv_bytes([VI]), b"\xef\xbb\xbf", xlsx([VI, ["", ""]])],
    ids=["no bytes", "no rows", "header only", "csv header only", "bom", "blank"],
)
def test_a_file_without_contacts_is_a_file_error(content):
    result = parse(content)
    assert result.errors == [RowError(0, "", str(FILE_EMPTY))]


def test_a_file_over_the_limit_is_refused():
    result = parse(b"x" * (MAX_IMPORT_BYTES + 1))
    assert result.errors == [RowError(0, "", file_too_large_message())]
    assert result.errors[0].message == (
        "This file is larger than 10 MB. Split it into smaller files and import "
        "them one by one."
    )


# CSV flavours.


def test_it_reads_csv_with_a_bom():
    result = parse(csv_bytes([VI, row(), row(LAN)], bom=True), "list.csv")
    assert result.errors == []
    assert result.language == "vi"
    assert [r.full_name for r in result.rows] == ["Lê Văn Hùng", "Nguyễn Thị Lan"]


def test_it_reads_semicolon_csv():
    content = csv_bytes([VI, row(), row(LAN)], delimiter=";", bom=True)
    result = parse(content, "list.csv")
    assert result.errors == []
    assert result.rows[1].phones == ("+84987654321", "+842373718258")


def test_a_cell_with_numbers_on_several_lines_is_one_row():
    result = parse(
        csv_bytes([VI, row(phones="0912 345 678\n0987 654 321"), row(LAN)]), "l.csv"
    )
    assert result.errors == []
    assert result.rows[0].phones == ("+84912345678", "+84987654321")
    assert [r.row_number for r in result.rows] == [2, 3]


def test_it_normalises_vietnamese_text_to_nfc():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Lê Văn Hùng")
    result = parse(csv_bytes([VI, row(full_name=decomposed)]), "list.csv")
    assert result.rows[0].full_name == "Lê Văn Hùng"


# Cell values.


def test_a_phone_typed_as_an_excel_number_gets_its_leading_zero_back():
    rows = [
        VI,
        row(phones=912345678),
        row(LAN, phones=2373718258.0),
        row(LAN, full_name="Trần Văn Nam", phones=84987654321),
    ]
    result = parse(xlsx(rows))
    assert result.errors == []
    assert [r.phones for r in result.rows] == [
        ("+84912345678",),
        ("+842373718258",),
        ("+84987654321",),
    ]


def test_a_commune_code_typed_as_a_number_gets_its_leading_zero_back():
    result = parse(xlsx([VI, row(unit_code=7273, unit_name="Xã Đông Sơn")]))
    assert result.rows[0].unit_code == "07273"


def test_each_bad_phone_number_is_its_own_error():
    result = parse(xlsx([VI, row(phones="0109 123 4567; 0912 345 678; 1900 571 535")]))
    assert result.errors == [
        RowError(
            2,
            "Số điện thoại",
            "“0109 123 4567” is not a valid Vietnamese phone number.",
        ),
        RowError(
            2,
            "Số điện thoại",
            "“1900 571 535” is a toll-free or premium-rate number, not a person's "
            "phone.",
        ),
    ]
    assert result.rows == []


def test_separators_alone_are_a_missing_phone():
    result = parse(xlsx([VI, row(phones=" ; ; ")]))
    assert only_error(result) == RowError(
        2, "Số điện thoại", missing_value_message("Số điện thoại")
    )


def test_the_same_number_twice_in_a_row_is_kept_once():
    result = parse(xlsx([VI, row(phones="0912 345 678; +84912345678")]))
    assert result.rows[0].phones == ("+84912345678",)


def test_two_numbers_separated_by_spaces_alone_are_two_numbers():
    rows = [
        VI,
        row(phones="0912 345 678 0237 3852 123"),
        row(LAN, phones="01693456789 0904123456"),
    ]
    result = parse(xlsx(rows))
    assert result.errors == []
    hung, lan = result.rows
    assert hung.phones == ("+84912345678", "+842373852123")
    assert lan.phones == ("+84393456789", "+84904123456")
    assert len(lan.notes) == 1  # the old mobile number's conversion


def test_an_invalid_email_is_an_error():
    result = parse(xlsx([VI, row(email="hung@thanhhoa")]))
    assert only_error(result) == RowError(
        2, "Email", invalid_email_message("hung@thanhhoa")
    )
    assert result.errors[0].message == "“hung@thanhhoa” is not a valid e-mail address."


def test_a_value_longer_than_the_database_allows_is_an_error():
    result = parse(xlsx([EN, row(full_name="Nguyễn " * 40)]))
    assert only_error(result) == RowError(
        2, "Full name", too_long_message("Full name", 200)
    )


def test_all_errors_of_a_row_are_reported_in_column_order():
    bad = row(body_kind="?", position="?", phones="123", email="x")
    result = parse(xlsx([EN, bad]))
    assert [e.column for e in result.errors] == [
        "Body kind",
        "Position",
        "Phone numbers",
        "E-mail",
    ]


# Across rows.


def test_a_duplicate_row_is_an_error_on_the_later_row():
    again = row(
        full_name="LÊ VĂN  HÙNG", body_name="tổ bầu cử số 1", phones="0987 654 321"
    )
    result = parse(xlsx([VI, row(), row(LAN), again]))
    assert only_error(result) == RowError(4, "", duplicate_row_message(2))
    assert result.errors[0].message == "Duplicates row 2."
    assert [r.row_number for r in result.rows] == [2, 3]


def test_the_same_name_in_another_body_or_with_other_diacritics_is_not_a_duplicate():
    rows = [
        VI,
        row(),
        row(body_name="Tổ bầu cử số 2", location="Trường tiểu học"),
        row(unit_code="16379", unit_name="Xã Đông Hòa"),
        row(full_name="Lê Văn Hưng"),
    ]
    assert parse(xlsx(rows)).errors == []


def test_a_body_whose_rows_disagree_is_an_error_naming_the_earlier_row():
    rows = [
        VI,
        row(),
        row(LAN, location="Trường THCS Rừng Thông"),
        row(LAN, full_name="Trần Văn Nam", polling_areas="Khu vực bỏ phiếu số 2"),
    ]
    result = parse(xlsx(rows))
    assert result.errors == [
        RowError(3, "Địa điểm làm việc", body_conflict_message("Địa điểm làm việc", 2)),
        RowError(4, "Khu vực bỏ phiếu", body_conflict_message("Khu vực bỏ phiếu", 2)),
    ]
    assert result.errors[0].message == (
        "“Địa điểm làm việc” differs from row 2 of the same body; make them the same."
    )
    assert [r.row_number for r in result.rows] == [2]


def test_body_data_is_compared_without_case_or_extra_spaces():
    rows = [VI, row(), row(LAN, location="  nhà văn hóa   tiểu khu 1 ")]
    assert parse(xlsx(rows)).errors == []


def test_rows_with_errors_do_not_stop_the_others():
    rows = [VI, row(phones="0123"), row(LAN)]
    result = parse(xlsx(rows))
    assert [e.row_number for e in result.errors] == [2]
    assert [r.row_number for r in result.rows] == [3]


# --- Phone numbers: the importer's quick path gives the same answers -----------


def _reference_outcome(digits: str) -> tuple[str, str]:
    """contacts.phones.normalise_phone before the quick path: parse() first."""
    import phonenumbers

    from contacts.phones import NOT_PERSONAL_TYPES

    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        return "invalid", ""
    if not phonenumbers.is_valid_number(number):
        return "invalid", ""
    if phonenumbers.region_code_for_number(number) != "VN" and not (
        digits.startswith("+")
    ):
        return "foreign", ""
    if phonenumbers.number_type(number) in NOT_PERSONAL_TYPES:
        return "personal", ""
    return "valid", phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    )


def test_the_quick_phone_path_agrees_with_phonenumbers_parse():
    import random

    from contacts.phones import _classify

    generator = random.Random(2021)  # noqa: S311 (test data, not secrets)
    samples = []
    for prefix in range(100, 1000):  # every three-digit start of national digits
        for length in (7, 8, 9, 10):
            tail = "".join(generator.choice("0123456789") for _ in range(length - 3))
            national = f"{prefix}{tail}"
            samples += ["0" + national, "+84" + national]
    samples += ["1900123456", "01800123456", "+441234567890", "0169123456", "00"]
    for digits in samples:
        assert _classify.__wrapped__(digits) == _reference_outcome(digits), digits
