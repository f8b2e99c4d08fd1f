"""Columns, words, rows and error texts of contact-list files."""

import functools
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.model_fields import max_length
from contacts.models import BodyKind, Contact, ContactPosition, ElectionBody

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# A 10 MB .xlsx unpacks to about 100 MB of XML; far more is a zip bomb.
MAX_UNPACKED_BYTES = 30 * MAX_IMPORT_BYTES


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    required: bool = False

    def header(self, language: str) -> str:
        return self.en if language == "en" else self.vi


# The one definition of the file's columns, in template order. Also used by
# contacts.spreadsheets.contact_template_xlsx. A row needs at least one of
# unit_code and unit_name.
COLUMNS = (
    Column("body_kind", "Loại tổ chức", "Body kind", required=True),
    Column("unit_code", "Mã đơn vị hành chính", "Unit code"),
    Column("unit_name", "Tên đơn vị hành chính", "Unit name"),
    Column("body_name", "Tên tổ chức", "Body name", required=True),
    Column("polling_areas", "Khu vực bỏ phiếu", "Polling areas"),
    Column("location", "Địa điểm làm việc", "Working location"),
    Column("full_name", "Họ và tên", "Full name", required=True),
    Column("position", "Chức vụ", "Position", required=True),
    Column("phones", "Số điện thoại", "Phone numbers", required=True),
    Column("email", "Email", "E-mail"),
    Column("note", "Ghi chú", "Note"),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Accepted words per value: (Vietnamese, English). Matching ignores case,
# spaces, punctuation and diacritics, so "Uỷ ban bầu cử" and "vice chair"
# match too. The template's instructions sheet lists these.
BODY_KIND_WORDS = {
    BodyKind.COMMITTEE: (("Ủy ban bầu cử", "UBBC"), ("Election Committee",)),
    BodyKind.BOARD: (("Ban bầu cử", "BBC"), ("Election Board",)),
    BodyKind.TEAM: (("Tổ bầu cử", "TBC"), ("Election Team",)),
}
POSITION_WORDS = {
    ContactPosition.CHAIR: (("Chủ tịch", "Trưởng ban", "Tổ trưởng"), ("chair",)),
    ContactPosition.VICE_CHAIR: (
        ("Phó Chủ tịch", "Phó Trưởng ban", "Phó ban", "Tổ phó", "Phó Tổ trưởng"),
        ("vice-chair",),
    ),
    ContactPosition.SECRETARY: (("Thư ký",), ("secretary",)),
    ContactPosition.MEMBER: (("Ủy viên", "Thành viên", "Tổ viên"), ("member",)),
    ContactPosition.ON_DUTY: (("Cán bộ trực", "Trực"), ("on-duty officer",)),
}


# The headers officials write, per column key, besides the template's own
# (COLUMNS); matched by `fold`. contacts.importers.layout finds the header
# row with them. "row_number" and "level" are known columns the import does
# not read ("STT", "Cấp"): they are not listed as ignored.
HEADER_WORDS = {
    "body_kind": ("Loại", "Loại tổ chức bầu cử", "Tổ chức", "Kind"),
    "unit_code": ("Mã đơn vị", "Mã xã", "Mã ĐVHC", "Mã"),
    "unit_name": (
        "Xã/phường/thị trấn",
        "Xã, phường, thị trấn",
        "Xã",
        "Phường",
        "Địa bàn",
        "Đơn vị hành chính",
        "Tên xã",
        "Unit",
        "Commune",
    ),
    "body_name": (
        "Đơn vị",
        "Tên tổ chức",
        "Tên tổ chức bầu cử",
        "Tổ chức phụ trách bầu cử",
        "Tổ chức bầu cử",
        "Tên đơn vị",
        "Tổ bầu cử",
        "Body",
    ),
    "polling_areas": ("Khu vực bỏ phiếu", "KVBP", "Khu vực"),
    "location": ("Địa điểm làm việc", "Địa điểm", "Địa chỉ", "Nơi làm việc"),
    "full_name": ("Họ và tên", "Họ tên", "Tên", "Họ, tên", "Name"),
    "position": (
        "Chức vụ",
        "Chức danh",
        "Chức vụ trong tổ chức bầu cử",
        "Chức vụ trong tổ bầu cử",
        "Chức vụ trong ban bầu cử",
        "Chức vụ trong Ủy ban bầu cử",
        "Nhiệm vụ",
    ),
    "phones": (
        "Số điện thoại",
        "SĐT",
        "SDT",
        "ĐT",
        "Điện thoại",
        "Điện thoại liên hệ",
        "Số điện thoại liên hệ",
        "Di động",
        "Số di động",
        "ĐT di động",
        "ĐT cơ quan",
        "Điện thoại cơ quan",
        "Điện thoại di động",
        "Phone",
        "Phones",
    ),
    "email": ("Email", "E-mail", "Thư điện tử", "Địa chỉ email"),
    "note": ("Ghi chú", "Note", "Notes"),
    "row_number": ("STT", "TT", "Số TT", "Số thứ tự", "No"),
    "level": ("Cấp", "Cấp bầu cử", "Cấp hành chính", "Level"),
}
# Under a phone header ("Số điện thoại" over "Cơ quan" | "Di động"), any
# sub-header is a phone column; these are also phones at the top level.
PHONE_SUBHEADER_WORDS = ("Cơ quan", "Di động", "Nhà riêng", "Cố định", "Văn phòng")
# Words that never start a column's header, only its sub-header.
OFFICE_PHONE_WORDS = ("Cơ quan", "ĐT cơ quan", "Điện thoại cơ quan", "Cố định")
# Known columns that the import does not read.
UNREAD_KEYS = frozenset({"row_number", "level"})


LENGTH_LIMITS = {
    "body_name": max_length(ElectionBody, "name"),
    "polling_areas": max_length(ElectionBody, "polling_areas"),
    "location": max_length(ElectionBody, "location"),
    "full_name": max_length(Contact, "full_name"),
    "email": max_length(Contact, "email"),
    "note": max_length(Contact, "note"),
}
PHONES_LIMIT = max_length(Contact, "phones")


@dataclass(frozen=True)
class ContactRow:
    row_number: int  # spreadsheet row number as the user sees it (header is row 1)
    body_kind: str  # BodyKind value
    unit_code: str  # GSO code as typed, "" if the column is empty
    unit_name: str  # unit name as typed, "" if empty
    body_name: str
    polling_areas: str
    location: str
    full_name: str
    position: str  # ContactPosition value
    phones: tuple[str, ...]  # E.164, at least one
    email: str
    note: str
    # What the import changed or wants checked, translated ("01693456789 →
    # 0393 456 789, đổi đầu số từ 2018"); shown in the preview.
    notes: tuple[str, ...] = ()
    # Without a unit code or name: the units the body's name lists when it
    # gives no single one ("Ban bầu cử số 1 (xã Đông Hòa, Đông Yên)"),
    # looked up by contacts.services among the district's units.
    named_units: tuple[str, ...] = ()

    @property
    def body_key(self) -> tuple[str, str, str]:
        """Which rows belong to one body: the rule the duplicate and conflict
        checks use, so the service can group rows the same way."""
        return body_key(self.body_kind, self.unit_code, self.unit_name, self.body_name)


@dataclass(frozen=True)
class RowError:
    row_number: int  # 0 for an error about the whole file
    column: str  # the column header as in the file, "" for a whole-row/file error
    message: str  # plain-language, translated, says what to fix
    # The column's letter in the file ("D"); not compared, so an error can
    # be written without it.
    column_letter: str = field(default="", compare=False)

    @property
    def place(self) -> str:
        """Where the officer finds the cell: "dòng 12, cột D “Số điện
        thoại”" (row 12, column D “Phone numbers”)."""
        return error_place(self.row_number, self.column_letter, self.column)


@dataclass(frozen=True)
class FileColumn:
    """A column of the file as the officer sees it: its letter, its header
    (both rows of a two-level header, joined) and what the import reads in
    it ("" for a column it ignores). The preview's column-mapping step
    offers these; parse_contact_file's `column_map` takes its choice back."""

    letter: str
    header: str
    key: str


@dataclass
class ParseResult:
    rows: list[ContactRow]
    errors: list[RowError]
    language: str  # "vi" or "en": which header set the file used
    # The file's columns (FileColumn), and the headers of those ignored.
    columns: list[FileColumn] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # Which sheet of a workbook was read ("" for CSV), and the file row
    # numbers of its header (two for a two-level header).
    sheet: str = ""
    header_rows: tuple[int, ...] = ()
    # Column keys the file lacks and the import needs: what the preview's
    # mapping step asks for.
    missing_keys: list[str] = field(default_factory=list)
    # The workbook's sheet names, in order ([] for a text file): the preview
    # lets the officer read another one.
    sheets: list[str] = field(default_factory=list)
    # The columns read by a choice rather than by their header ({letter:
    # key}): the officer's (`column_map`), or the one remembered for the
    # district, when `remembered`.
    mapped: dict[str, str] = field(default_factory=dict)
    remembered: bool = False


# Error texts. Tests assert them exactly.
FILE_NOT_SPREADSHEET = _(
    "This file is not a spreadsheet (Excel .xlsx or .xls, OpenDocument .ods) "
    "or a text file (CSV, “Unicode text”). Save it as “Excel Workbook (.xlsx)” "
    "and import it again."
)
FILE_UNKNOWN_ENCODING = _(
    "This looks like a CSV or text file in an encoding that cannot be read "
    "(perhaps an old TCVN3 or VNI font). Open it in Excel and save it as “CSV "
    "UTF-8” or “Excel Workbook (.xlsx)”."
)
FILE_NOT_A_WORKBOOK = _(
    "This is an Office file but not a spreadsheet (a Word document?), or an "
    "Excel file protected by a password. Open the list in Excel and save it "
    "as “Excel Workbook (.xlsx)” without a password."
)
FILE_EMPTY = _(
    "The file has no contacts to import. Put the column headers in row 1 and "
    "one person per row below them."
)
FORMULA_CELL = _("This cell contains a formula; type the value itself.")
# contacts.importers.tables finds these cells (a NUL, which PostgreSQL
# cannot store, or another character no keyboard types); also used by
# incidents.importers.
CONTROL_CHARACTER = _(
    "This cell contains an invisible control character that cannot be saved; "
    "type the value again."
)


def file_too_large_message() -> str:
    return gettext(
        "This file is larger than %(size)d MB. Split it into smaller files and "
        "import them one by one."
    ) % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}


