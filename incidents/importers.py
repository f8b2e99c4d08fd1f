"""Reading a week (or more) of duty shifts from an Excel (.xlsx) or CSV file.

Pure parsing and validation: bytes in, `ShiftDraft`s and `RowError`s out, no
database access; incidents.services.rosters saves the drafts in one
transaction. The file is read with contacts.importers' readers and errors
are reported the same way: row number as the user sees it (the header is
row 1), the column header as written in the file, a sentence in the user's
language.

One row is one shift: a date, a start and an end time (an end at or before
the start is on the next day, so 22:00–06:00 crosses midnight), the person,
their duty, phone and location. The week grid (incidents.forms_rosters)
builds the same drafts with `shift_span`.
"""

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.importers.tables import FileProblem, Table, is_xlsx, read_csv, read_xlsx
from contacts.importers.vocabulary import (
    CONTROL_CHARACTER,
    FORMULA_CELL,
    MAX_IMPORT_BYTES,
    Column,
    RowError,
    duplicate_row_message,
    file_too_large_message,
    fold,
    missing_column_message,
    missing_value_message,
    repeated_column_message,
    same,
    too_long_message,
)
from contacts.model_fields import max_length
from contacts.phones import InvalidPhone, normalise_phone
from contacts.validators import date_in_range, date_out_of_range_message
from incidents.models import Shift

# The one definition of the file's columns, in template order. Also used by
# incidents.spreadsheets.roster_template_xlsx.
COLUMNS = (
    Column("day", "Ngày", "Date", required=True),
    Column("starts", "Từ giờ", "From", required=True),
    Column("ends", "Đến giờ", "To", required=True),
    Column("person_name", "Họ và tên", "Person on duty", required=True),
    Column("role", "Nhiệm vụ", "Duty"),
    Column("phone", "Số điện thoại", "Phone", required=True),
    Column("location", "Địa điểm", "Location"),
)
TEXT_LIMITS = {
    key: max_length(Shift, key) for key in ("person_name", "role", "location")
}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
# "7:30", "07:30:00", "7h30" and "7h" are all how times are written here.
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hh", "%H")
_MIDNIGHT_END = re.compile(r"24(?::00|h00|h)?")

FILE_EMPTY = _(
    "The file has no shifts to import. Put the column headers in row 1 and one "
    "shift per row below them."
)


def bad_date_message(value: str) -> str:
    return gettext(
        "“%(value)s” is not a date; write day/month/year, e.g. 23/05/2021."
    ) % {"value": value}


def bad_time_message(value: str) -> str:
    return gettext("“%(value)s” is not a time; write hour:minute, e.g. 07:30.") % {
        "value": value
    }


@dataclass(frozen=True)
class ShiftDraft:
    """A shift to add, from a row of the week grid or of a file."""

    person_name: str
    phone: str  # E.164, or as typed (the service normalises it)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    role: str = ""
    location: str = ""
    row_number: int = 0  # the file's row, or the grid's
    user: object = None  # the member on duty (contacts.models.User), if any


