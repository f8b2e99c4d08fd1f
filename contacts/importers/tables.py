"""Reading workbooks (.xlsx, .xls, .ods) and text files (CSV, Excel's
"Unicode text", Windows-1258) into tables of cells, and finding formula
cells (calamine returns cached values only)."""

import csv
import datetime
import io
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

from contacts.importers.vocabulary import (
    FILE_NOT_A_WORKBOOK,
    FILE_NOT_SPREADSHEET,
    FILE_UNKNOWN_ENCODING,
    MAX_UNPACKED_BYTES,
    file_too_large_message,
)


class FileProblem(Exception):
    """Stops parsing with one file-level error."""


@dataclass
class Table:
    cells: Sequence[Sequence[object]]  # as the sheet has them, from row 1
    formulas: set[tuple[int, int]]  # (row index, column index) from 0
    # Text cells holding a control character (a NUL, …), same indexes.
    controls: set[tuple[int, int]] = field(default_factory=set)
    # Merged ranges ((top, left), (bottom, right)), filled once the header
    # is known (contacts.importers.rows).
    merged: list = field(default_factory=list)
    sheet: str = ""  # the workbook sheet's name, "" for a text file


@dataclass
class Sheet:
    name: str
    cells: list
    merged: list


# Reading the formats.

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.xls, .doc)
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def workbook_kind(content: bytes) -> str:
    """ "xlsx", "ods", "xls", "office" (another OLE or zip Office file) or ""
    (not a workbook: maybe text)."""
    if content.startswith(_OLE):
        return "xls"
    if not content.startswith(b"PK"):
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == (
                _ODS_MIMETYPE
            ):
                return "ods"
    except (zipfile.BadZipFile, KeyError):
        return "broken"
    return "office"


def is_xlsx(content: bytes) -> bool:
    return workbook_kind(content) == "xlsx"


def read_sheets(content: bytes, kind: str) -> list[Sheet]:
    """Every sheet of a workbook, cells as calamine reads them."""
    if kind in ("xlsx", "ods"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileProblem(file_too_large_message())
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = []
        for index, name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            # Keep the empty rows and columns before the data so that indexes
            # are the user's row and column numbers.
            cells = sheet.to_python(skip_empty_area=False)
            sheets.append(Sheet(name, cells, sheet.merged_cell_ranges or []))
    except (python_calamine.CalamineError, ValueError, TypeError):
        raise FileProblem(
            FILE_NOT_SPREADSHEET if kind == "xlsx" else FILE_NOT_A_WORKBOOK
        ) from None
    if kind == "ods":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            merged = _ods_merged(archive)
        for read, ranges in zip(sheets, merged, strict=False):
            read.merged = read.merged or ranges
    return sheets


# The OpenDocument elements that place a cell: a sheet, a row, a cell and
# a cell hidden under a merged one. Every writer met (LibreOffice, Excel,
# Google Sheets) spells the table namespace "table:".
_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>"
)
_ODS_COUNT = {
    name: re.compile(rb"table:number-" + name + rb"=[\"'](\d+)")
    for name in (
        b"rows-repeated",
        b"columns-repeated",
        b"rows-spanned",
        b"columns-spanned",
    )
}


def _ods_count(attributes: bytes, name: bytes) -> int:
    found = _ODS_COUNT[name].search(attributes)
    return int(found.group(1)) if found else 1


def _ods_merged(archive: zipfile.ZipFile) -> list[list]:
    """The merged ranges of each sheet of an .ods file, as calamine gives
    them for .xlsx and .xls ((top, left), (bottom, right)) and does not for
    .ods (a body's name merged down over its people's rows)."""
    try:
        content = archive.read("content.xml")
    except KeyError:
        return []
    if b"-spanned" not in content:
        return []
    sheets: list[list] = []
    row = column = -1
    repeated_rows = 1
    for match in _ODS_TAG.finditer(content):
        closing, name, attributes = match.groups()
        if closing:
            if name == b"table-row":
                row += repeated_rows - 1
            continue
        if name == b"table":
            sheets.append([])
            row = -1
        elif name == b"table-row":
            row, column = row + 1, 0
            repeated_rows = _ods_count(attributes, b"rows-repeated")
            if attributes.endswith(b"/"):  # an empty row
                row += repeated_rows - 1
        elif sheets:
            if name == b"table-cell" and b"-spanned" in attributes:
                rows = _ods_count(attributes, b"rows-spanned")
                columns = _ods_count(attributes, b"columns-spanned")
                if rows > 1 or columns > 1:
                    sheets[-1].append(
                        ((row, column), (row + rows - 1, column + columns - 1))
                    )
            column += _ods_count(attributes, b"columns-repeated")
    return sheets


