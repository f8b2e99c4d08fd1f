"""Hostile input, shared by the fuzz tests: text, numbers, dates, form
values, and spreadsheets (.xlsx and CSV, whole or broken).

Spreadsheets are drawn as a `Sheet` (a header row and data rows of cell
values, and how the file is written) and turned into bytes by the test with
`Sheet.render`, which replaces `Ref` placeholders by the world's values (a
commune's code: the factories number them, so they are known only once the
world exists). The tests read what each row meant from the Sheet itself.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from hypothesis import strategies as st
from openpyxl.cell.cell import Cell

from contacts.spreadsheets import active_sheet

# --- Text ------------------------------------------------------------------------

VIETNAMESE = "Nguyễn Văn Ả"  # precomposed (NFC), as most keyboards type it
# The same name with combining marks (NFD), as Unikey's "Unicode tổ hợp"
# and some Mac and web forms send it.
VIETNAMESE_NFD = unicodedata.normalize("NFD", VIETNAMESE)
# Marks stacked on one letter, as pasted from the web ("Zalgo" text).
STACKED_MARKS = "a" + "\u0301\u0323\u0309\u0306" * 25
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

NASTY_TEXT = (
    "",
    " ",
    "\t",
    "\r\n",
    "\x00",
    "a\x00b",
    "\x00" * 9,
    "\x01\x08\x0b\x1f\x7f",
    "\x85\u2028\u2029",
    VIETNAMESE,
    VIETNAMESE_NFD,
    STACKED_MARKS,
    "Đặng Thị Hồng Nhung",
    unicodedata.normalize("NFD", "Ủy ban bầu cử xã Quảng Đức"),
    ZERO_WIDTH,
    "\u202egnp.exe",  # right-to-left override
    "\U0001f600\U0001f3fd",  # astral plane
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\ud800",  # lone surrogates: sent as the bytes a broken client sends
    "a\udfffb",
    "=1+1",
    '=HYPERLINK("http://example.com","x")',
    "+84912345678",
    "@SUM(A1)",
    "'=1",
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    "%s %(x)s {0} %n",
    "../../etc/passwd",
    "\\",
    "null",
    "None",
    "true",
)
NASTY_NUMBERS = (
    "0",
    "-1",
    "1.5",
    "1,5",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999999",
    "١٢",  # Arabic-Indic digits
    "²",  # a digit to str.isdigit(), not to int()
    "０１",  # full-width digits
    "1_000",
    " 7 ",
    "0x1F",
)
NASTY_DATES = (
    "31/02/2021",
    "29/02/2021 10:00",
    "00/00/0000 00:00",
    "01/01/0001 00:00",
    "01/01/0001",
    "31/12/9999 23:59",
    "31/12/9999",
    "32/13/2021 25:61",
    "23/05/2021 24:00",
    "2021-05-23T08:00",
    "2021-02-31",
    "23/05/21",
    "-1/-1/-1",
    "23.05.2021",
    "7h30",
    "24:00",
)


def _repeat(seed: str, length: int) -> str:
    return (seed * (length // len(seed) + 1))[:length]


def huge_text() -> st.SearchStrategy[str]:
    """Up to 100,000 characters, cheaply (a seed repeated)."""
    seeds = ("a", "ễ", "e\u0301", "\x00", "9", " ", "𝔸", "Nguyễn ")
    return st.builds(_repeat, st.sampled_from(seeds), st.integers(1_000, 100_000))


def any_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any code points, lone surrogates and control characters included."""
    return st.text(st.characters(exclude_categories=()), max_size=max_size)


def hostile_text() -> st.SearchStrategy[str]:
    corpus = st.sampled_from(NASTY_TEXT + NASTY_NUMBERS + NASTY_DATES)
    return st.one_of(
        corpus,
        any_text(),
        huge_text(),
        st.builds(str.__add__, corpus, corpus),
    )


def _insert_zero_width(text: str) -> str:
    middle = len(text) // 2
    return text[:middle] + "\u200b" + text[middle:]


def mutated(valid: str) -> st.SearchStrategy[str]:
    """Variants of a valid value that a user may well send and that should
    still be accepted: spaces around, combining marks instead of
    precomposed letters, a zero-width character pasted in, more
    Vietnamese."""
    return st.sampled_from(
        (
            valid,
            f"  {valid}\t",
            unicodedata.normalize("NFD", valid),
            _insert_zero_width(valid),
            f"{valid} {VIETNAMESE_NFD}",
            f"{valid} \U0001f600",
        )
    )


# --- Form values -------------------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# A field left out of the body altogether.
MISSING = _Missing()


def scalar_value(valid: object) -> st.SearchStrategy[object]:
    """One value for a field whose valid value is `valid`."""
    options = [hostile_text()]
    if isinstance(valid, str) and valid:
        options.insert(0, mutated(valid))
    return st.one_of(*options)


def form_value(valid: object) -> st.SearchStrategy[object]:
    """What to send instead of `valid`: a variant of it, something hostile,
    a list where one value is expected, or nothing at all."""
    return st.one_of(
        scalar_value(valid),
        st.lists(scalar_value(valid), min_size=2, max_size=3),
        st.just(MISSING),
    )


