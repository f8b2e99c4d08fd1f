"""Checking each row of a contact-list table and turning it into ContactRows."""

import datetime
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language

from contacts.importers.bulk import without_cyclic_gc
from contacts.importers.layout import (
    HEADER_SEARCH_ROWS,
    BodyName,
    Header,
    Section,
    find_header,
    header_key,
    is_footer_text,
    read_body_name,
    read_section,
)
from contacts.importers.tables import (
    FileProblem,
    Table,
    fill_merged,
    read_csv,
    read_sheets,
    workbook_kind,
    workbook_table,
)
from contacts.importers.vocabulary import (
    BODY_KINDS,
    COLUMNS,
    COLUMNS_BY_KEY,
    CONTROL_CHARACTER,
    FILE_EMPTY,
    FILE_NOT_A_WORKBOOK,
    FILE_NOT_SPREADSHEET,
    FORMULA_CELL,
    LENGTH_LIMITS,
    MAX_IMPORT_BYTES,
    PHONES_LIMIT,
    POSITIONS,
    UNREAD_KEYS,
    ContactRow,
    FileColumn,
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
    old_landline_note,
    old_mobile_note,
    repeated_column_message,
    same,
    short_phone_message,
    too_long_message,
    unit_not_in_name_message,
    unknown_body_kind_message,
    unknown_position_message,
)
from contacts.phones import (
    OLD_AREA_CODES,
    InvalidPhone,
    modernise_old_mobile,
    normalise_phone,
    old_landline,
    split_phones,
)


@without_cyclic_gc
def parse_contact_file(
    *,
    content: bytes,
    filename: str,
    column_map: Mapping[str, str] | None = None,
    sheet: str | None = None,
    remembered: Mapping[str, str] | None = None,
) -> ParseResult:
    """Parse an uploaded contact list. Never raises for bad content.

    The file type is decided by the content; `filename` is only a hint that
    is not trusted (an .xls-named CSV file is read as CSV). `column_map`
    ({column letter: column key}) overrides what the headers say: the
    preview's column-mapping step passes the officer's choice. Without one,
    `remembered` ({folded header: column key}, the district's earlier
    choice) reads a column the file lacks from the header it was found
    under before. `sheet` names the workbook's sheet to read; by default
    (or when it has no such sheet) the one with the best header.
    """
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    try:
        if len(content) > MAX_IMPORT_BYTES:
            raise FileProblem(file_too_large_message())
        table, header, sheets = _read_table(content, sheet)
    except FileProblem as problem:
        return ParseResult(
            rows=[], errors=[RowError(0, "", str(problem))], language=language
        )
    if not any(_text(value) for row in table.cells for value in row):
        # An empty sheet the officer chose: the others stay offered.
        return ParseResult(
            rows=[],
            errors=[RowError(0, "", str(FILE_EMPTY))],
            language=language,
            sheet=table.sheet,
            sheets=sheets,
        )
    parser = _RowParser(table, language, header, column_map or {}, remembered or {})
    result = parser.parse()
    result.sheets = sheets
    return result


