"""Paragraphs, runs, rules and tables for python-docx, written the way Word
and LibreOffice both lay out alike (readiness/nd30_docx.py uses them):
sizes in points, lengths in millimetres, every line "at least" LEADING
taller than its type, the OOXML order of the properties kept (Word refuses
a file whose elements are out of order)."""

from typing import Protocol

from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

# Lines are at least this much taller than their type (18 pt for 14 pt):
# about 1.1 lines of Times New Roman, inside the decree's "single to 1.5
# lines", and the PDF's line-height is the same, so both break pages alike.
LEADING = 4
RULE_GAP = 3  # points between a line's box and the rule under it


class Container(Protocol):
    """A document's body, a cell, a header: what takes paragraphs."""

    def add_paragraph(self, text: str = "", style: None = None) -> WordParagraph: ...


def field_char(kind: str) -> BaseOxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def new_paragraph(
    container: Container,
    text: str = "",
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    left: float = 0,
    first_line: float = 0,
    keep_next: bool = False,
) -> WordParagraph:
    """A paragraph of one run; sizes in points, indents in millimetres."""
    paragraph = container.add_paragraph()
    format_paragraph(paragraph, size=size, align=align, before=before, after=after)
    f = paragraph.paragraph_format
    if left:
        f.left_indent = Mm(left)
    if first_line:
        f.first_line_indent = Mm(first_line)
    if keep_next:
        f.keep_with_next = True
    if text:
        new_run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def format_paragraph(
    paragraph: WordParagraph,
    *,
    size: float,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
) -> None:
    f = paragraph.paragraph_format
    f.alignment = align
    f.space_before, f.space_after = Pt(before), Pt(after)
    f.line_spacing = Pt(size + LEADING)
    f.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    # The paragraph mark's size: an empty paragraph is no taller than this.
    mark = _mark_properties(paragraph)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(round(size * 2)))
        mark.append(element)
    if bold:
        mark.insert(0, OxmlElement("w:b"))


def _mark_properties(paragraph: WordParagraph) -> BaseOxmlElement:
    properties = paragraph._p.get_or_add_pPr()
    mark = properties.find(qn("w:rPr"))
    if mark is None:
        mark = OxmlElement("w:rPr")
        properties.insert_element_before(mark, "w:sectPr", "w:pPrChange")
    return mark


def new_run(
    paragraph: WordParagraph,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
) -> Run:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True
    return run


def boxed(run: Run) -> None:
    """A border around the run (the draft mark)."""
    border = OxmlElement("w:bdr")
    for name, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1")):
        border.set(qn(name), value)
    border.set(qn("w:color"), "000000")
    run._r.get_or_add_rPr().insert_element_before(
        border,
        *("w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang"),
        *("w:eastAsianLayout", "w:specVanish", "w:oMath"),
    )


def rule(container: Container, length: float, box: float) -> None:
    """A solid 0.75 pt line `length` mm long, centred in a box `box` mm
    wide, RULE_GAP under the line above: the top border of an empty
    paragraph indented from both sides."""
    paragraph = container.add_paragraph()
    format_paragraph(paragraph, size=1, before=RULE_GAP)
    f = paragraph.paragraph_format
    f.line_spacing = Pt(2)
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.left_indent = f.right_indent = Mm(max((box - length) / 2, 0))
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0")):
        top.set(qn(name), value)
    top.set(qn("w:color"), "000000")
    borders.append(top)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders,
        *("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap"),
        *("w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN"),
        *("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind"),
        *("w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc"),
        *("w:textDirection", "w:textAlignment", "w:textboxTightWrap"),
        *("w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    )


def borderless(
    word: WordDocument,
    rows: int,
    columns: tuple[int, int],
    *,
    padding: float,
    outdent: float = 0,
) -> WordTable:
    """Two columns `columns` mm wide, no borders, `padding` mm inside each
    cell's sides, reaching `outdent` mm into the left margin."""
    table = word.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    fix_widths(table, list(columns))
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "nil")
        borders.append(border)
    successors = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    properties.insert_element_before(borders, *successors, "w:tblCaption")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips(padding)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption")
    if outdent:
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(-twips(outdent)))
        indent.set(qn("w:type"), "dxa")
        properties.insert_element_before(indent, "w:tblBorders", *successors)
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return table


def fix_widths(table: WordTable, widths: list[float]) -> None:
    """Fixed layout: the grid (LibreOffice reads it) and each cell's width
    (Word reads those) say the same."""
    table.autofit = False
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(sum(twips(w) for w in widths)))
    total.set(qn("w:type"), "dxa")
    old = table._tbl.tblPr.find(qn("w:tblW"))
    if old is not None:
        old.getparent().replace(old, total)
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def row_properties(row: object, *flags: str) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    for flag in flags:
        properties.append(OxmlElement(flag))


def drop_first_paragraphs(table: WordTable) -> None:
    """A new cell comes with an empty paragraph; the cells were filled
    after it."""
    for row in table.rows:
        for cell in row.cells:
            _drop_first(cell)


def _drop_first(cell: _Cell) -> None:
    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text:
        element = paragraphs[0]._p
        element.getparent().remove(element)


def twips(millimetres: float) -> int:
    return round(millimetres * 1440 / 25.4)