def missing_column_message(column: str) -> str:
    return gettext(
        "The file has no “%(column)s” column. Give that column one of the "
        "headers of the template, or choose it among the file's columns."
    ) % {"column": column}


def error_place(row: int, letter: str, column: str) -> str:
    if not row:
        return ""
    if not letter:
        return gettext("row %(row)d") % {"row": row}
    return gettext("row %(row)d, column %(letter)s “%(column)s”") % {
        "row": row,
        "letter": letter,
        "column": column,
    }


def old_mobile_note(old: str, new: str) -> str:
    return gettext("%(old)s → %(new)s, prefix changed in 2018") % {
        "old": old,
        "new": new,
    }


def old_landline_note(value: str, landline: str) -> str:
    return gettext(
        "“%(value)s” may be an old landline written with its pre-2017 area code "
        "(now %(landline)s) or a mobile number; it is kept as a mobile: check it."
    ) % {"value": value, "landline": landline}


def short_phone_message(value: str, digits: int) -> str:
    return gettext(
        "“%(value)s” has %(digits)d digits: a number is missing %(missing)d "
        "(a mobile has 10 digits, e.g. 0912 345 678; a landline 11, e.g. "
        "0237 3718 258)."
    ) % {"value": value, "digits": digits, "missing": 10 - digits}


