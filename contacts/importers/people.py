"""Reading the people to invite from a spreadsheet: one row per person,
with their name, e-mail, phone, organisation and role.

Pure parsing: bytes in, `PersonRow`s and `RowError`s out, no database.
contacts.services.invitation_imports matches each row's organisation and
checks the person against the accounts already there. The file is read
with the contact lists' readers (contacts.importers.tables: .xlsx, .xls,
.ods, CSV and Excel's "Unicode text" in UTF-8, UTF-16 or Windows-1258);
the header may sit below a title, anywhere in the first rows, in
Vietnamese or English, with or without diacritics. Row numbers are those
the user sees in the spreadsheet; an error names the column by its letter
and its header as written in the file.

Every non-blank row below the header is returned, also one with an error
(its faulty cell read as empty), so that the preview lists each row with
what it would do.
"""

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from contacts.importers.layout import HEADER_SEARCH_ROWS, is_footer_text
from contacts.importers.tables import (
    FileProblem,
    Table,
    read_csv,
    read_sheets,
    workbook_kind,
    workbook_table,
)
from contacts.importers.vocabulary import (
    CONTROL_CHARACTER,
    FILE_NOT_A_WORKBOOK,
    FILE_NOT_SPREADSHEET,
    FORMULA_CELL,
    MAX_IMPORT_BYTES,
    Column,
    FileColumn,
    RowError,
    file_too_large_message,
    fold,
    missing_unit_columns_message,
    too_long_message,
)
from contacts.model_fields import max_length
from contacts.models import MemberRole, Organisation, User

