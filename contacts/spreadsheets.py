"""Writing spreadsheets: the contact-list import template and the exports.

Every text that reaches a cell goes through `safe_cell`, so that a value
typed by a user ("=HYPERLINK(…)", "+84…", "@SUM(…)") is shown as text and
never run as a formula (OWASP CSV injection; docs/conventions.md,
"Spreadsheets").
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from contacts.importers import (
    BODY_KIND_WORDS,
    COLUMNS,
    POSITION_WORDS,
    accepted_words,
)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The content type of every .xlsx the app sends.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> str:
    """`value` as text that no spreadsheet will run as a formula.

    Text beginning with =, +, -, @, tab or carriage return gets a leading "'".
    Phone numbers in E.164 ("+84…") are escaped too: exports show them as
    text. Numbers are not text a user typed and are returned as they are.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _local(value: object) -> object:
    return _naive(value) if isinstance(value, datetime.datetime) else value


def _naive(moment: datetime.datetime) -> datetime.datetime:
    # Spreadsheets have no time zones: show the local (TIME_ZONE) time.
    return timezone.make_naive(moment) if timezone.is_aware(moment) else moment


# What xlsx_value gives openpyxl.
XlsxCell = (
    str
    | int
    | float
    | Decimal
    | datetime.date
    | datetime.time
    | datetime.datetime
    | None
)


def xlsx_value(value: object) -> XlsxCell:
    """A value for openpyxl: text made safe and stripped of the control
    characters openpyxl refuses; numbers, dates and None as they are."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return _naive(value)
    if isinstance(value, datetime.date | datetime.time):
        return value
    return xlsx_text(value)


def active_sheet(workbook: Workbook) -> Worksheet:
    """The workbook's active sheet: a new workbook's one sheet, or the one a
    file opens on."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise ValueError("The workbook has no active worksheet.")
    return sheet


