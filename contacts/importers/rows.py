"""Checking each row of a contact-list table and turning it into ContactRows."""

import datetime
import re
import unicodedata
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language

from contacts.importers.bulk import without_cyclic_gc
from contacts.importers.tables import FileProblem, Table, is_xlsx, read_csv, read_xlsx
from contacts.importers.vocabulary import (
    BODY_KINDS,
    COLUMNS,
    COLUMNS_BY_KEY,
    CONTROL_CHARACTER,
    FILE_EMPTY,
    FORMULA_CELL,
    LENGTH_LIMITS,
    MAX_IMPORT_BYTES,
    PHONES_LIMIT,
    POSITIONS,
    ContactRow,
    ParseResult,
    RowError,
    body_conflict_message,
    body_key,
    duplicate_row_message,
    file_too_large_message,
    fold,
    invalid_email_message,
    missing_column_message,
    missing_unit_columns_message,
    missing_unit_message,
    missing_value_message,
    repeated_column_message,
    same,
    too_long_message,
    unknown_body_kind_message,
    unknown_position_message,
)
from contacts.phones import InvalidPhone, normalise_phone, split_phones


@without_cyclic_gc
def parse_contact_file(*, content: bytes, filename: str) -> ParseResult:
    """Parse an uploaded contact list. Never raises for bad content.

    The file type is decided by the content; `filename` is only a hint that
    is not trusted (an .xls-named CSV file is read as CSV).
    """
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    try:
        if len(content) > MAX_IMPORT_BYTES:
            raise FileProblem(file_too_large_message())
        table = read_xlsx(content) if is_xlsx(content) else read_csv(content)
        if not any(_text(value) for row in table.cells for value in row):
            raise FileProblem(FILE_EMPTY)
    except FileProblem as problem:
        return ParseResult(
            rows=[], errors=[RowError(0, "", str(problem))], language=language
        )
    return _RowParser(table, language).parse()


_ESCAPED = re.compile(r"'(?=[=+\-@\t\r])")
# Zero-width characters pasted from web pages and Word.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, datetime.date | datetime.time):
            value = value.isoformat()
        value = str(value)
    return _str_text(value)


def _cell_text(value: object, key: str) -> str:
    """A cell as text for column `key`. Excel drops the leading 0 of a phone
    number or GSO code typed as a number; put it back."""
    if type(value) is str:  # nearly every cell: the quick way
        if not value:
            return ""
        text = _str_text(value)
    else:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        text = _text(value)
        if numeric and text.isdigit():
            if key == "phones" and (
                len(text) == 9 or (len(text) == 10 and text[0] == "2")
            ):
                return "0" + text
            if key == "unit_code" and len(text) == 4:
                return "0" + text  # only commune codes have 5 digits
    if key == "phones":
        return text
    return " ".join(text.split())