# The one definition of the file's columns, in template order. Also used by
# contacts.people_files.people_template_xlsx. A row needs an e-mail or a
# phone; the file needs at least one of the two columns.
COLUMNS = (
    Column("full_name", "Họ và tên", "Full name", required=True),
    Column("email", "Thư điện tử", "E-mail"),
    Column("phone", "Số điện thoại", "Mobile phone"),
    Column("organisation", "Đơn vị", "Organisation", required=True),
    Column("role", "Vai trò", "Role"),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# The headers officials write, besides the template's own; matched by
# `fold` (case, spaces, punctuation and diacritics ignored).
HEADER_WORDS = {
    "full_name": ("Họ tên", "Họ, tên", "Tên", "Họ và tên cán bộ", "Name"),
    "email": (
        "Email",
        "E-mail",
        "Mail",
        "Địa chỉ email",
        "Địa chỉ thư điện tử",
        "Thư điện tử công vụ",
    ),
    "phone": (
        "Điện thoại",
        "SĐT",
        "ĐT",
        "Số ĐT",
        "Di động",
        "Số di động",
        "ĐT di động",
        "Điện thoại di động",
        "Số điện thoại di động",
        "Phone",
        "Mobile",
    ),
    "organisation": (
        "Tổ chức",
        "Cơ quan",
        "Cơ quan, đơn vị",
        "Tên đơn vị",
        "Mã đơn vị",
        "Đơn vị công tác",
        "Organization",
        "Agency",
    ),
    "role": ("Quyền", "Quyền hạn", "Quyền sử dụng", "Vai trò trong hệ thống"),
    "row_number": ("STT", "TT", "Số TT", "Số thứ tự", "No"),
}
# Stems of longer headers ("Họ và tên người được mời", "Email công vụ").
_STEMS = (
    ("hovaten", "full_name"),
    ("hoten", "full_name"),
    ("sodienthoai", "phone"),
    ("dienthoai", "phone"),
    ("sdt", "phone"),
    ("email", "email"),
    ("thudientu", "email"),
    ("donvi", "organisation"),
    ("tendonvi", "organisation"),
    ("coquan", "organisation"),
    ("vaitro", "role"),
)
# A phone column with one of these in its header holds an office line, which
# receives no SMS: it is not read.
_OFFICE_WORDS = ("coquan", "codinh", "vanphong", "office", "landline")
_NOT_READ = frozenset({"row_number"})

# Accepted words per role: (Vietnamese, English). The first of each is the
# one the template and the error messages show. The roles' own labels are
# accepted too (_roles).
ROLE_WORDS = {
    MemberRole.HEAD: (
        ("thủ trưởng", "trưởng", "lãnh đạo", "trưởng đơn vị", "quản lý"),
        ("head", "manager"),
    ),
    MemberRole.EDITOR: (
        ("chỉnh sửa", "cán bộ", "nhập liệu", "biên tập"),
        ("editor",),
    ),
    MemberRole.VIEWER: (
        ("chỉ xem", "xem", "chỉ đọc"),
        ("reader", "viewer", "read-only"),
    ),
}

TEXT_LIMITS = {
    "full_name": max_length(User, "full_name"),
    "email": max_length(User, "email"),
    "phone": 30,
    "organisation": max_length(Organisation, "name"),
    "role": 60,
}
# At most this many people in one file: the confirmation invites them all
# within one request, about 15 ms each (300 in 4.4 s on the two shared cores
# of the development machine, tests run niced), and the preview's signed
# rows (contacts.forms_invitation_imports) grow with them. A province's
# districts and carriers have a few hundred people.
MAX_PEOPLE = 500

FILE_EMPTY = _(
    "The file has no people to invite. Put the column headers in one row "
    "and one person per row below them."
)


def too_many_people_message() -> str:
    return gettext(
        "The file lists more than %(limit)d people. Split it into smaller "
        "files and import them one by one."
    ) % {"limit": MAX_PEOPLE}


def missing_people_column_message(column: str) -> str:
    return gettext(
        "The file has no “%(column)s” column. Give that column one of the "
        "headers of the template."
    ) % {"column": column}


def repeated_people_column_message(column: str, row: int) -> str:
    return gettext(
        "The column “%(column)s” appears more than once in the header (row "
        "%(row)d). Keep only one."
    ) % {"column": column, "row": row}


def unknown_role_message(value: str) -> str:
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    index = 1 if language == "en" else 0
    accepted = ", ".join(words[index][0] for words in ROLE_WORDS.values())
    return gettext(
        "“%(value)s” is not a role. Write one of: %(accepted)s (empty: editor)."
    ) % {"value": value, "accepted": accepted}


@dataclass(frozen=True)
class PersonRow:
    """A row as typed (trimmed); the role as written, "" when empty."""

    row_number: int
    full_name: str
    email: str
    phone: str
    organisation: str
    role: str


@dataclass
class PeopleFile:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The columns read, by key: their letter and header as in the file.
    columns: dict[str, FileColumn] = field(default_factory=dict)
    sheet: str = ""  # the workbook's sheet read, "" for a text file
    header_row: int = 0  # the header's row number, 0 when none was found


def column_error(
    columns: dict[str, FileColumn], row_number: int, key: str, message: str
) -> RowError:
    """An error in column `key` of a row, named as the file has it ("dòng 7,
    cột C “Thư điện tử”"), or as the template has it when the file lacks
    the column."""
    found = columns.get(key)
    if found is None:
        language = "en" if (get_language() or "vi").startswith("en") else "vi"
        return RowError(row_number, COLUMNS_BY_KEY[key].header(language), message)
    return RowError(row_number, found.header, message, found.letter)


@functools.cache
def _roles() -> dict[str, str]:
    table: dict[str, str] = {}
    for role, (vi_words, en_words) in ROLE_WORDS.items():
        table.update({fold(word): str(role) for word in vi_words + en_words})
        table[fold(role.value)] = str(role)
        for language in ("vi", "en"):
            with override(language):
                table.setdefault(fold(str(role.label)), str(role))
    return table


def role_of(text: str) -> str | None:
    """The MemberRole value a role cell means: an empty cell is an editor;
    None for a word that names no role."""
    folded = fold(text)
    if not folded:
        return MemberRole.EDITOR.value
    return _roles().get(folded)


# --- Reading the file -------------------------------------------------------


def parse_people_file(*, content: bytes) -> PeopleFile:
    """Parse an uploaded list of people. Never raises for bad content; the
    file type is decided by the content, not by its name."""
    try:
        if len(content) > MAX_IMPORT_BYTES:
            raise FileProblem(file_too_large_message())
        table, header = _read_table(content)
    except FileProblem as problem:
        return PeopleFile(errors=[RowError(0, "", str(problem))])
    return _Parser(table, header).parse()


@dataclass
class _Header:
    index: int  # the header row's index (its row number less one)
    keys: dict[int, str]  # column index → key ("" for a column not read)
    labels: dict[int, str]  # column index → header as written

    @property
    def score(self) -> int:
        return len(set(self.keys.values()) - {""} - _NOT_READ)


def _read_table(content: bytes) -> tuple[Table, _Header | None]:
    """The table and its header: of a workbook, the sheet with the best
    header (not always the first)."""
    kind = workbook_kind(content)
    if kind == "office":
        raise FileProblem(FILE_NOT_A_WORKBOOK)
    if kind == "broken":
        raise FileProblem(FILE_NOT_SPREADSHEET)
    if not kind:
        table = read_csv(content)
        return table, find_header(table.cells)
    sheets = read_sheets(content, kind)
    if not sheets:
        raise FileProblem(str(FILE_EMPTY))
    chosen, header = 0, None
    for index, sheet in enumerate(sheets):
        found = find_header(sheet.cells)
        if found is not None and (header is None or found.score > header.score):
            chosen, header = index, found
    return workbook_table(content, kind, sheets, chosen), header


@functools.cache
def _header_lookup() -> dict[str, str]:
    table = {fold(word): key for key, words in HEADER_WORDS.items() for word in words}
    for column in COLUMNS:
        table[fold(column.vi)] = column.key
        table[fold(column.en)] = column.key
    return table


def header_key(label: str) -> str:
    """The column key of a header as written; "" for a column not read."""
    folded = fold(label)
    if not folded:
        return ""
    key = _header_lookup().get(folded)
    if key is None:
        key = next((k for stem, k in _STEMS if folded.startswith(stem)), "")
    if key == "phone" and any(word in folded for word in _OFFICE_WORDS):
        return ""
    return key


def find_header(cells: Sequence[Sequence[object]]) -> _Header | None:
    """Among the first rows, the one naming most known columns, the name's
    among them and at least one other (a title above the table names
    none)."""
    best: _Header | None = None
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        labels = {
            col: text for col, value in enumerate(row) if (text := cell_text(value))
        }
        keys = {col: header_key(label) for col, label in labels.items()}
        header = _Header(index, keys, labels)
        if "full_name" not in keys.values() or header.score < 2:
            continue
        if best is None or header.score > best.score:
            best = header
    return best


# --- Cells to text ------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Our exports (contacts.spreadsheets.safe_cell) prefix these with "'".
_ESCAPED = re.compile(r"'(?=[=+\-@\t\r])")
# A row numbering the columns under the header: "(1)", "2", "3".
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


def cell_text(value: object) -> str:
    """A cell as trimmed NFC text on one line; a whole float loses its ".0"
    and our exports' "'" escape is dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    text = " ".join(_INVISIBLE.sub("", text).split())
    return _ESCAPED.sub("", text, count=1) if text.startswith("'") else text


def phone_text(value: object) -> str:
    """Excel drops the leading 0 of a phone number typed as a number."""
    text = cell_text(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    short = len(text) == 9 or (len(text) == 10 and text[:1] in ("1", "2"))
    if numeric and short and text.isdigit():
        return "0" + text
    return text


def _letter(index: int) -> str:
    """The spreadsheet letter of column `index` (0 → "A", 27 → "AB")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- Rows -----------------------------------------------------------------------


class _Parser:
    def __init__(self, table: Table, header: _Header | None) -> None:
        self.table = table
        self.header = header
        self.result = PeopleFile(sheet=table.sheet)
        self.positions: dict[str, int] = {}

    def parse(self) -> PeopleFile:
        if not any(cell_text(value) for row in self.table.cells for value in row):
            self._file_error(str(FILE_EMPTY))
            return self.result
        self._read_header()
        if self.result.errors:
            return self.result
        assert self.header is not None
        for index in range(self.header.index + 1, len(self.table.cells)):
            if not self._parse_row(index, self.table.cells[index]):
                break
        if len(self.result.rows) > MAX_PEOPLE:
            self.result.rows, self.result.errors = [], []
            self._file_error(too_many_people_message())
        elif not self.result.rows:
            self._file_error(str(FILE_EMPTY))
        return self.result

    def _file_error(self, message: str) -> None:
        self.result.errors.append(RowError(0, "", message))

    def _read_header(self) -> None:
        header = self.header
        language = "en" if (get_language() or "vi").startswith("en") else "vi"
        if header is None:
            for column in COLUMNS:
                if column.required:
                    self._file_error(
                        missing_people_column_message(column.header(language))
                    )
            return
        self.result.header_row = header.index + 1
        for index, key in sorted(header.keys.items()):
            if not key or key in _NOT_READ:
                continue
            label = header.labels[index]
            if key in self.positions:
                self._file_error(
                    repeated_people_column_message(label, header.index + 1)
                )
                continue
            self.positions[key] = index
            self.result.columns[key] = FileColumn(_letter(index), label, key)
        for column in COLUMNS:
            if column.required and column.key not in self.positions:
                self._file_error(missing_people_column_message(column.header(language)))
        if "email" not in self.positions and "phone" not in self.positions:
            self._file_error(
                missing_unit_columns_message(
                    COLUMNS_BY_KEY["email"].header(language),
                    COLUMNS_BY_KEY["phone"].header(language),
                )
            )

    def _parse_row(self, index: int, cells: Sequence[object]) -> bool:
        """Read row `index` into the result; False at the signature footer,
        which ends the table."""
        raw = {
            key: cells[position] if position < len(cells) else None
            for key, position in self.positions.items()
        }
        texts = {key: cell_text(value) for key, value in raw.items()}
        if not any(texts.values()):
            return True  # a blank row, or one with only a row number
        filled = [text for text in texts.values() if text]
        if len(filled) >= 3 and all(_COLUMN_NUMBER.fullmatch(t) for t in filled):
            return True  # the columns' numbers under the header
        if not (texts.get("email") or texts.get("phone")):
            others = [cell_text(value) for value in cells]
            if any(is_footer_text(text) for text in others if text):
                return False
        number = index + 1
        values = {}
        for column in COLUMNS:
            values[column.key] = self._value(index, column.key, raw, texts)
        self.result.rows.append(PersonRow(row_number=number, **values))
        return True

    def _value(self, index: int, key: str, raw: dict, texts: dict[str, str]) -> str:
        """The cell's text, or "" (with an error) for a formula, a control
        character or a text too long."""
        if key not in self.positions:
            return ""
        cell = (index, self.positions[key])
        message = ""
        if cell in self.table.formulas:
            message = str(FORMULA_CELL)
        elif cell in self.table.controls:
            message = str(CONTROL_CHARACTER)
        text = phone_text(raw[key]) if key == "phone" else texts[key]
        if not message and len(text) > TEXT_LIMITS[key]:
            column = self.result.columns[key].header
            message = too_long_message(column, TEXT_LIMITS[key])
        if message:
            self.result.errors.append(
                column_error(self.result.columns, index + 1, key, message)
            )
            return ""
        return text
