"""Documents in the form of Decree 30/2020/NĐ-CP (readiness.nd30): the date
line, the Word file read back with python-docx, the PDF's text, and the Word
file as a real office suite (LibreOffice) lays it out. The rules are in
docs/documents.md."""

import dataclasses
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from readiness.nd30 import (
    MOTTO,
    NATION,
    Paragraph,
    PartialDate,
    Table,
    column_shares,
    place_date_line,
    printed_lines,
    render_docx,
    render_pdf,
)
from tests.conftest import need
from tests.readiness.nd30_sample import (
    APPENDIX_NOTE,
    APPENDIX_TITLE,
    SIGNER,
    SUMMARY,
    sample_letter,
    sample_report,
)

FONT = "Times New Roman"
# Liberation Serif 2 (Debian's fonts-liberation2): Liberation 1.x lacks
# most Vietnamese letters.
LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
TEXT_WIDTH = 165  # mm: A4 less the margins below


# --- (a) The date line and the other printed lines -------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (PartialDate(2026, 2, 5), "Thanh Hóa, ngày 05 tháng 02 năm 2026"),
        (PartialDate(2026, 4, 5), "Thanh Hóa, ngày 05 tháng 4 năm 2026"),
        (PartialDate(2026, 1, 9), "Thanh Hóa, ngày 09 tháng 01 năm 2026"),
        (PartialDate(2026, 12, 7), "Thanh Hóa, ngày 07 tháng 12 năm 2026"),
        (PartialDate(2021, 2), "Thanh Hóa, ngày … tháng 02 năm 2021"),
        (PartialDate(2021), "Thanh Hóa, ngày … tháng … năm 2021"),
        (None, "Thanh Hóa, ngày … tháng … năm 2026"),
    ],
)
def test_the_date_line_pads_days_and_the_first_two_months_and_keeps_blanks(
    date, expected
):
    assert place_date_line("Thanh Hóa", date, year=2026) == expected


def test_a_draft_has_a_blank_for_its_number_whatever_the_builder_wrote():
    lines = printed_lines(sample_report(draft=True))
    numbered = printed_lines(sample_report())

    assert lines.number.split() == ["Số:", "/BC-STTTT"]
    assert lines.number.startswith("Số: \u00a0\u00a0\u00a0")
    assert numbered.number == "Số: 45/BC-STTTT"


def test_recipients_and_copies_are_dashed_with_a_semicolon_and_a_last_full_stop():
    letter = printed_lines(sample_letter())
    report = printed_lines(sample_report())

    assert letter.recipients == [
        "- Viễn thông Thanh Hóa;",
        "- Viettel Thanh Hóa;",
        "- Bưu điện tỉnh Thanh Hóa.",
    ]
    assert report.recipients == ["Ủy ban bầu cử tỉnh Thanh Hóa."]
    assert report.copies[0] == "- Như trên;"
    assert report.copies[-1] == "- Lưu: VT, BCVT."
    assert all(line.endswith(";") for line in report.copies[:-1])


def test_a_cong_van_has_its_summary_under_the_number():
    assert printed_lines(sample_letter()).subject == (
        "V/v Đôn đốc nộp phương án bảo đảm thông tin liên lạc phục vụ bầu cử"
    )
    assert printed_lines(sample_report()).subject == ""


def test_table_columns_are_as_wide_as_their_text_needs():
    table = sample_report().appendices[0].blocks[0]
    assert isinstance(table, Table)

    widths = [share * TEXT_WIDTH for share in column_shares(table)]

    assert sum(widths) == pytest.approx(TEXT_WIDTH)
    number, organisation, obligation, due, state = widths
    assert 9 < number < 16  # "STT" on one line
    assert due > 18  # "14/5/2021" on one line
    assert obligation > organisation > number


# --- (b) The Word file, read back ------------------------------------------------


@pytest.fixture(scope="module")
def report_docx():
    return Document(io.BytesIO(render_docx(sample_report())))


@pytest.fixture(scope="module")
def draft_docx():
    return Document(io.BytesIO(render_docx(sample_report(draft=True))))


@pytest.fixture(scope="module")
def letter_docx():
    return Document(io.BytesIO(render_docx(sample_letter())))


def paragraph_starting(document, text):
    return next(p for p in document.paragraphs if p.text.startswith(text))