def workbook_table(content: bytes, kind: str, sheets: list[Sheet], index: int) -> Table:
    """The table of sheet `index`, with its formula and control cells.

    Formulas are found in .xlsx only (calamine returns cached values; the
    .xls and .ods formats are read as their cached values).
    """
    sheet = sheets[index]
    formulas: set[tuple[int, int]] = set()
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            formulas = _formula_cells(archive, _sheet_path(archive, index))
    return Table(
        cells=sheet.cells,
        formulas=formulas,
        controls=_control_cells(sheet.cells),
        merged=sheet.merged,
        sheet=sheet.name,
    )


def read_xlsx(content: bytes) -> Table:
    """The first sheet of an .xlsx file."""
    sheets = read_sheets(content, "xlsx")
    return workbook_table(content, "xlsx", sheets, 0)


# A cell's value as calamine reads it.
XlsxValue = (
    int
    | float
    | str
    | bool
    | datetime.time
    | datetime.date
    | datetime.datetime
    | datetime.timedelta
)


def fill_merged(cells: Sequence[Sequence[object]], merged: list, below: int) -> None:
    """Give every cell of a range merged down over several rows, below row
    index `below` (the header), its top-left value, as the user sees it (a
    body's columns merged down over its people's rows). Ranges within one
    row (a section heading across the table) stay as they are."""
    for (top, left), (bottom, right) in merged:
        if top <= below or bottom == top or top >= len(cells):
            continue
        value = cells[top][left] if left < len(cells[top]) else ""
        for row in cells[top : bottom + 1]:
            for column in range(left, min(right + 1, len(row))):
                row[column] = value  # type: ignore[index]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_path(archive: zipfile.ZipFile, index: int) -> str | None:
    """The part name of the workbook's sheet `index`, in calamine's order."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return None
    sheets = [e for e in workbook.iter() if _local(e.tag) == "sheet"]
    if index >= len(sheets):
        return None
    sheet = sheets[index]
    rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


# Any <f> element, with or without a namespace prefix ("<f>", "<x:f t=…>").
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)")


def _formula_cells(archive: zipfile.ZipFile, path: str | None) -> set[tuple[int, int]]:
    """(row, column) indexes of the cells holding a formula.

    calamine returns only a formula's cached value, so formulas are read from
    the sheet XML. Most files have none: a byte search settles that without
    parsing.
    """
    if path is None or path not in archive.namelist():
        return set()
    with archive.open(path) as stream:
        if not _contains_formula(stream):
            return set()
    data = archive.read(path)
    found = _formula_refs(data)
    if found is None:
        found = _iter_formula_cells(io.BytesIO(data))
    return found


_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>]")
_CELL_REF_ATTR = re.compile(rb'\sr="([A-Za-z]+)(\d+)"')


def _formula_refs(data: bytes) -> set[tuple[int, int]] | None:
    """Formula cells found by their "r" reference, without an XML parser
    (iterparse takes about 9 s on 50,000 rows; this takes milliseconds).

    <f> is the first child of its <c> in the schema, so the tag just before
    each <f> is the cell's start tag. None when a cell does not look like
    that (no "r" attribute): the caller then parses the XML.
    """
    found = set()
    for match in _FORMULA_TAG.finditer(data):
        start = data.rfind(b"<", 0, match.start())
        end = data.find(b">", start)
        if start < 0 or not _CELL_START.match(data, start):
            return None
        ref = _CELL_REF_ATTR.search(data, start, end)
        if ref is None:
            return None
        found.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
    return found


def _contains_formula(stream) -> bool:
    tail = b""
    first = True
    while chunk := stream.read(1 << 20):
        if first and b"<!DOCTYPE" in chunk[:4096]:
            # Sheets never declare a DTD; one here is an attack on the parser.
            raise FileProblem(FILE_NOT_SPREADSHEET)
        first = False
        window = tail + chunk
        # A formula tag holds "<f", or ":f" after a prefix: two byte searches
        # rule out a chunk in about half the time the pattern takes.
        if (b"<f" in window or b":f" in window) and _FORMULA_TAG.search(window):
            return True
        tail = chunk[-64:]
    return False


def _iter_formula_cells(stream) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    row = column = -1
    # expat ≥ 2.4 limits entity expansion and there is no DTD (checked above).
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # noqa: S314
        tag = _local(element.tag)
        if event == "end":
            if tag == "row":
                element.clear()
        elif tag == "row":
            row = int(element.get("r") or row + 2) - 1
            column = -1
        elif tag == "c":
            match = _CELL_REF.fullmatch(element.get("r") or "")
            column = _column_index(match.group(1)) if match else column + 1
        elif tag == "f":
            found.add((row, column))
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


# Control characters never found in a text file (tab, CR and LF are fine).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_cells(cells: Sequence[Sequence[object]]) -> set[tuple[int, int]]:
    """(row, column) indexes of the text cells holding a control character.

    A workbook can hold any of them: raw in the XML, as a character
    reference, or as Excel's _x0000_ escape, which calamine decodes.
    PostgreSQL cannot store a NUL, and none of them is ever typed: the
    importers refuse such a cell, naming it. One search over all the text
    settles it for nearly every file.
    """
    text = [value for row in cells for value in row if type(value) is str]
    if not _BINARY.search("".join(text)):
        return set()
    return {
        (row_index, column_index)
        for row_index, row in enumerate(cells)
        for column_index, value in enumerate(row)
        if type(value) is str and _BINARY.search(value)
    }


def decode_text(content: bytes) -> str:
    """A text file's content as NFC text: UTF-8 with or without BOM, UTF-16
    (Excel's "Unicode text") with or without BOM, or Windows-1258, whose
    Vietnamese letters carry their tone as a separate combining mark."""
    if content.startswith(b"%PDF"):
        raise FileProblem(FILE_NOT_SPREADSHEET)
    encoding = _text_encoding(content)
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8-sig":
            raise FileProblem(FILE_UNKNOWN_ENCODING) from None
        try:
            text = content.decode("cp1258")
        except UnicodeDecodeError:
            raise FileProblem(_unreadable(content)) from None
    if _BINARY.search(text):
        raise FileProblem(FILE_NOT_SPREADSHEET)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _text_encoding(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = content[:400]
    # UTF-16 without a BOM: ASCII letters with a NUL beside each.
    if len(head) >= 4 and head.count(0) * 3 > len(head):
        if head[1::2].count(0) > head[0::2].count(0):
            return "utf-16-le"
        return "utf-16-be"
    return "utf-8-sig"


def _unreadable(content: bytes) -> str:
    """Why undecodable bytes are refused: text in an unknown encoding, or not
    text at all."""
    control = sum(1 for byte in content[:4096] if byte < 9 or 13 < byte < 32)
    return str(FILE_NOT_SPREADSHEET if control else FILE_UNKNOWN_ENCODING)


_DELIMITERS = ("\t", ";", ",")


def _delimiter(text: str) -> str:
    """The delimiter of the table: the one most often on a line of the first
    lines (title lines above the header have few or none)."""
    lines = text[:65536].splitlines()[:40]
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_csv(content: bytes) -> Table:
    text = decode_text(content)
    try:
        cells = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        )
    except csv.Error:
        raise FileProblem(FILE_NOT_SPREADSHEET) from None
    formulas = {
        (row_index, column_index)
        for row_index, row in enumerate(cells)
        for column_index, value in enumerate(row)
        if value.strip().startswith("=")
    }
    return Table(cells=cells, formulas=formulas)


# Turning cells into text.

# Our exports (contacts.spreadsheets.safe_cell) prefix these with "'".