# --- Spreadsheets --------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A world value put in a cell when the file is rendered (a commune's
    code or name, by index)."""

    kind: str
    index: int = 0


@dataclass(frozen=True)
class Sheet:
    """A file to upload: a header row and data rows, written as .xlsx or as
    CSV (delimiter, encoding, NUL bytes inserted), possibly cut short."""

    header: tuple
    rows: tuple
    fmt: str = "xlsx"  # "xlsx" or "csv"
    delimiter: str = ";"
    encoding: str = "utf-8"
    nul_at: tuple = ()  # CSV: byte offsets (fractions of the length) of NULs
    cut: float | None = None  # keep only this fraction of the bytes
    extra_sheet_first: bool = False  # xlsx: an empty sheet before the data

    def resolved_rows(self, resolve) -> list[list]:
        return [[_resolve(cell, resolve) for cell in row] for row in self.rows]

    def render(self, resolve) -> bytes:
        rows = [list(self.header), *self.resolved_rows(resolve)]
        content = _xlsx(rows, self) if self.fmt == "xlsx" else _csv(rows, self)
        for fraction in sorted(self.nul_at, reverse=True):
            at = int(len(content) * fraction)
            content = content[:at] + b"\x00" + content[at:]
        if self.cut is not None:
            content = content[: int(len(content) * self.cut)]
        return content


def _resolve(cell, resolve):
    return resolve(cell) if isinstance(cell, Ref) else cell


# Characters XML 1.0 cannot hold: written as the _xHHHH_ escape Excel uses,
# which readers decode back into the character.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xlsx_cell(value):
    if isinstance(value, str):
        return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def _writable(worksheet, value):
    """The value, or its text where openpyxl refuses it."""
    value = _xlsx_cell(value)
    try:
        # Cell's row and column are optional; its stubs ask for them.
        Cell(worksheet, value=value)  # type: ignore[call-arg]
    except (ValueError, TypeError):
        return _xlsx_cell(str(value))
    return value


def _xlsx(rows: list[list], sheet: Sheet) -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = active_sheet(workbook)
    if sheet.extra_sheet_first:
        worksheet.title = "Trống"
        worksheet = workbook.create_sheet("Dữ liệu")
    for row in rows:
        worksheet.append([_writable(worksheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows: list[list], sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sheet.delimiter, lineterminator="\r\n")
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    errors = "surrogatepass" if sheet.encoding.startswith("utf-8") else "replace"
    return out.getvalue().encode(sheet.encoding, errors=errors)


def cell_value() -> st.SearchStrategy[object]:
    """A hostile cell of any type a spreadsheet holds."""
    return st.one_of(
        hostile_text(),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.datetimes(
            min_value=datetime.datetime(1900, 3, 1),
            max_value=datetime.datetime(9999, 12, 31),
        ),
        st.dates(min_value=datetime.date(1900, 3, 1)),
        st.times(),
        st.sampled_from(("=1+2", "=A1", '=HYPERLINK("http://x")', "=1/0")),
    )


def broken_file() -> st.SearchStrategy[bytes]:
    """Bytes that are not a readable spreadsheet, or nearly one."""
    return st.one_of(
        st.binary(max_size=3000),
        st.sampled_from(
            (
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
                b"PK\x03\x04" + b"\x00" * 60,
                b"\xef\xbb\xbf",
                b"\xff\xfe" + "Họ và tên;Số điện thoại\n".encode("utf-16-le"),
                # Windows' Vietnamese code page: base letters and tone marks.
                unicodedata.normalize(
                    "NFD", "Họ và tên;Số điện thoại\nNguyễn;0912345678\n"
                ).encode("cp1258", "replace"),
                b"\x00" * 1024,
                _zip({"xl/workbook.xml": b"<workbook/>"}),
                _zip({"[Content_Types].xml": b"<Types/>", "hello.txt": b"hi"}),
                _zip(
                    {
                        "xl/workbook.xml": b"<?xml version='1.0'?><!DOCTYPE x ["
                        b"<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
                        b"<workbook>&b;</workbook>"
                    }
                ),
            )
        ),
    )


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def file_format() -> st.SearchStrategy[dict]:
    """How a Sheet is written: .xlsx mostly, else CSV in some encoding, and
    now and then damaged (NUL bytes, cut short)."""
    csv_options = st.fixed_dictionaries(
        {
            "fmt": st.just("csv"),
            "delimiter": st.sampled_from((";", ",", "\t")),
            "encoding": st.sampled_from(
                ("utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1")
            ),
        }
    )
    xlsx_options = st.fixed_dictionaries(
        {"fmt": st.just("xlsx")},
        optional={"extra_sheet_first": st.booleans()},
    )
    damage: st.SearchStrategy[dict[str, Any]] = st.one_of(
        st.just({}),
        st.fixed_dictionaries(
            {"nul_at": st.lists(st.floats(0, 1), min_size=1, max_size=3).map(tuple)}
        ),
        st.fixed_dictionaries({"cut": st.floats(0, 0.999)}),
    )
    return st.builds(
        lambda base, harm: {**base, **harm},
        st.one_of(xlsx_options, csv_options),
        st.one_of(st.just({}), st.just({}), damage),
    )
