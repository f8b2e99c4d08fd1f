"""The import template and the exports: what a spreadsheet shows is text,
never a formula, and the template imports without errors."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from contacts.importers import COLUMNS, parse_contact_file
from contacts.spreadsheets import (
    active_sheet,
    contact_template_xlsx,
    rows_to_csv,
    rows_to_xlsx,
    safe_cell,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


# safe_cell


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        (
            '=HYPERLINK("http://evil.example","Bấm vào")',
            '\'=HYPERLINK("http://evil.example","Bấm vào")',
        ),
        ("+84912345678", "'+84912345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_safe_cell_escapes_each_dangerous_prefix(value, shown):
    assert safe_cell(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Lê Văn Hùng", "Lê Văn Hùng"),
        ("0912 345 678", "0912 345 678"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (-5, "-5"),
        (1.5, "1.5"),
    ],
)
def test_safe_cell_leaves_plain_values_alone(value, shown):
    assert safe_cell(value) == shown


# Exports.

HEADERS = ["Họ và tên", "Số điện thoại", "Ghi chú", "Số người", "Ngày"]
ROWS: list[list[object]] = [
    ["Lê Văn Hùng", "+84912345678", "=1+1", 3, datetime.date(2021, 5, 23)],
    ["Nguyễn Thị Lan", "0987 654 321", "@cmd|' /C calc'!A0", None, None],
    ["Trần\x07 Văn Nam", "-", "\t=2", -1, None],
]


def test_an_exported_xlsx_has_escaped_text_and_no_formula():
    sheet = active_sheet(load(rows_to_xlsx(HEADERS, ROWS)))
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1][:4] == ["Lê Văn Hùng", "'+84912345678", "'=1+1", 3]
    assert values[2][2] == "'@cmd|' /C calc'!A0"
    assert values[3][:4] == ["Trần Văn Nam", "'-", "'\t=2", -1]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A1"].font.bold is True
    assert sheet.freeze_panes == "A2"


def test_exports_show_aware_datetimes_in_local_time():
    at = datetime.datetime(2021, 5, 23, 0, 30, tzinfo=datetime.UTC)
    sheet = active_sheet(load(rows_to_xlsx(["Lúc"], [[at]])))
    assert sheet["A2"].value == datetime.datetime(2021, 5, 23, 7, 30)
    assert rows_to_csv(["Lúc"], [[at]]).decode("utf-8-sig").splitlines()[1] == (
        "2021-05-23 07:30:00"
    )


def test_an_exported_xlsx_accepts_a_generator_of_rows():
    rows = ([f"Người {n}", f"+8491234567{n}"] for n in range(3))
    sheet = active_sheet(load(rows_to_xlsx(["Tên", "Số"], rows)))
    assert sheet.max_row == 4
    assert sheet["B4"].value == "'+84912345672"


def test_an_exported_csv_is_utf8_with_bom_and_escaped():
    content = rows_to_csv(HEADERS, ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == ["Lê Văn Hùng", "'+84912345678", "'=1+1", "3", "2021-05-23"]
    assert rows[2] == ["Nguyễn Thị Lan", "0987 654 321", "'@cmd|' /C calc'!A0", "", ""]
    assert rows[3][1:3] == ["'-", "'\t=2"]


def test_an_exported_contact_list_imports_again():
    headers = [column.vi for column in COLUMNS]
    row = [
        "Ban bầu cử",
        "16378",
        "Thị trấn Rừng Thông",
        "Ban bầu cử đơn vị số 3",
        "",
        "UBND thị trấn Rừng Thông",
        "Phạm Thị Hoa",
        "Trưởng ban",
        "+84912345678 +842373718258",
        "",
        "-",
    ]
    for content in (rows_to_csv(headers, [row]), rows_to_xlsx(headers, [row])):
        result = parse_contact_file(content=content, filename="export")
        assert result.errors == []
        assert result.rows[0].phones == ("+84912345678", "+842373718258")
        assert result.rows[0].note == "-"


# The template.


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_imports_with_no_errors(language):
    result = parse_contact_file(
        content=contact_template_xlsx(language=language), filename="template.xlsx"
    )
    assert result.errors == []
    assert result.language == language
    assert [(r.body_kind, r.position) for r in result.rows] == [
        ("team", "chair"),
        ("team", "member"),
    ]
    assert result.rows[0].phones == ("+84912345678",)
    assert result.rows[0].body_key == result.rows[1].body_key


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_has_bold_frozen_headers_in_its_language(language):
    sheet = load(contact_template_xlsx(language=language)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [column.header(language) for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["F"].width >= 30
    assert sheet.max_row == 3


def test_the_template_keeps_phone_numbers_as_text():
    sheet = load(contact_template_xlsx(language="vi")).worksheets[0]
    phones = sheet["I2"]
    assert phones.value == "0912 345 678"
    assert phones.data_type == "s"
    assert phones.number_format == "@"
    assert sheet["B2"].value == "16378"
    assert sheet["B2"].number_format == "@"


@pytest.mark.parametrize(
    ("language", "title", "kinds", "positions"),
    [
        ("vi", "Hướng dẫn", "Ủy ban bầu cử, UBBC", "Chủ tịch, Trưởng ban"),
        ("en", "Instructions", "Election Committee", "chair, vice-chair"),
    ],
)
def test_the_template_explains_each_column(language, title, kinds, positions):
    workbook = load(contact_template_xlsx(language=language))
    assert workbook.sheetnames[1] == title
    lines = {
        row[0]: row[1:] for row in workbook[title].iter_rows(values_only=True) if row[0]
    }
    for column in COLUMNS:
        required, how = lines[column.header(language)]
        assert bool(required) is (column.required or column.key.startswith("unit_"))
        assert how
    assert kinds in str(lines[COLUMNS[0].header(language)][1])
    assert positions in str(lines[COLUMNS[7].header(language)][1])
