"""Administrative documents in the form Decree 30/2020/NĐ-CP (Appendix I)
requires: one description of a document (Nd30Document), written out as a
Word file and as a PDF from that same description, so that both say the
same thing in the same places (docs/documents.md says which rule of the
decree each part follows).

The renderers (render_docx, render_pdf) are the only code that knows the
layout; the documents themselves (the committee report, the directive
letter, the situation reports, the close-out report) are built by the
functions that make an Nd30Document from the app's data.
"""

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone


@dataclass(frozen=True)
class PartialDate:
    """A document's date as it was written: the day (or the month) may be
    blank in the original ("ngày … tháng 02 năm 2021") and stays blank."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def of(cls, day: datetime.date) -> "PartialDate":
        return cls(day.year, day.month, day.day)


@dataclass(frozen=True)
class Paragraph:
    """Body text: justified, first line indented."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class SectionHeading:
    """ "I. TÌNH HÌNH TRIỂN KHAI", "1. Các đơn vị cấp huyện": bold, not indented."""

    text: str


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    title: str = ""


Block = Paragraph | SectionHeading | Table


@dataclass(frozen=True)
class Appendix:
    """After the signature: "Phụ lục I" centred bold, its title, its blocks."""

    label: str  # "Phụ lục I"
    title: str  # "DANH SÁCH ĐƠN VỊ CHƯA HOÀN THÀNH ĐÚNG HẠN"
    blocks: list[Block]
    note: str = ""  # "(Kèm theo Báo cáo số 12/BC-STTTT ngày 07/12/2026 …)"


@dataclass(frozen=True)
class Signature:
    """At the right: the capacity in capitals, bold ("GIÁM ĐỐC"; a deputy
    signing for the head: "KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC"), space to
    sign and seal, then the signer's name, bold."""

    capacity: list[str]
    name: str


@dataclass(frozen=True)
class Nd30Document:
    governing_body: str  # "UBND TỈNH THANH HÓA", printed as given
    issuing_body: str  # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    # "12/BC-STTTT"; a draft not yet numbered: "   /BC-STTTT".
    number: str
    place: str  # "Thanh Hóa" (no level word)
    date: PartialDate | None  # None: a draft, "ngày    tháng    năm 2026"
    # "BÁO CÁO", "KẾ HOẠCH"…; empty for a công văn, whose summary then
    # goes under the number at the left as "V/v …".
    doc_type: str
    summary: str  # trích yếu
    recipients: list[str]  # after "Kính gửi:"; empty: no such line
    body: list[Block]
    signature: Signature
    copies_to: list[str]  # "Nơi nhận:" lines, without "- " and ";"
    archive: str = "Lưu: VT."  # the last line of Nơi nhận
    appendices: list[Appendix] = field(default_factory=list)
    draft: bool = False  # a "DỰ THẢO" mark on every page


# The document's fixed words. They are not translated: the decree's forms
# are Vietnamese whatever language the pages of the app are read in.
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER_LABEL = "Số:"
SUBJECT_PREFIX = "V/v "
RECIPIENTS_LABEL = "Kính gửi:"
COPIES_LABEL = "Nơi nhận:"
DRAFT_MARK = "DỰ THẢO"
# Where a draft's number will be written by hand: "Số:       /BC-STTTT".
# No-break spaces, so that neither Word nor HTML folds them into one.
NUMBER_BLANK = "\u00a0" * 8


@dataclass(frozen=True)
class PrintedLines:
    """The lines of a document worked out once, so that the Word file and
    the PDF print the very same words (readiness/nd30_docx.py,
    templates/documents/nd30.html)."""

    number: str  # "Số: 12/BC-STTTT"
    subject: str  # a công văn's "V/v …" under the number, else ""
    place_date: str
    # One recipient: ["Ủy ban bầu cử tỉnh Thanh Hóa."], printed after
    # "Kính gửi:" on the same line; several: ["- A;", "- B."], each on its
    # own line under it.
    recipients: list[str]
    copies: list[str]  # "- A;" … "- Lưu: VT."


def printed_lines(document: Nd30Document) -> PrintedLines:
    if len(document.recipients) == 1:
        recipients = [_ending(document.recipients[0], ".")]
    else:
        recipients = _dashed(document.recipients)
    # A draft without a date shows this year (PartialDate(year) pins it).
    year = timezone.localdate().year
    return PrintedLines(
        number=f"{NUMBER_LABEL} {_number(document)}",
        subject=SUBJECT_PREFIX + document.summary if not document.doc_type else "",
        place_date=place_date_line(document.place, document.date, year=year),
        recipients=recipients,
        copies=_dashed([*document.copies_to, document.archive]),
    )