def _str_text(value: str) -> str:
    """_text of a string. ASCII needs no normalising and holds no invisible
    characters."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
        if _INVISIBLE.search(value):
            value = _INVISIBLE.sub("", value)
    text = value.strip()
    return _ESCAPED.sub("", text, count=1) if text.startswith("'") else text


class _RowParser:
    """Validates the rows of a table whose first row holds the headers."""

    def __init__(self, table: Table, language: str) -> None:
        self.table = table
        self.errors: list[RowError] = []
        self.rows: list[ContactRow] = []
        self.positions: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.language = language  # until the headers tell
        # Cross-row checks: first row of each person and of each body.
        self.people: dict[tuple, int] = {}
        self.bodies: dict[tuple, tuple[int, str, str]] = {}
        # Cleaned text of each string seen, by column (_values).
        self.texts: dict[str, dict[str, str]] = {key: {} for key in COLUMNS_BY_KEY}
        # (key, position, texts) of each column found, once the headers are read.
        self.columns: list[tuple[str, int, dict[str, str]]] = []

    def parse(self) -> ParseResult:
        self._read_headers(self.table.cells[0])
        if not self.errors:
            self.columns = [
                (key, position, self.texts[key])
                for key, position in self.positions.items()
            ]
            for index, cells in enumerate(self.table.cells[1:], start=1):
                self._parse_row(index, cells)
            if not self.rows and not self.errors:
                self.errors.append(RowError(0, "", str(FILE_EMPTY)))
        return ParseResult(rows=self.rows, errors=self.errors, language=self.language)

    def _read_headers(self, header_cells: Sequence[object]) -> None:
        by_fold: dict[str, list[tuple[str, str]]] = {}
        for column in COLUMNS:
            by_fold.setdefault(fold(column.vi), []).append((column.key, "vi"))
            by_fold.setdefault(fold(column.en), []).append((column.key, "en"))
        votes = {"vi": 0, "en": 0}
        for index, value in enumerate(header_cells):
            matches = by_fold.get(fold(_text(value)), [])
            for _key, language in matches:
                votes[language] += 1
            if not matches:
                continue  # a column of the district's own: ignored
            key = matches[0][0]
            if key in self.positions:
                self._file_error(repeated_column_message(_text(value)))
            self.positions.setdefault(key, index)
            self.headers.setdefault(key, _text(value))
        if votes["en"] != votes["vi"]:
            self.language = "en" if votes["en"] > votes["vi"] else "vi"
        for column in COLUMNS:
            if column.required and column.key not in self.positions:
                self._file_error(missing_column_message(column.header(self.language)))
        if "unit_code" not in self.positions and "unit_name" not in self.positions:
            self._file_error(
                missing_unit_columns_message(
                    COLUMNS_BY_KEY["unit_code"].header(self.language),
                    COLUMNS_BY_KEY["unit_name"].header(self.language),
                )
            )

    def _file_error(self, message: str) -> None:
        self.errors.append(RowError(0, "", message))

    def _parse_row(self, index: int, cells: Sequence[object]) -> None:
        values = self._values(cells)
        table = self.table
        formula_keys = self._keys_in(index, table.formulas) if table.formulas else _NONE
        control_keys = self._keys_in(index, table.controls) if table.controls else _NONE
        if not formula_keys and not control_keys and not any(values.values()):
            return  # an empty row
        row = _Row(self, index + 1, values, formula_keys, control_keys)
        contact = row.validate()
        self._check_across_rows(row)
        if row.errors:
            self.errors.extend(row.errors)
        elif contact is not None:
            self.rows.append(contact)

    def _values(self, cells: Sequence[object]) -> dict[str, str]:
        """The row's text in each column, "" where there is none."""
        values = dict.fromkeys(COLUMNS_BY_KEY, "")
        width = len(cells)
        for key, position, texts in self.columns:
            if position < width:
                value = cells[position]
                if type(value) is str:
                    # A body's cells repeat on each of its rows, and kinds,
                    # units and positions on most rows: clean each text once.
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = _cell_text(value, key)
                    values[key] = text
                else:
                    values[key] = _cell_text(value, key)
        return values

    def _keys_in(self, index: int, cells: set[tuple[int, int]]) -> frozenset[str]:
        """The columns of row `index` whose cells are among `cells`."""
        return frozenset(
            key for key, position, _ in self.columns if (index, position) in cells
        )

    def _check_across_rows(self, row: "_Row") -> None:
        values = row.values
        if not (values["body_kind"] and values["body_name"]):
            return
        if not (values["unit_code"] or values["unit_name"]):
            return
        folded = fold(values["body_kind"])
        kind = BODY_KINDS.get(folded) or "?" + folded
        body = body_key(
            kind, values["unit_code"], values["unit_name"], values["body_name"]
        )
        if values["full_name"]:
            person = (*body, same(values["full_name"]))
            if person in self.people:
                row.add("", duplicate_row_message(self.people[person]))
                return
            self.people[person] = row.number
        location, areas = same(values["location"]), same(values["polling_areas"])
        first = self.bodies.setdefault(body, (row.number, location, areas))
        if first[1] != location:
            row.add_for(
                "location", body_conflict_message(self.header("location"), first[0])
            )
        if first[2] != areas:
            row.add_for(
                "polling_areas",
                body_conflict_message(self.header("polling_areas"), first[0]),
            )

    def header(self, key: str) -> str:
        """The column's header as written in the file, else in its language."""
        return self.headers.get(key) or COLUMNS_BY_KEY[key].header(self.language)