def texts(cell):
    return [p.text for p in cell.paragraphs]


def mm(length):
    return length / Mm(1)


def test_the_page_is_a4_portrait_with_the_decrees_margins(report_docx):
    section = report_docx.sections[0]

    assert section.orientation == WD_ORIENT.PORTRAIT
    assert round(mm(section.page_width)) == 210
    assert round(mm(section.page_height)) == 297
    assert 20 <= round(mm(section.top_margin)) <= 25
    assert 20 <= round(mm(section.bottom_margin)) <= 25
    assert 30 <= round(mm(section.left_margin)) <= 35
    assert 15 <= round(mm(section.right_margin)) <= 20


def test_every_text_is_times_new_roman_in_every_script(report_docx):
    normal = report_docx.styles["Normal"]
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    defaults = report_docx.styles.element.find(qn("w:docDefaults"))
    default_fonts = defaults.find(f".//{qn('w:rFonts')}")

    assert normal.font.name == FONT
    assert normal.font.size == Pt(14)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        assert fonts.get(qn(slot)) == FONT
        assert default_fonts.get(qn(slot)) == FONT
    # No theme font (the template's Calibri) and no run in another font.
    assert not [name for name in default_fonts.attrib if "Theme" in name]
    body_fonts = report_docx.element.body.findall(f".//{qn('w:rFonts')}")
    assert {f.get(qn("w:ascii")) for f in body_fonts} <= {FONT}


def test_body_paragraphs_are_14_pt_justified_indented_and_spaced(report_docx):
    paragraph = paragraph_starting(report_docx, "Thực hiện Chỉ thị số 02")
    f = paragraph.paragraph_format

    assert {run.font.size for run in paragraph.runs} == {Pt(14)}
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Cm(1) <= f.first_line_indent <= Cm(1.27)
    assert f.space_before >= Pt(6)
    # "At least" 18 pt: more than a single line of 14 pt type (16.1 pt),
    # less than 1.5 lines.
    assert Pt(16) <= f.line_spacing <= Pt(14 * 1.15 * 1.5)


def test_section_headings_are_bold_and_not_indented(report_docx):
    heading = paragraph_starting(report_docx, "II. KẾT QUẢ THỰC HIỆN")

    assert all(run.bold for run in heading.runs)
    assert not heading.paragraph_format.first_line_indent
    assert heading.paragraph_format.keep_with_next


def test_page_numbers_show_from_page_2_centred_in_the_header(report_docx):
    section = report_docx.sections[0]
    numbered = section.header
    first = section.first_page_header

    assert section.different_first_page_header_footer  # w:titlePg
    assert not numbered.is_linked_to_previous
    instructions = numbered._element.findall(f".//{qn('w:instrText')}")
    assert [i.text.strip() for i in instructions] == ["PAGE"]
    assert numbered.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {r.font.size for r in numbered.paragraphs[0].runs} == {Pt(14)}
    assert first._element.findall(f".//{qn('w:instrText')}") == []
    assert first.paragraphs[0].text == ""


def test_the_letterhead_is_two_borderless_columns(report_docx):
    letterhead = report_docx.tables[0]
    bodies, nation = letterhead.rows[0].cells
    number, place_date = letterhead.rows[1].cells

    assert texts(bodies)[:2] == ["UBND TỈNH THANH HÓA", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert [r.bold for r in bodies.paragraphs[0].runs] == [None]
    assert [r.bold for r in bodies.paragraphs[1].runs] == [True]
    assert texts(nation)[:2] == [NATION, MOTTO]
    assert all(r.bold for p in nation.paragraphs[:2] for r in p.runs)
    assert texts(number) == ["Số: 45/BC-STTTT"]
    assert texts(place_date) == ["Thanh Hóa, ngày 17 tháng 5 năm 2021"]
    assert all(r.italic for r in place_date.paragraphs[0].runs)
    borders = letterhead._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_the_rules_are_a_third_to_a_half_of_the_issuing_body_and_the_motto_long(
    report_docx,
):
    need(LIBERATION.is_dir(), "fonts-liberation2 is not installed")
    bodies, nation = report_docx.tables[0].rows[0].cells
    box = 80 - 2 * 1.5  # the column less its padding

    under_body = rule_length(bodies.paragraphs[2], box)
    under_motto = rule_length(nation.paragraphs[2], 93 - 2 * 1.5)

    issuing = text_width("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", 12)
    assert issuing / 3 <= under_body <= issuing / 2
    assert under_motto == pytest.approx(text_width(MOTTO, 13), abs=1)


def test_the_type_and_summary_are_centred_bold_with_a_short_rule(report_docx):
    doc_type = paragraph_starting(report_docx, "BÁO CÁO")
    paragraphs = report_docx.paragraphs
    index = [p._p for p in paragraphs].index(doc_type._p)
    summary, rule = paragraphs[index + 1], paragraphs[index + 2]

    assert doc_type.text == "BÁO CÁO"
    assert summary.text == SUMMARY
    for paragraph in (doc_type, summary):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold for r in paragraph.runs)
        assert {r.font.size for r in paragraph.runs} <= {Pt(13), Pt(14)}
    assert 30 < rule_length(rule, TEXT_WIDTH) < TEXT_WIDTH / 2


