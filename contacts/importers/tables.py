"""Reading .xlsx and CSV files into a table of cells, and finding formula
cells (calamine returns cached values only)."""

import csv
import datetime
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

from contacts.importers.vocabulary import (
    FILE_NOT_SPREADSHEET,
    MAX_UNPACKED_BYTES,
    file_too_large_message,
)


class FileProblem(Exception):
    """Stops parsing with one file-level error."""


@dataclass
class Table:
    cells: Sequence[Sequence[object]]  # row 0 is the header row
    formulas: set[tuple[int, int]]  # (row index, column index) from 0
    # Text cells holding a control character (a NUL, …), same indexes.
    controls: set[tuple[int, int]] = field(default_factory=set)


# Reading the two formats.


def is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_xlsx(content: bytes) -> Table:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise FileProblem(file_too_large_message())
        try:
            workbook = python_calamine.CalamineWorkbook.from_filelike(
                io.BytesIO(content)
            )
            sheet = workbook.get_sheet_by_index(0)
            # Keep the empty rows and columns before the data so that indexes
            # are the user's row and column numbers.
            cells = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except python_calamine.CalamineError:
            raise FileProblem(FILE_NOT_SPREADSHEET) from None
        formulas = _formula_cells(archive, _first_sheet_path(archive))
    _fill_merged(cells, merged)
    return Table(cells=cells, formulas=formulas, controls=_control_cells(cells))


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


def _fill_merged(
    cells: list[list[XlsxValue]], merged: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """Give every cell of a merged range its top-left value, as the user sees
    it (a body's columns merged down over its people's rows)."""
    for (top, left), (bottom, right) in merged:
        if top == 0 or top >= len(cells):
            continue  # header cells stay as they are
        value = cells[top][left] if left < len(cells[top]) else ""
        for row in cells[top : bottom + 1]:
            for column in range(left, min(right + 1, len(row))):
                row[column] = value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The part name of the workbook's first sheet, which calamine reads."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        return None
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


def read_csv(content: bytes) -> Table:
    if content.startswith(b"%PDF"):
        raise FileProblem(FILE_NOT_SPREADSHEET)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(FILE_NOT_SPREADSHEET) from None
    if _BINARY.search(text):
        raise FileProblem(FILE_NOT_SPREADSHEET)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        cells = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
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