def _read_table(
    content: bytes, wanted: str | None
) -> tuple[Table, Header | None, list[str]]:
    """The table holding the list, its header and the workbook's sheet
    names: the sheet `wanted`, else the one with the best header (not always
    the first), or the text file's table."""
    kind = workbook_kind(content)
    if kind == "office":
        raise FileProblem(FILE_NOT_A_WORKBOOK)
    if kind == "broken":
        raise FileProblem(FILE_NOT_SPREADSHEET)
    if not kind:
        table = read_csv(content)
        return table, find_header(table.cells, _text), []
    sheets = read_sheets(content, kind)
    if not sheets:
        raise FileProblem(FILE_EMPTY)
    names = [sheet.name for sheet in sheets]
    if wanted in names:
        chosen = names.index(wanted)
        header = find_header(sheets[chosen].cells, _text)
    else:
        chosen, header = 0, None
        for index, sheet in enumerate(sheets):
            found = find_header(sheet.cells, _text)
            if found is not None and (header is None or found.score > header.score):
                chosen, header = index, found
    return workbook_table(content, kind, sheets, chosen), header, names


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
                len(text) == 9 or (len(text) == 10 and text[0] in "12")
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
    """Validates the rows of a table below its header."""

    def __init__(
        self,
        table: Table,
        language: str,
        header: Header | None,
        column_map: Mapping[str, str],
        remembered: Mapping[str, str],
    ) -> None:
        self.table = table
        self.header_found = header
        self.column_map = column_map
        self.remembered = remembered
        # The columns read by a choice, not by their header ({letter: key}).
        self.mapped: dict[str, str] = {}
        self.errors: list[RowError] = []
        self.rows: list[ContactRow] = []
        # Slot ("phones", "phones2", … for several phone columns; else the
        # key) → column index, header as written, letter.
        self.positions: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.letters: dict[str, str] = {}
        self.phone_slots: list[str] = []
        self.office_slots: set[str] = set()
        self.file_columns: list[FileColumn] = []
        self.ignored: list[str] = []
        self.language = language  # until the headers tell
        # Cross-row checks: first row of each person and of each body.
        self.people: dict[tuple, int] = {}
        self.bodies: dict[tuple, tuple[int, str, str]] = {}
        # Cleaned text of each string seen, by column (_values).
        self.texts: dict[str, dict[str, str]] = {}
        # (slot, position, texts, key) of each column found, once the
        # headers are read.
        self.columns: list[tuple[str, int, dict[str, str], str]] = []
        self.blank: dict[str, str] = {}
        # The section heading above the current row, and what body names say.
        self.section = Section("", "", "")
        self.named: dict[str, BodyName] = {}
        self.done = False  # the footer was reached

    def parse(self) -> ParseResult:
        header = self.header_found or _loose_header(self.table.cells, _text)
        self._read_headers(header)
        if not self.errors:
            self.columns = [
                (slot, position, self.texts.setdefault(_key(slot), {}), _key(slot))
                for slot, position in self.positions.items()
            ]
            # Every slot of a row, empty (_values copies it).
            self.blank = dict.fromkeys([*_SLOT_KEYS, *self.phone_slots], "")
            cells = self.table.cells
            if self.table.merged:
                fill_merged(cells, self.table.merged, header.last)
            for index in range(header.last + 1, len(cells)):
                self._parse_row(index, cells[index])
                if self.done:
                    break
            if not self.rows and not self.errors:
                self.errors.append(RowError(0, "", str(FILE_EMPTY)))
        return ParseResult(
            rows=self.rows,
            errors=self.errors,
            language=self.language,
            columns=self.file_columns,
            ignored_columns=self.ignored,
            sheet=self.table.sheet,
            header_rows=tuple(range(header.first + 1, header.last + 2)),
            missing_keys=self.missing,
            mapped=self.mapped,
            remembered=bool(self.mapped) and not self.column_map,
        )

    def _read_headers(self, header: Header) -> None:
        if header.language:
            self.language = header.language
        keys = dict(header.keys)
        for letter, key in self.column_map.items():
            keys[_column_index(letter)] = key
            self.mapped[letter] = key
        if not self.column_map and self.remembered:
            self._apply_remembered(header, keys)
        for index in sorted(keys):
            key, label, letter = (
                keys[index],
                header.labels.get(index, ""),
                _letter(index),
            )
            self.file_columns.append(FileColumn(letter, label, key))
            if not key:
                if label:
                    self.ignored.append(label)
                continue
            if key in UNREAD_KEYS:
                continue
            slot = key
            if key == "phones":
                slot = "phones" if not self.phone_slots else f"phones{index}"
                self.phone_slots.append(slot)
                if index in header.office:
                    self.office_slots.add(slot)
            elif key in self.positions:
                self._file_error(repeated_column_message(label))
                continue
            self.positions[slot] = index
            self.headers[slot] = label
            self.letters[slot] = letter
        self.missing = _lacking(self.positions)
        for key in self.missing:
            if key in _NEEDED_KEYS:
                self._file_error(
                    missing_column_message(COLUMNS_BY_KEY[key].header(self.language))
                )
            else:  # no column names the unit
                self._file_error(
                    missing_unit_columns_message(
                        COLUMNS_BY_KEY["unit_code"].header(self.language),
                        COLUMNS_BY_KEY["unit_name"].header(self.language),
                    )
                )

    def _apply_remembered(self, header: Header, keys: dict[int, str]) -> None:
        """Read each column the header lacks from the column whose header the
        district's remembered choice names, when exactly one column of the
        file has that header and the file's own header reads nothing else
        in it."""
        lacking = set(_lacking({key for key in keys.values() if key}))
        free: dict[str, list[int]] = {}
        for index, label in header.labels.items():
            if not keys.get(index) or keys[index] in UNREAD_KEYS:
                free.setdefault(fold(label), []).append(index)
        for folded, key in self.remembered.items():
            found = free.get(folded, [])
            if key in lacking and len(found) == 1:
                index = found[0]
                keys[index] = key
                self.mapped[_letter(index)] = key
                lacking = set(_lacking({key for key in keys.values() if key}))
                free[folded] = []

    def _file_error(self, message: str) -> None:
        self.errors.append(RowError(0, "", message))

    def _parse_row(self, index: int, cells: Sequence[object]) -> None:
        values = self._values(cells)
        table = self.table
        formula_keys = self._keys_in(index, table.formulas) if table.formulas else _NONE
        control_keys = self._keys_in(index, table.controls) if table.controls else _NONE
        if not formula_keys and not control_keys:
            if not any(values.values()):
                if any(_text(value) for value in cells):
                    self._not_a_person(cells)  # a heading in another column
                return  # an empty row
            # A footer's place-date line may sit in a phone column.
            if not (values["phones"] and values["full_name"] and values["position"]):
                person = values["full_name"] and values["position"]
                phones = any(values[slot] for slot in self.phone_slots)
                if not (phones and person) and self._not_a_person(cells):
                    return
        units: tuple[str, ...] = ()
        if not (values["body_kind"] and values["body_name"]) or not (
            values["unit_code"] or values["unit_name"]
        ):
            units = self._fill_from_names(values)
        row = _Row(self, index + 1, values, formula_keys, control_keys, units)
        contact = row.validate()
        self._check_across_rows(row)
        if row.errors:
            self.errors.extend(row.errors)
        elif contact is not None:
            self.rows.append(contact)

    def _not_a_person(self, cells: Sequence[object]) -> bool:
        """Read a row without phones as the footer (ending the table) or a
        section heading; False for a person's row."""
        texts = {_text(value) for value in cells} - {""}
        if any(is_footer_text(text) for text in texts):
            self.done = True
            return True
        if len(texts) != 1:
            return False
        section = read_section(texts.pop())
        if section is None:
            return False
        if section.kind:
            self.section = section
        return True

    def _fill_from_names(self, values: dict[str, str]) -> tuple[str, ...]:
        """The body kind, name and unit a row leaves empty, from its body's
        name or the section heading above it; the units the body's name
        lists when it gives no single one (ContactRow.named_units)."""
        section = self.section
        if not values["body_name"] and section.body_name:
            values["body_name"] = section.body_name
        name = values["body_name"]
        named = self.named.get(name)
        if named is None:
            named = self.named[name] = read_body_name(name)
        if not values["body_kind"]:
            values["body_kind"] = named.kind or section.kind
        if values["unit_code"] or values["unit_name"]:
            return ()
        if named.units:
            return named.units
        values["unit_name"] = named.unit or section.unit_name
        return ()

    def _values(self, cells: Sequence[object]) -> dict[str, str]:
        """The row's text in each column, "" where there is none."""
        values = self.blank.copy()
        width = len(cells)
        for slot, position, texts, key in self.columns:
            if position < width:
                value = cells[position]
                if type(value) is str:
                    # A body's cells repeat on each of its rows, and kinds,
                    # units and positions on most rows: clean each text once.
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = _cell_text(value, key)
                    values[slot] = text
                else:
                    values[slot] = _cell_text(value, key)
        return values

    def _keys_in(self, index: int, cells: set[tuple[int, int]]) -> frozenset[str]:
        """The columns of row `index` whose cells are among `cells`."""
        return frozenset(
            slot for slot, position, _, _ in self.columns if (index, position) in cells
        )

    def _check_across_rows(self, row: "_Row") -> None:
        values = row.values
        if not (values["body_kind"] and values["body_name"]):
            return
        if not (values["unit_code"] or values["unit_name"] or row.named_units):
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
        return self.headers.get(key) or COLUMNS_BY_KEY[_key(key)].header(self.language)