def test_kinh_gui_names_the_committee(report_docx):
    recipients = paragraph_starting(report_docx, "Kính gửi:")

    assert recipients.text == "Kính gửi: Ủy ban bầu cử tỉnh Thanh Hóa."


def test_the_signature_is_at_the_right_and_noi_nhan_at_the_left(report_docx):
    signature = next(
        t for t in report_docx.tables if "KT. GIÁM ĐỐC" in t.cell(0, 1).text
    )
    copies, signer = signature.rows[0].cells
    widths = [mm(c.w) for c in signature._tbl.tblGrid.gridCol_lst]

    assert widths[0] >= 0.4 * TEXT_WIDTH  # the signer's column starts right of it
    assert texts(signer) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", SIGNER]
    for paragraph in signer.paragraphs:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold for r in paragraph.runs)
    # Room to sign and seal above the name.
    assert signer.paragraphs[2].paragraph_format.space_before >= Pt(48)
    label, *lines = copies.paragraphs
    assert label.text == "Nơi nhận:"
    assert all(r.bold and r.italic and r.font.size == Pt(12) for r in label.runs)
    assert [p.text for p in lines] == [
        "- Như trên;",
        "- Bộ Thông tin và Truyền thông (để b/c);",
        "- UBND tỉnh (để b/c);",
        "- Giám đốc Sở (để b/c);",
        "- Các phòng, đơn vị thuộc Sở;",
        "- Lưu: VT, BCVT.",
    ]
    assert {r.font.size for p in lines for r in p.runs} == {Pt(11)}
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_an_appendix_starts_a_new_page_with_its_heading_and_a_repeated_header_row(
    report_docx,
):
    label = paragraph_starting(report_docx, "Phụ lục I")
    paragraphs = report_docx.paragraphs
    index = [p._p for p in paragraphs].index(label._p)
    title, note = paragraphs[index + 1], paragraphs[index + 2]
    table = report_docx.tables[-1]

    assert label.paragraph_format.page_break_before
    assert label.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.bold for r in label.runs)
    assert title.text == APPENDIX_TITLE and all(r.bold for r in title.runs)
    assert note.text == APPENDIX_NOTE and all(r.italic for r in note.runs)
    assert len(table.rows) == 61
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Đơn vị",
        "Nghĩa vụ",
        "Hạn",
        "Tình trạng",
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.style.name == "Table Grid"
    assert table.rows[60].cells[0].text == "60"


def test_a_draft_carries_a_boxed_mark_on_every_page_and_no_number(draft_docx):
    section = draft_docx.sections[0]
    number = draft_docx.tables[0].cell(1, 0).text

    assert number.split() == ["Số:", "/BC-STTTT"]
    for header in (section.header, section.first_page_header):
        mark = next(r for r in header.paragraphs[0].runs if r.text == "DỰ THẢO")
        assert mark._r.rPr.find(qn("w:bdr")) is not None
        assert mark.bold
    stops = section.header.paragraphs[0].paragraph_format.tab_stops
    assert [s.alignment for s in stops] == [
        WD_TAB_ALIGNMENT.CENTER,
        WD_TAB_ALIGNMENT.RIGHT,
    ]
    assert draft_docx.tables[0].cell(1, 1).text == "Thanh Hóa, ngày … tháng … năm 2021"