def _number(document: Nd30Document) -> str:
    """ "12/BC-STTTT"; a draft's, or one given without its number, has a
    blank wide enough to write the number in by hand."""
    number = document.number.strip()
    if not (document.draft or number.startswith("/")):
        return number
    symbol = number.partition("/")[2]
    return f"{NUMBER_BLANK}/{symbol}" if symbol else NUMBER_BLANK


def numeric_columns(table: Table) -> list[bool]:
    """The columns whose every filled cell is a number ("STT", counts):
    centred by both renderers."""
    found = []
    for i in range(len(table.headers)):
        cells = [row[i].strip() for row in table.rows if i < len(row)]
        filled = [c for c in cells if c]
        found.append(
            bool(filled)
            and all(c.replace(".", "").replace(",", "").isdigit() for c in filled)
        )
    return found


# Characters of a table's 12 pt text that a 165 mm line holds (a
# character of Times New Roman is about 0.46 em wide, a capital 0.67),
# the cells' padding in characters, and how much wider a header's bold
# letters are.
TABLE_LINE = 85
CAPITAL_WIDER = 1.45
CELL_PADDING_CHARS = 2
HEADER_WIDER = 1.1


def column_shares(table: Table, *, line: int = TABLE_LINE) -> list[float]:
    """Each column's share of the table's width, worked out as a browser
    lays out an automatic table, in characters: a column is at least as
    wide as its longest word and at most as its longest text; what the
    line has beyond the least widths goes to the columns that want more,
    in proportion. The Word file and the PDF both give their columns these
    widths, so that their rows wrap alike."""
    least, most = [], []
    for i, header in enumerate(table.headers):
        cells = [row[i] for row in table.rows if i < len(row)]
        words = [_chars(w) * HEADER_WIDER for w in header.split()]
        words += [_chars(w) for c in cells for w in c.split()]
        longest = max([_chars(header) * HEADER_WIDER, *(_chars(c) for c in cells)])
        least.append(max(words, default=1) + CELL_PADDING_CHARS)
        most.append(longest + CELL_PADDING_CHARS)
    spare, wanted = line - sum(least), sum(most) - sum(least)
    if sum(most) <= line or spare <= 0 or not wanted:
        widths = most if sum(most) <= line else least
    else:
        widths = [
            a + spare * (b - a) / wanted for a, b in zip(least, most, strict=True)
        ]
    total = sum(widths)
    return [w / total for w in widths]


def _chars(text: str) -> float:
    """The width of `text` in ordinary characters (capitals are wider)."""
    text = text.strip()
    return len(text) + (CAPITAL_WIDER - 1) * sum(c.isupper() for c in text)


def _ending(text: str, mark: str) -> str:
    """`text` ending in `mark` (";" or "."), whatever it ended in before."""
    return text.strip().rstrip(".;,") + mark


def _dashed(lines: list[str]) -> list[str]:
    """ "- A;", "- B;", … "- Z." (the way Kính gửi and Nơi nhận list)."""
    marks = [";"] * (len(lines) - 1) + ["."]
    return [
        "- " + _ending(line.strip().removeprefix("-"), mark)
        for line, mark in zip(lines, marks, strict=True)
    ]


def place_date_line(place: str, date: PartialDate | None, *, year: int) -> str:
    """ "Thanh Hóa, ngày 07 tháng 12 năm 2026"; a draft's, not yet dated:
    "Thanh Hóa, ngày … tháng … năm 2026"."""
    return f"{place}, {date_in_words(date or PartialDate(year))}"


def date_in_words(date: PartialDate) -> str:
    """ "ngày 07 tháng 12 năm 2026": a day below 10 and the months 1 and 2
    take a leading zero; a blank part stays blank ("ngày … tháng 02 năm
    2021")."""
    blank = "\u2026"  # …
    day = f"{date.day:02d}" if date.day else blank
    if date.month is None:
        month = blank
    elif date.month <= 2:
        month = f"{date.month:02d}"
    else:
        month = str(date.month)
    return f"ngày {day} tháng {month} năm {date.year}"


def render_docx(document: Nd30Document) -> bytes:
    """The document as a Word file (.docx); readiness/nd30_docx.py."""
    # Imported here: python-docx and lxml load only when a file is made.
    from readiness.nd30_docx import docx_bytes

    return docx_bytes(printable(document))


def render_pdf(document: Nd30Document) -> bytes:
    """The document as an A4 PDF (WeasyPrint); readiness/nd30_pdf.py."""
    from readiness.nd30_pdf import pdf_bytes

    return pdf_bytes(printable(document))


# Control characters other than tab, line feed and carriage return: XML
# cannot hold them (python-docx refuses the text) and fonts have no glyph
# for them (the PDF would show a box).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(document: Nd30Document) -> Nd30Document:
    """`document` with every text cleared of control characters, as both
    renderers need."""
    return cast(Nd30Document, _printable(document))


def _printable(value: object) -> object:
    if isinstance(value, str):
        return _UNPRINTABLE.sub("", value)
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _printable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value
