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

import datetime
from dataclasses import dataclass, field


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


def place_date_line(place: str, date: PartialDate | None, *, year: int) -> str:
    """ "Thanh Hóa, ngày 07 tháng 12 năm 2026": a day below 10 and the
    months 1 and 2 take a leading zero; a blank part stays blank."""
    blank = "\u2026"  # …
    if date is None:
        return f"{place}, ngày {blank} tháng {blank} năm {year}"
    day = f"{date.day:02d}" if date.day else blank
    if date.month is None:
        month = blank
    elif date.month <= 2:
        month = f"{date.month:02d}"
    else:
        month = str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


def render_docx(document: Nd30Document) -> bytes:
    raise NotImplementedError  # made by the documents' renderer


def render_pdf(document: Nd30Document) -> bytes:
    raise NotImplementedError  # made by the documents' renderer