def test_a_cong_van_has_v_v_under_the_number_and_lists_its_recipients(letter_docx):
    number = letter_docx.tables[0].cell(1, 0)

    assert texts(number) == [
        "Số: 812/STTTT-BCVT",
        "V/v Đôn đốc nộp phương án bảo đảm thông tin liên lạc phục vụ bầu cử",
    ]
    assert {r.font.size for r in number.paragraphs[1].runs} == {Pt(12)}
    assert not any(p.text == "BÁO CÁO" for p in letter_docx.paragraphs)
    lines = [
        p.text for p in letter_docx.paragraphs if p.text.startswith(("Kính", "- "))
    ]
    assert lines == [
        "Kính gửi:\t- Viễn thông Thanh Hóa;",
        "- Viettel Thanh Hóa;",
        "- Bưu điện tỉnh Thanh Hóa.",
    ]


def test_control_characters_a_user_typed_are_left_out_of_both_files(caplog):
    typed = Paragraph("Số liệu\x00 đến\x0b ngày 17/5/2021")
    document = dataclasses.replace(sample_letter(), body=[typed])

    word = Document(io.BytesIO(render_docx(document)))
    pdf = render_pdf(document)

    assert "Số liệu đến ngày 17/5/2021" in [p.text for p in word.paragraphs]
    assert "Số liệu đến ngày 17/5/2021" in flat(" ".join(pdf_pages(pdf)))
    assert [r.message for r in caplog.records if ".notdef" in r.message] == []


def rule_length(paragraph, box):
    """The length in mm of a rule drawn as an indented paragraph's top
    border, in a box `box` mm wide."""
    borders = paragraph._p.pPr.find(qn("w:pBdr"))
    assert borders is not None and borders.find(qn("w:top")) is not None
    f = paragraph.paragraph_format
    return box - mm(f.left_indent) - mm(f.right_indent)