def missing_unit_columns_message(code: str, name: str) -> str:
    return gettext(
        "The file has neither a “%(code)s” nor a “%(name)s” column. Add at least "
        "one of them."
    ) % {"code": code, "name": name}


def repeated_column_message(column: str) -> str:
    return gettext(
        "The column “%(column)s” appears more than once in row 1. Keep only one."
    ) % {"column": column}


def unit_not_in_name_message(name: str) -> str:
    return gettext(
        "“%(name)s” names no commune, ward or township, and the file has no "
        "column for it: write it in the name (“Tổ bầu cử số 1 - xã Đông Hòa”) "
        "or add a “Tên đơn vị hành chính” column."
    ) % {"name": name}


def missing_value_message(column: str) -> str:
    return gettext("“%(column)s” is empty; fill it in.") % {"column": column}


def missing_unit_message(code: str, name: str) -> str:
    return gettext("Fill in “%(code)s” or “%(name)s”, or both.") % {
        "code": code,
        "name": name,
    }


def unknown_body_kind_message(value: str, language: str) -> str:
    return gettext("“%(value)s” is not a body kind. Write one of: %(accepted)s.") % {
        "value": value,
        "accepted": ", ".join(accepted_words(BODY_KIND_WORDS, language)),
    }


def unknown_position_message(value: str, language: str) -> str:
    return gettext("“%(value)s” is not a position. Write one of: %(accepted)s.") % {
        "value": value,
        "accepted": ", ".join(accepted_words(POSITION_WORDS, language)),
    }