class _Row:
    """One data row being validated; collects its errors."""

    def __init__(
        self,
        parser: _RowParser,
        number: int,
        values: dict,
        formulas: frozenset,
        controls: frozenset = frozenset(),
    ):
        self.parser = parser
        self.number = number
        self.values = values
        self.formulas = formulas
        self.controls = controls
        # What the checks read: a formula's cached value is not the user's,
        # and a cell with a control character is refused as a whole.
        unusable = formulas | controls
        self.usable = (
            {key: "" if key in unusable else text for key, text in values.items()}
            if unusable
            else values
        )
        self.errors: list[RowError] = []

    def add(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def add_for(self, key: str, message: str) -> None:
        self.add(self.parser.header(key), message)

    def validate(self) -> ContactRow | None:
        usable = self.usable
        for key in self.formulas:
            self.add_for(key, str(FORMULA_CELL))
        for key in self.controls - self.formulas:
            self.add_for(key, str(CONTROL_CHARACTER))
        for key in _REQUIRED_KEYS:
            if not usable[key] and key not in self.formulas | self.controls:
                self.add_for(key, missing_value_message(self.parser.header(key)))
        self._check_unit()
        self._check_lengths()
        body_kind = self._choice("body_kind", BODY_KINDS, unknown_body_kind_message)
        position = self._choice("position", POSITIONS, unknown_position_message)
        phones = self._phones()
        self._check_email()
        if self.errors:
            self.errors.sort(key=lambda error: _column_order(self.parser, error.column))
            return None
        return ContactRow(
            row_number=self.number,
            body_kind=body_kind,
            unit_code=usable["unit_code"],
            unit_name=usable["unit_name"],
            body_name=usable["body_name"],
            polling_areas=usable["polling_areas"],
            location=usable["location"],
            full_name=usable["full_name"],
            position=position,
            phones=phones,
            email=usable["email"],
            note=usable["note"],
        )

    def _check_unit(self) -> None:
        if self.usable["unit_code"] or self.usable["unit_name"]:
            return
        if {"unit_code", "unit_name"} & (self.formulas | self.controls):
            return
        key = "unit_code" if "unit_code" in self.parser.positions else "unit_name"
        self.add_for(
            key,
            missing_unit_message(
                self.parser.header("unit_code"), self.parser.header("unit_name")
            ),
        )

    def _check_lengths(self) -> None:
        usable = self.usable
        for key, limit in LENGTH_LIMITS.items():
            if len(usable[key]) > limit:
                self.add_for(key, too_long_message(self.parser.header(key), limit))

    def _choice(self, key: str, lookup: dict[str, str], message) -> str:
        text = self.usable[key]
        if not text:
            return ""
        value = lookup.get(fold(text))
        if value is None:
            self.add_for(key, message(text, self.parser.language))
            return ""
        return value

    def _phones(self) -> tuple[str, ...]:
        text = self.usable["phones"]
        if not text:
            return ()
        phones: list[str] = []
        for part in split_phones(text):
            try:
                number = normalise_phone(part)
            except InvalidPhone as error:
                self.add_for("phones", error.message)
                continue
            if number not in phones:
                phones.append(number)
        if not phones and not self.errors_for("phones"):
            self.add_for("phones", missing_value_message(self.parser.header("phones")))
        if len(" ".join(phones)) > PHONES_LIMIT:
            self.add_for(
                "phones", too_long_message(self.parser.header("phones"), PHONES_LIMIT)
            )
        return tuple(phones)

    def errors_for(self, key: str) -> list[RowError]:
        return [e for e in self.errors if e.column == self.parser.header(key)]

    def _check_email(self) -> None:
        email = self.usable["email"]
        if not email:
            return
        try:
            validate_email(email)
        except ValidationError:
            self.add_for("email", invalid_email_message(email))


_REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)
_NONE: frozenset[str] = frozenset()  # no formula cells in the row


def _column_order(parser: _RowParser, header: str) -> int:
    for order, column in enumerate(COLUMNS):
        if parser.header(column.key) == header:
            return order
    return len(COLUMNS)  # whole-row errors last