def text_width(text, size):
    """`text` in bold Times New Roman at `size` pt, in mm, measured with
    Liberation Serif Bold's advance widths (the same as Times New Roman's)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(LIBERATION / "LiberationSerif-Bold.ttf")
    glyphs, advances = font.getBestCmap(), font["hmtx"]
    letters = unicodedata.normalize("NFC", text)
    units = sum(advances[glyphs[ord(c)]][0] for c in letters)
    return units / font["head"].unitsPerEm * size * 25.4 / 72


# --- (c) The PDF ------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text as pdftotext -layout reads it."""
    need(shutil.which("pdftotext") is not None, "pdftotext is not installed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    text = unicodedata.normalize("NFC", result.stdout.decode())
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


def missing_elements(pages: list[str]) -> list[str]:
    """What the sample report must show, and does not."""
    text = flat(" ".join(pages))
    report = sample_report()
    expected = [
        "UBND TỈNH THANH HÓA",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        NATION,
        MOTTO,
        "Số: 45/BC-STTTT",
        "Thanh Hóa, ngày 17 tháng 5 năm 2021",
        "BÁO CÁO",
        SUMMARY,
        "Kính gửi: Ủy ban bầu cử tỉnh Thanh Hóa.",
        *(getattr(b, "text", "") for b in report.body),
        "Bảng 1. Kết quả thực hiện các nghĩa vụ",
        "Nơi nhận:",
        *printed_lines(report).copies,
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        SIGNER,
        "Phụ lục I",
        APPENDIX_TITLE,
        APPENDIX_NOTE,
    ]
    found = [e for e in expected if e and flat(e) not in text]
    numbers = {
        int(m.group(1))
        for page in pages[pages_from(APPENDIX_TITLE, pages) :]
        for m in re.finditer(r"^\s*(\d+)\s{2,}\S", page, re.M)
    }
    if numbers != set(range(1, 61)):
        found.append(f"appendix rows {sorted(set(range(1, 61)) - numbers)}")
    return found


def pages_from(text: str, pages: list[str]) -> int:
    return next(i for i, page in enumerate(pages) if text in page)


def first_line(page: str) -> str:
    return next(line.strip() for line in page.splitlines() if line.strip())


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return render_pdf(sample_report())


@pytest.fixture(scope="module")
def report_pages(report_pdf):
    return pdf_pages(report_pdf)


def test_the_pdf_shows_every_element_of_the_document(report_pages):
    assert missing_elements(report_pages) == []


def test_the_pdf_is_a4_and_numbers_its_pages_from_page_2(report_pdf, report_pages):
    need(shutil.which("pdfinfo") is not None, "pdfinfo is not installed")
    info = subprocess.run(
        ["pdfinfo", "-"], input=report_pdf, capture_output=True, check=True
    ).stdout.decode()

    assert re.search(r"Page size: +595\.\d+ x 841\.89 pts \(A4\)", info)
    assert first_line(report_pages[0]).startswith("UBND TỈNH THANH HÓA")
    assert "1" not in [line.strip() for line in report_pages[0].splitlines()]
    for number, page in enumerate(report_pages[1:], start=2):
        assert first_line(page) == str(number)


def test_the_pdfs_appendix_starts_a_page_and_repeats_its_header_row(report_pages):
    start = pages_from(APPENDIX_TITLE, report_pages)

    assert SIGNER in report_pages[start - 1]
    assert SIGNER not in report_pages[start]
    assert len(report_pages) - start >= 2  # 60 rows: more than a page
    for page in report_pages[start:]:
        assert "Tình trạng" in page


def test_every_vietnamese_letter_has_a_glyph_in_the_pdfs_font(caplog):
    """A font without Vietnamese letters (Liberation 1.x) prints empty boxes
    and WeasyPrint says so."""
    render_pdf(sample_report(rows=1))

    assert [r.message for r in caplog.records if ".notdef" in r.message] == []


def test_the_pdf_uses_times_new_roman_or_its_metric_twin(report_pdf):
    need(shutil.which("pdffonts") is not None, "pdffonts is not installed")
    listing = subprocess.run(
        ["pdffonts", "-"], input=report_pdf, capture_output=True, check=True
    ).stdout.decode()
    names = [line.split()[0] for line in listing.splitlines()[2:]]

    assert names
    assert all(re.search(r"TimesNewRoman|Liberation-?Serif", n) for n in names)


def test_a_draft_pdf_is_marked_on_every_page_and_unnumbered():
    pages = pdf_pages(render_pdf(sample_report(draft=True)))

    assert all("DỰ THẢO" in page for page in pages)
    assert "Số: /BC-STTTT" in flat(pages[0])
    assert "ngày … tháng … năm 2021" in flat(pages[0])


def test_a_cong_van_pdf_has_v_v_and_its_recipients():
    text = flat(" ".join(pdf_pages(render_pdf(sample_letter()))))

    assert "Số: 812/STTTT-BCVT" in text
    assert "V/v Đôn đốc nộp phương án" in text
    assert "Kính gửi: - Viễn thông Thanh Hóa; - Viettel Thanh Hóa;" in text
    assert "- Bưu điện tỉnh Thanh Hóa." in text


# --- (d) The Word file in a real office suite ---------------------------------------


@pytest.fixture(scope="session")
def libreoffice_pdfs(tmp_path_factory) -> dict[str, bytes]:
    """The sample report and its draft as LibreOffice prints their .docx:
    one conversion of both for the whole session, with a profile of its
    own so that parallel test workers do not share one."""
    soffice = shutil.which("soffice") or ""
    need(bool(soffice), "LibreOffice is not installed (libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("libreoffice")
    names = {"report": sample_report(), "draft": sample_report(draft=True)}
    for name, document in names.items():
        (folder / f"{name}.docx").write_bytes(render_docx(document))
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(folder)]
        + [str(folder / f"{name}.docx") for name in names],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return {name: (folder / f"{name}.pdf").read_bytes() for name in names}


@pytest.mark.office
def test_libreoffice_lays_out_the_word_file_as_the_pdf(libreoffice_pdfs, report_pages):
    pages = pdf_pages(libreoffice_pdfs["report"])
    draft = pdf_pages(libreoffice_pdfs["draft"])

    assert missing_elements(pages) == []
    assert len(pages) == len(report_pages)
    # The PAGE field and the first page's own header, as Word shows them.
    assert first_line(pages[0]).startswith("UBND TỈNH THANH HÓA")
    for number, page in enumerate(pages[1:], start=2):
        assert first_line(page) == str(number)
    start = pages_from(APPENDIX_TITLE, pages)
    assert start == pages_from(APPENDIX_TITLE, report_pages)
    assert all("Tình trạng" in page for page in pages[start:])
    assert all("DỰ THẢO" in page for page in draft)
    assert "Số: /BC-STTTT" in flat(draft[0])