def invalid_email_message(value: str) -> str:
    return gettext("“%(value)s” is not a valid e-mail address.") % {"value": value}


def too_long_message(column: str, limit: int) -> str:
    return gettext("“%(column)s” is longer than %(limit)d characters; shorten it.") % {
        "column": column,
        "limit": limit,
    }


def duplicate_row_message(row_number: int) -> str:
    return gettext("Duplicates row %(row)d.") % {"row": row_number}


def body_conflict_message(column: str, row_number: int) -> str:
    return gettext(
        "“%(column)s” differs from row %(row)d of the same body; make them the same."
    ) % {"column": column, "row": row_number}


@functools.lru_cache(maxsize=4096)  # the same kinds and positions on every row
def fold(text: str) -> str:
    """Lower-case letters and digits only, without diacritics: how headers and
    vocabulary words are matched ("Số điện thoại" → "sodienthoai")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in text.casefold() if char.isalnum())


@functools.lru_cache(maxsize=65536)  # a body's name and places repeat on its rows
def same(text: str) -> str:
    """Case- and spacing-insensitive form for comparing names; diacritics
    count ("Hùng" is not "Hưng")."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def body_key(
    kind: str, unit_code: str, unit_name: str, name: str
) -> tuple[str, str, str]:
    # The GSO code identifies the unit; the name is only used without a code.
    unit = "code:" + same(unit_code) if unit_code else "name:" + same(unit_name)
    return (kind, unit, same(name))


def accepted_words(vocabulary: dict, language: str) -> list[str]:
    index = 1 if language == "en" else 0
    return [word for words in vocabulary.values() for word in words[index]]


def _lookup(vocabulary: dict) -> dict[str, str]:
    table = {fold(value): str(value) for value in vocabulary}
    for value, (vi_words, en_words) in vocabulary.items():
        table.update({fold(word): str(value) for word in vi_words + en_words})
    return table


BODY_KINDS = _lookup(BODY_KIND_WORDS)
POSITIONS = _lookup(POSITION_WORDS)