@dataclass
class ParseResult:
    drafts: list[ShiftDraft] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def shift_span(
    day: datetime.date, starts: datetime.time, ends: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of a shift typed as a day and two Vietnam times; an end
    at or before the start is on the next day."""
    zone = timezone.get_default_timezone()
    starts_at = datetime.datetime.combine(day, starts, tzinfo=zone)
    ends_at = datetime.datetime.combine(day, ends, tzinfo=zone)
    if ends_at <= starts_at:
        ends_at += datetime.timedelta(days=1)
    return starts_at, ends_at


def parse_roster_file(*, content: bytes) -> ParseResult:
    """Parse an uploaded roster. Never raises for bad content; the file
    type is decided by the content, not by its name."""
    try:
        if len(content) > MAX_IMPORT_BYTES:
            raise FileProblem(file_too_large_message())
        table = read_xlsx(content) if is_xlsx(content) else read_csv(content)
    except FileProblem as problem:
        return ParseResult(errors=[RowError(0, "", str(problem))])
    return _Parser(table).parse()


# --- Cells to values -----------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def cell_text(value: object) -> str:
    """A cell as trimmed NFC text; a whole float loses its ".0" (a phone
    number typed as a number) and our exports' "'" escape is dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", str(value))).strip()
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def phone_text(value: object) -> str:
    """Excel drops the leading 0 of a phone number typed as a number."""
    text = cell_text(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and text.isdigit() and len(text) in (9, 10):
        return "0" + text
    return text


def to_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _strptime(cell_text(value), DATE_FORMATS, datetime.date)


def to_time(value: object) -> datetime.time | None:
    """A time of day; "24:00" is midnight (an end on the next day)."""
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value
    if isinstance(value, datetime.timedelta) and value < datetime.timedelta(days=1):
        return (datetime.datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:  # Excel: a fraction of a day
        return (datetime.datetime.min + datetime.timedelta(days=value)).time()
    text = cell_text(value).lower()
    if _MIDNIGHT_END.fullmatch(text):
        return datetime.time(0)
    return _strptime(text, TIME_FORMATS, datetime.time)


def _strptime(text: str, formats: tuple[str, ...], kind: type):
    for pattern in formats:
        try:
            parsed = datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.date() if kind is datetime.date else parsed.time()
    return None


# --- Rows ----------------------------------------------------------------------


class _Parser:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.result = ParseResult()
        self.positions: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.seen: dict[tuple, int] = {}  # (start, end, person) → first row

    def parse(self) -> ParseResult:
        if self.table.cells:
            self._read_headers(self.table.cells[0])
        if not self.result.errors:
            for index, cells in enumerate(self.table.cells[1:], start=1):
                self._parse_row(index, cells)
        if not self.result.drafts and not self.result.errors:
            self.result.errors.append(RowError(0, "", str(FILE_EMPTY)))
        return self.result

    def _read_headers(self, cells: Sequence[object]) -> None:
        """Headers in Vietnamese or English, in any order; other columns are
        the organisation's own and ignored."""
        keys = {fold(c.vi): c.key for c in COLUMNS} | {
            fold(c.en): c.key for c in COLUMNS
        }
        english = 0
        for index, value in enumerate(cells):
            text = cell_text(value)
            key = keys.get(fold(text))
            if key is None:
                continue
            if key in self.positions:
                self._error(0, "", repeated_column_message(text))
            self.positions.setdefault(key, index)
            self.headers.setdefault(key, text)
            english += fold(text) == fold(_column(key).en)
        language = "en" if english * 2 > len(self.headers) else "vi"
        for column in COLUMNS:
            self.headers.setdefault(column.key, column.header(language))
            if column.required and column.key not in self.positions:
                self._error(0, "", missing_column_message(self.headers[column.key]))

    def _error(self, row: int, key: str, message: str) -> None:
        column = self.headers.get(key, "") if key else ""
        self.result.errors.append(RowError(row, column, message))

    def _parse_row(self, index: int, cells: Sequence[object]) -> None:
        raw = {
            key: cells[position] if position < len(cells) else None
            for key, position in self.positions.items()
        }
        if not any(cell_text(value) for value in raw.values()):
            return  # an empty row
        row = _Row(index + 1, raw, self)
        draft = row.draft()
        if draft is not None:
            self._check_duplicate(row.number, draft)
        if draft is not None and not row.failed:
            self.result.drafts.append(draft)

    def _check_duplicate(self, number: int, draft: ShiftDraft) -> None:
        key = (draft.starts_at, draft.ends_at, same(draft.person_name))
        first = self.seen.setdefault(key, number)
        if first != number:
            self._error(number, "", duplicate_row_message(first))

    def is_formula(self, row_index: int, key: str) -> bool:
        return (row_index, self.positions[key]) in self.table.formulas

    def has_control(self, row_index: int, key: str) -> bool:
        return (row_index, self.positions[key]) in self.table.controls


def _column(key: str) -> Column:
    return next(c for c in COLUMNS if c.key == key)


def _order(key: str) -> int:
    return [c.key for c in COLUMNS].index(key)


class _Row:
    """One data row being checked; its errors go to the parser's result."""

    def __init__(self, number: int, raw: dict, parser: _Parser) -> None:
        self.number, self.raw, self.parser = number, raw, parser
        self.failed = False
        self.formulas = {k for k in raw if parser.is_formula(number - 1, k)}
        self.controls = {k for k in raw if parser.has_control(number - 1, k)}

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.parser._error(self.number, key, message)

    def draft(self) -> ShiftDraft | None:
        for key in sorted(self.formulas, key=_order):
            self.error(key, str(FORMULA_CELL))
        for key in sorted(self.controls - self.formulas, key=_order):
            self.error(key, str(CONTROL_CHARACTER))
        texts = {key: self._text(key) for key in TEXT_LIMITS}
        day = self._value("day", to_date, bad_date_message)
        if day is not None and not date_in_range(day):
            self.error("day", date_out_of_range_message())
        starts = self._value("starts", to_time, bad_time_message)
        ends = self._value("ends", to_time, bad_time_message)
        phone = self._phone()
        if self.failed:
            return None
        starts_at, ends_at = shift_span(day, starts, ends)
        return ShiftDraft(
            phone=phone,
            starts_at=starts_at,
            ends_at=ends_at,
            row_number=self.number,
            **texts,
        )

    def _required(self, key: str) -> str:
        """The cell's text; a formula's cached value is not used, nor a cell
        with a control character."""
        if key in self.formulas or key in self.controls:
            return ""
        text = cell_text(self.raw.get(key))
        if not text and _column(key).required:
            self.error(key, missing_value_message(self.parser.headers[key]))
        return text

    def _text(self, key: str) -> str:
        text = " ".join(self._required(key).split())
        if len(text) > TEXT_LIMITS[key]:
            self.error(
                key, too_long_message(self.parser.headers[key], TEXT_LIMITS[key])
            )
        return text

    def _value(self, key: str, convert, message):
        text = self._required(key)
        value = convert(self.raw.get(key)) if text else None
        if text and value is None:
            self.error(key, message(text))
        return value

    def _phone(self) -> str:
        text = self._required("phone") and phone_text(self.raw.get("phone"))
        try:
            return normalise_phone(text) if text else ""
        except InvalidPhone as exc:
            self.error("phone", exc.message)
            return ""