def xlsx_text(value: object) -> str:
    """`value` as safe text without the control characters openpyxl refuses."""
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def rows_to_xlsx(
    headers: list[str], rows: Iterable[Sequence], *, preamble: Sequence[Sequence] = ()
) -> bytes:
    """An .xlsx file with a bold header row, written in openpyxl's write-only
    mode so that large directory exports stay within memory. The `preamble`
    rows (an export's purpose, who and when) come first, above the headers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.freeze_panes = f"A{len(preamble) + 2}"
    bold = Font(bold=True)
    for row in preamble:
        sheet.append([xlsx_value(value) for value in row])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=xlsx_text(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_to_csv(
    headers: list[str], rows: Iterable[Sequence], *, preamble: Sequence[Sequence] = ()
) -> bytes:
    """Comma-separated UTF-8 with a BOM: Excel then opens Vietnamese text
    correctly instead of guessing the Windows code page. The `preamble` rows
    come first, above the headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in preamble:
        writer.writerow([safe_cell(_local(value)) for value in row])
    writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        writer.writerow([safe_cell(_local(value)) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# The template. Its texts are written out in both languages rather than
# translated with gettext: the file's language is the one the user picks, and
# its headers must match contacts.importers.COLUMNS exactly.

_EXAMPLE_BODY = {
    "unit_code": "16378",
    "unit_name": "Thị trấn Rừng Thông",
    "body_name": {"vi": "Tổ bầu cử số 1", "en": "Election Team No. 1"},
    "polling_areas": {
        "vi": "Khu vực bỏ phiếu số 1 (Tiểu khu 1, Tiểu khu 2)",
        "en": "Polling area No. 1 (Tiểu khu 1, Tiểu khu 2)",
    },
    "location": "Nhà văn hóa Tiểu khu 1, thị trấn Rừng Thông, huyện Đông Sơn",
}
_EXAMPLE_PEOPLE = (
    {
        "full_name": "Lê Văn Hùng",
        "position": {"vi": "Tổ trưởng", "en": "chair"},
        "phones": "0912 345 678",
        "email": "lvhung.rungthong@thanhhoa.gov.vn",
        "note": {"vi": "Trực điện thoại cả ngày bầu cử", "en": "On call all day"},
    },
    {
        "full_name": "Nguyễn Thị Lan",
        "position": {"vi": "Thành viên", "en": "member"},
        "phones": "0987 654 321; 0237 3718 258",
        "email": "",
        "note": "",
    },
)
_EXAMPLE_KIND = {"vi": "Tổ bầu cử", "en": "Election Team"}

_WIDTHS = {
    "body_kind": 16,
    "unit_code": 14,
    "unit_name": 24,
    "body_name": 24,
    "polling_areas": 36,
    "location": 40,
    "full_name": 24,
    "position": 16,
    "phones": 28,
    "email": 32,
    "note": 30,
}
_TEXT_COLUMNS = ("unit_code", "phones")  # keep leading zeros

_HELP = {
    "body_kind": {
        "vi": "Một trong: {kinds}.",
        "en": "One of: {kinds}.",
    },
    "unit_code": {
        "vi": "Mã đơn vị hành chính của Tổng cục Thống kê (xã: 5 chữ số), "
        "nhập dạng văn bản để giữ số 0 ở đầu. Ghi mã, tên đơn vị, hoặc cả hai.",
        "en": "The GSO code of the administrative unit (a commune: 5 digits), "
        "typed as text to keep leading zeros. Write the code, the unit name or "
        "both.",
    },
    "unit_name": {
        "vi": "Tên đơn vị hành chính, ví dụ Xã Đông Hòa. Ghi mã, tên, hoặc cả hai.",
        "en": "The unit's name, e.g. Xã Đông Hòa. Write the code, the name or both.",
    },
    "body_name": {
        "vi": "Ví dụ: Tổ bầu cử số 1.",
        "en": "E.g. Election Team No. 1.",
    },
    "polling_areas": {
        "vi": "Với Tổ bầu cử: khu vực bỏ phiếu phụ trách. Ghi giống nhau trên mọi "
        "dòng của cùng một tổ chức.",
        "en": "For an Election Team: the polling area(s) it runs. The same on "
        "every row of one body.",
    },
    "location": {
        "vi": "Nơi làm việc của tổ chức. Ghi giống nhau trên mọi dòng của cùng "
        "một tổ chức.",
        "en": "Where the body works. The same on every row of one body.",
    },
    "full_name": {"vi": "Họ và tên đầy đủ.", "en": "The person's full name."},
    "position": {"vi": "Một trong: {positions}.", "en": "One of: {positions}."},
    "phones": {
        "vi": "Một hoặc nhiều số, cách nhau bằng dấu ; hoặc xuống dòng, ví dụ "
        "0912 345 678; 0237 3718 258. Không nhận số 1800, 1900.",
        "en": "One or more numbers separated by ; or a new line, e.g. "
        "0912 345 678; 0237 3718 258. 1800 and 1900 numbers are refused.",
    },
    "email": {"vi": "Không bắt buộc.", "en": "Optional."},
    "note": {"vi": "Không bắt buộc.", "en": "Optional."},
}
_GENERAL_HELP = {
    "vi": (
        "Mỗi dòng là một người. Các cột của tổ chức (loại, đơn vị, tên, khu vực "
        "bỏ phiếu, địa điểm) được ghi lại trên mỗi dòng của người thuộc tổ chức "
        "đó.",
        "Giữ nguyên tiêu đề ở dòng 1. Không dùng công thức: gõ giá trị.",
    ),
    "en": (
        "One row per person. The body's columns (kind, unit, name, polling "
        "areas, location) repeat on each row of its people.",
        "Keep the headers in row 1. Do not use formulas: type the values.",
    ),
}
_SHEET_TITLES = {
    "vi": ("Danh sách", "Hướng dẫn", ("Cột", "Bắt buộc", "Cách ghi"), ("Có", "")),
    "en": (
        "Contacts",
        "Instructions",
        ("Column", "Required", "How to fill in"),
        ("Yes", ""),
    ),
}


def _in(value: object, language: str) -> str:
    return value[language] if isinstance(value, dict) else str(value)


def _example_rows(language: str) -> list[list[str]]:
    rows = []
    for person in _EXAMPLE_PEOPLE:
        values = {"body_kind": _EXAMPLE_KIND, **_EXAMPLE_BODY, **person}
        rows.append([_in(values[column.key], language) for column in COLUMNS])
    return rows


def contact_template_xlsx(*, language: str) -> bytes:
    """The import template: headers and two example rows, then instructions.

    Importing the template as it is gives no errors
    (tests/contacts/test_spreadsheets.py).
    """
    language = "en" if language == "en" else "vi"
    workbook = Workbook()
    _write_template_sheet(workbook.active, language)
    _write_instructions(workbook.create_sheet(), language)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_template_sheet(sheet, language: str) -> None:
    sheet.title = _SHEET_TITLES[language][0]
    sheet.append([column.header(language) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _example_rows(language):
        sheet.append([safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS[column.key]
        if column.key in _TEXT_COLUMNS:
            # "@" is Excel's Text format: what is typed later keeps its 0.
            sheet.column_dimensions[letter].number_format = "@"
            for cell in sheet[letter][1:]:
                cell.number_format = "@"


def _write_instructions(sheet, language: str) -> None:
    _data_title, title, headings, (yes, no) = _SHEET_TITLES[language]
    sheet.title = title
    for line in _GENERAL_HELP[language]:
        sheet.append([line])
    sheet.append([])
    sheet.append(list(headings))
    heading_row = sheet.max_row
    for cell in sheet[heading_row]:
        cell.font = Font(bold=True)
    words = {
        "kinds": ", ".join(accepted_words(BODY_KIND_WORDS, language)),
        "positions": ", ".join(accepted_words(POSITION_WORDS, language)),
    }
    unit_either = {"vi": "Mã hoặc tên", "en": "Code or name"}[language]
    for column in COLUMNS:
        if column.required:
            required = yes
        elif column.key in ("unit_code", "unit_name"):
            required = unit_either
        else:
            required = no
        help_text = _HELP[column.key][language].format(**words)
        sheet.append([column.header(language), required, help_text])
    for letter, width in (("A", 26), ("B", 14), ("C", 90)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=heading_row + 1):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