def _key(slot: str) -> str:
    """The column key of a slot ("phones7" → "phones")."""
    return "phones" if slot.startswith("phones") else slot


def _letter(index: int) -> str:
    """The spreadsheet letter of column `index` (0 → "A", 27 → "AB")."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_index(letter: str) -> int:
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - ord("A") + 1
    return index - 1


def _lacking(found: Collection[str]) -> list[str]:
    """The keys a file whose columns are read as `found` lacks and needs:
    "unit_name" stands for a file naming its units nowhere."""
    lacking = [
        key
        for key in _NEEDED_KEYS
        if key not in found and not (key == "body_kind" and "body_name" in found)
    ]
    if not {"unit_code", "unit_name", "body_name"} & set(found):
        lacking.append("unit_name")
    return lacking


def _loose_header(cells: Sequence[Sequence[object]], text) -> Header:
    """The header when no row names the name or the phone column: of the
    first rows, the one naming most known columns, then with most cells
    filled (the first of equals; row 1 when no row has two cells). What it
    lacks is reported, and the preview offers its columns to choose from,
    so it must not be a title above the table."""
    best, best_score = 0, (0, 0)
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        labels = [label for label in (text(value) for value in row) if label]
        if len(labels) < 2:
            continue
        known = {header_key(label)[0] for label in labels} - {""} - UNREAD_KEYS
        score = (len(known), len(labels))
        if score > best_score:
            best, best_score = index, score
    return _row_header(cells, best, text)


def _row_header(cells: Sequence[Sequence[object]], index: int, text) -> Header:
    """Row `index` read as the header, whatever it names."""
    row = cells[index] if index < len(cells) else []
    labels = {i: text(v) for i, v in enumerate(row) if text(v)}
    found = [header_key(label) for label in labels.values()]
    votes = {
        language: sum(1 for _, vote in found if vote == language)
        for language in ("vi", "en")
    }
    language = ""
    if votes["vi"] != votes["en"]:
        language = "vi" if votes["vi"] > votes["en"] else "en"
    return Header(
        first=index,
        last=index,
        labels=labels,
        keys={i: key for i, (key, _) in zip(labels, found, strict=True)},
        language=language,
    )


class _Row:
    """One data row being validated; collects its errors."""

    def __init__(
        self,
        parser: _RowParser,
        number: int,
        values: dict,
        formulas: frozenset,
        controls: frozenset = frozenset(),
        named_units: tuple[str, ...] = (),
    ):
        self.parser = parser
        self.named_units = named_units
        self.number = number
        self.values = values
        self.formulas = formulas
        self.controls = controls
        # What the checks read: a formula's cached value is not the user's,
        # and a cell with a control character is refused as a whole.
        self.unusable = unusable = formulas | controls
        self.usable = (
            {key: "" if key in unusable else text for key, text in values.items()}
            if unusable
            else values
        )
        self.errors: list[RowError] = []
        self.notes: list[str] = []

    def add(self, column: str, message: str, letter: str = "") -> None:
        self.errors.append(RowError(self.number, column, message, letter))

    def add_for(self, key: str, message: str) -> None:
        self.add(self.parser.header(key), message, self.parser.letters.get(key, ""))

    def validate(self) -> ContactRow | None:
        usable = self.usable
        for key in self.formulas:
            self.add_for(key, str(FORMULA_CELL))
        for key in self.controls - self.formulas:
            self.add_for(key, str(CONTROL_CHARACTER))
        for key in _REQUIRED_KEYS:
            if not usable[key] and key not in self.unusable:
                if key == "phones" and self._other_phone_typed():
                    continue
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
            notes=tuple(self.notes),
            named_units=self.named_units,
        )

    def _check_unit(self) -> None:
        if self.usable["unit_code"] or self.usable["unit_name"] or self.named_units:
            return
        if {"unit_code", "unit_name"} & (self.formulas | self.controls):
            return
        positions = self.parser.positions
        if "unit_code" not in positions and "unit_name" not in positions:
            self.add_for(
                "body_name", unit_not_in_name_message(self.usable["body_name"])
            )
            return
        key = "unit_code" if "unit_code" in positions else "unit_name"
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

    def _other_phone_typed(self) -> bool:
        """Whether a phone column besides the first has a value (or a
        formula or control character, reported as such)."""
        others = self.parser.phone_slots[1:]
        unusable = self.formulas | self.controls
        return any(self.usable[slot] or slot in unusable for slot in others)

    def _phones(self) -> tuple[str, ...]:
        """The numbers of every phone column ("Cơ quan" and "Di động" both
        count), each error in its own column."""
        phones: list[str] = []
        parser = self.parser
        typed = False
        for slot in parser.phone_slots or ["phones"]:
            text = self.usable[slot]
            if not text:
                continue
            typed = True
            office = slot in parser.office_slots
            for part in split_phones(text):
                try:
                    number = self._phone(part, office)
                except InvalidPhone as error:
                    self.add_for(slot, error.message)
                    continue
                if number not in phones:
                    phones.append(number)
            if not phones and not self.errors_for(slot):
                self.add_for(slot, missing_value_message(parser.header(slot)))
        if not typed:
            return ()
        if len(" ".join(phones)) > PHONES_LIMIT:
            self.add_for(
                "phones", too_long_message(self.parser.header("phones"), PHONES_LIMIT)
            )
        return tuple(phones)

    def _phone(self, part: str, office: bool) -> str:
        """One number in E.164; an old 11-digit mobile is converted, and an
        old landline that now reads as a mobile is noted."""
        try:
            number = normalise_phone(part)
        except InvalidPhone:
            digits = _PHONE_PUNCTUATION.sub("", part)
            new = modernise_old_mobile(digits)
            if new is None:
                if digits.isdigit() and digits[0] == "0" and 6 <= len(digits) < 10:
                    raise InvalidPhone(short_phone_message(part, len(digits))) from None
                raise
            number = normalise_phone(new)
            self.notes.append(old_mobile_note(part, _grouped(new)))
            return number
        if number[3:5] in _OLD_AREA_CODES and (
            office or _WRITTEN_AS_LANDLINE.fullmatch(part)
        ):
            landline = old_landline("0" + number[3:])
            if landline:
                self.notes.append(old_landline_note(part, _grouped(landline)))
        return number

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
# What a file must have columns for; the body kind can come from names.
_NEEDED_KEYS = _REQUIRED_KEYS
_SLOT_KEYS = tuple(COLUMNS_BY_KEY)
_PHONE_PUNCTUATION = re.compile(r"[\s.()\-]")
# Second and third digits of the old area codes that are now mobile prefixes.
_OLD_AREA_CODES = frozenset(code[1:] for code in OLD_AREA_CODES)
# An area code apart from the subscriber number: "037 3718258", "(037)3718258".
_WRITTEN_AS_LANDLINE = re.compile(r"\(?0\d\d\)?[\s.\-]*\d{7}|\(0\d\d\)\s*\d{7}")


def _grouped(national: str) -> str:
    """A national number as officials write it: "0393 456 789", "0237 3718 258"."""
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return f"{national[:4]} {national[4:8]} {national[8:]}"


_NONE: frozenset[str] = frozenset()  # no formula cells in the row


def _column_order(parser: _RowParser, header: str) -> int:
    for order, column in enumerate(COLUMNS):
        if parser.header(column.key) == header:
            return order
    return len(COLUMNS)  # whole-row errors last
