"""The PDF of a Decree 30 document (readiness.nd30.render_pdf):
templates/documents/nd30.html laid out by static/documents/nd30.css with
WeasyPrint, without network access (readiness.report_files.html_to_pdf).

The Word file (readiness/nd30_docx.py) is its twin: the same lines
(readiness.nd30.printed_lines), sizes, spacing and column widths, so that
both break their pages in the same places; docs/documents.md says which
rule of the decree each part follows."""

from dataclasses import dataclass

from django.template.loader import render_to_string

from readiness.nd30 import (
    COPIES_LABEL,
    DRAFT_MARK,
    MOTTO,
    NATION,
    RECIPIENTS_LABEL,
    Block,
    Nd30Document,
    Paragraph,
    SectionHeading,
    Table,
    column_shares,
    numeric_columns,
    printed_lines,
)
from readiness.report_files import html_to_pdf

TEMPLATE = "documents/nd30.html"
STYLESHEET = "documents/nd30.css"
# A table of at most this many rows is kept on one page (as
# readiness.nd30_docx.KEPT_TOGETHER).
KEPT_TOGETHER = 12


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool  # centred


@dataclass(frozen=True)
class Part:
    """A block of the body or of an appendix, as the template shows it."""

    kind: str  # "paragraph", "heading" or "table"
    block: Block
    widths: list[str]  # a table's <col width>: "12.5%"
    headers: list[str]
    rows: list[list[Cell]]
    kept: bool  # a short table, on one page


def pdf_bytes(document: Nd30Document) -> bytes:
    html = render_to_string(TEMPLATE, nd30_context(document))
    # The column widths are <col width> attributes (the template may not
    # carry style attributes: tests/test_csp.py).
    return html_to_pdf(html, stylesheet=STYLESHEET, presentational_hints=True)


def nd30_context(document: Nd30Document) -> dict:
    return {
        "document": document,
        "lines": printed_lines(document),
        "governing_body": document.governing_body.upper(),
        "issuing_body": document.issuing_body.upper(),
        "doc_type": document.doc_type.upper(),
        "capacity": [line.upper() for line in document.signature.capacity],
        "nation": NATION,
        "motto": MOTTO,
        "recipients_label": RECIPIENTS_LABEL,
        "copies_label": COPIES_LABEL,
        "draft_mark": DRAFT_MARK,
        "body": _parts(document.body),
        "appendices": [(a, _parts(a.blocks)) for a in document.appendices],
    }


def _parts(blocks: list[Block]) -> list[Part]:
    parts = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(Part("paragraph", block, [], [], [], False))
        elif isinstance(block, SectionHeading):
            parts.append(Part("heading", block, [], [], [], False))
        else:
            parts.append(_table(block))
    return parts


def _table(table: Table) -> Part:
    numeric = numeric_columns(table)
    rows = [
        [Cell(row[i] if i < len(row) else "", numeric[i]) for i in range(len(numeric))]
        for row in table.rows
    ]
    return Part(
        kind="table",
        block=table,
        widths=[f"{share * 100:.2f}%" for share in column_shares(table)],
        headers=table.headers,
        rows=rows,
        kept=len(table.rows) <= KEPT_TOGETHER,
    )
