"""The Election Committee report as files: a PDF (WeasyPrint, from the very
template of the printable page, readiness/report.html, with its print CSS in
static/readiness/report.css) and an .xlsx with a sheet per part. Used by
readiness.views.report.

Every text written to a cell goes through contacts.spreadsheets (names and
titles typed by users are never run as formulas; docs/conventions.md,
"Spreadsheets")."""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

# The exports' one rule for a cell: safe_cell for text, control characters
# dropped, aware times as Vietnam local time.
from contacts.models import in_language
from contacts.names import election_committee
from contacts.spreadsheets import xlsx_value
from readiness.selectors.report import CommitteeReport, OverdueItem

PDF_CONTENT_TYPE = "application/pdf"
REPORT_TEMPLATE = "readiness/report.html"
# The report's print CSS: linked by the page, and the only stylesheet the PDF
# loads (_offline_fetcher).
REPORT_CSS = "readiness/report.css"
# Relative links of the page (its stylesheets, scripts) resolve against this
# address, which _OfflineFetcher answers without any network access.
_PDF_BASE_URL = "https://report.invalid/"
_BOLD = Font(bold=True)
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_DATE_FORMAT = "dd/mm/yyyy"
# Characters Excel refuses in a sheet's title; titles are at most 31 long.
_SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")


# Rows each list shows on the page and in the PDF; the .xlsx has them all.
# A country has thousands of overdue obligations and difficulty reports: a
# signed report of hundreds of pages helps nobody (bench/pages.py: 6 MB of
# HTML and 30 s before the cap).
PRINTED_ROWS = 100


@dataclass(frozen=True)
class Printed:
    rows: list
    more: int  # rows left out, to be found in the .xlsx


def _printed(rows: list) -> Printed:
    return Printed(rows[:PRINTED_ROWS], max(len(rows) - PRINTED_ROWS, 0))


def report_context(report: CommitteeReport) -> dict:
    """What readiness/report.html needs to show the report itself; the page
    adds its form and download links."""
    province = report.election.province
    return {
        "report": report,
        "directive": report.directive,
        # The addressee as Decree 30 writes it on Vietnamese pages
        # ("Ủy ban bầu cử tỉnh Thanh Hóa"; contacts.names).
        "committee": in_language(
            election_committee(province), _("the provincial Election Committee")
        ),
        "overdue": _printed(report.overdue),
        "unresolved": _printed(report.incidents.unresolved),
        "difficulties": _printed(report.difficulties),
    }


# --- PDF -----------------------------------------------------------------------


def committee_report_pdf(report: CommitteeReport, language: str) -> bytes:
    """The printable page as an A4 PDF, in `language` ("vi" or "en")."""
    with translation.override(language):
        # No request, so no CSRF token: base.html's {% csrf_token %} (in the
        # language form, hidden in print) writes nothing. With DEBUG on,
        # Django warns about it once; Django 5.2's "NOTPROVIDED" sentinel
        # would silence that but raises a deprecation warning instead.
        html = render_to_string(REPORT_TEMPLATE, report_context(report))
    return html_to_pdf(html)


def html_to_pdf(
    html: str, *, stylesheet: str = REPORT_CSS, presentational_hints: bool = False
) -> bytes:
    """A page rendered for print, as a PDF laid out by `stylesheet` (a
    static file the page links: the report's print stylesheet unless told),
    without any network access. The situation reports use it too, and the
    Decree 30 documents with their own stylesheet and the column widths
    their tables carry as <col width> (readiness/nd30_pdf.py)."""
    # Imported here: WeasyPrint loads Pango on import, and the rest of the
    # app must start on a machine without it.
    from weasyprint import HTML

    fetcher = _offline_fetcher(stylesheet, _static_file(stylesheet))
    document = HTML(string=html, base_url=_PDF_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(presentational_hints=presentational_hints)


def _offline_fetcher(stylesheet: str, css: bytes):
    """A URL fetcher that never goes to the network. The page's link to
    `stylesheet` gets `css`; every other URL (Bootstrap, app.css, scripts:
    not wanted in the PDF) reads as an empty stylesheet."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    stylesheet_url = urljoin(_PDF_BASE_URL, static(stylesheet))

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body = css if url == stylesheet_url else b""
            return URLFetcherResponse(url, body, {"Content-Type": "text/css"})

    return OfflineFetcher()


def _static_file(name: str) -> bytes:
    """Read before WeasyPrint starts: a fetcher's error would only be logged
    and the document printed unstyled."""
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"static file {name} not found")
    return Path(path).read_bytes()


# --- Spreadsheet ---------------------------------------------------------------


def committee_report_xlsx(report: CommitteeReport, language: str) -> bytes:
    """One sheet per part of the report, each opening with the directive's
    number, date and subject and the moment of the report."""
    with translation.override(language):
        workbook = Workbook()
        if workbook.active is not None:  # a new workbook's empty sheet
            workbook.remove(workbook.active)
        for title, write in (
            (_("Summary"), _write_summary),
            (_("Overdue"), _write_overdue),
            (_("Contact lists"), _write_coverage),
            (_("Incidents"), _write_incidents),
            (_("Difficulties"), _write_difficulties),
        ):
            sheet = workbook.create_sheet(_sheet_title(title))
            _write_header(sheet, report)
            write(sheet, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_REFUSED.sub(" ", title)[:31]


def sheet_append(sheet: Worksheet, values: Sequence, *, bold: bool = False) -> None:
    sheet.append([sheet_cell(sheet, value, bold) for value in values])


def sheet_cell(sheet: Worksheet, value: object, bold: bool) -> Cell:
    # Cell's row and column are optional (append places it); its stubs
    # ask for them.
    cell = Cell(sheet, value=xlsx_value(value))  # type: ignore[call-arg]
    if bold:
        cell.font = _BOLD
    if isinstance(value, datetime.datetime):
        cell.number_format = _DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = _DATE_FORMAT
    return cell


def _table(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    sheet_append(sheet, headers, bold=True)
    for row in rows:
        sheet_append(sheet, row)
    sheet.append([])


def _write_header(sheet: Worksheet, report: CommitteeReport) -> None:
    directive = report.directive
    sheet_append(sheet, [_("Report to the provincial Election Committee")], bold=True)
    sheet_append(sheet, [_("Directive"), directive.number])
    # A date cell when the letter gives the whole date; "…/02/2021" as
    # written when it leaves the day blank (never a made-up day).
    issued = directive.issued_date or directive.issued_text
    sheet_append(sheet, [_("Issued on"), issued])
    sheet_append(sheet, [_("Subject"), directive.display_subject])
    sheet_append(sheet, [_("As of"), report.moment])
    sheet.append([])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 24
    for column in "CDEFGH":
        sheet.column_dimensions[column].width = 18


def _write_summary(sheet: Worksheet, report: CommitteeReport) -> None:
    rows = []
    for group in report.groups:
        for line in group.lines:
            o = line.obligation
            rows.append(
                [group.label, f"{o.code}: {o.display_title}", line.addressed]
                + [line.met, line.submitted, line.overdue]
            )
        rows.append(
            [group.label, _("Total"), group.addressed]
            + [group.met, group.submitted, group.overdue]
        )
        rows.append(
            [group.label, _("Organisations with every obligation met")]
            + [group.organisations, group.ready, None, None]
        )
    headers = [_("Recipient group"), _("Obligation"), _("Addressed to"), _("Met")]
    _table(sheet, headers + [_("Awaiting review"), _("Overdue")], rows)


def _write_overdue(sheet: Worksheet, report: CommitteeReport) -> None:
    rows = [
        [
            item.organisation.display_name,
            item.obligation.code,
            item.obligation.display_title,
            item.due_at,
            _("yes") if item.is_extension else "",
            item.state_label,
            _days_overdue(item),
        ]
        for item in report.overdue
    ]
    headers = [_("Organisation"), _("Obligation"), _("Title"), _("Deadline")]
    headers += [_("Extension"), _("State"), _("Days overdue")]
    _table(sheet, headers, rows)


def _days_overdue(item: OverdueItem) -> int | str:
    """The count, or "not done by <the deadline>" as the page shows it
    (readiness.selectors.obligations.overdue_as_history)."""
    if not item.not_done_by:
        return item.days_overdue
    day = date_format(timezone.localdate(item.due_at), "SHORT_DATE_FORMAT")
    return _("not done by %(day)s") % {"day": day}


def _write_coverage(sheet: Worksheet, report: CommitteeReport) -> None:
    rows: list[list[object]] = [
        [
            c.organisation.display_name,
            c.communes_total,
            c.communes_covered,
            c.percent,
            c.state_label,
            c.version_number,
            c.accepted_at,
        ]
        for c in report.coverage
    ]
    rows.append(
        [_("Total"), report.coverage_total, report.coverage_covered]
        + [report.coverage_percent, None, None, None]
    )
    headers = [_("District"), _("Communes"), _("Communes covered"), _("% covered")]
    headers += [_("State"), _("Version in force"), _("Accepted at")]
    _table(sheet, headers, rows)


def _write_incidents(sheet: Worksheet, report: CommitteeReport) -> None:
    figures = report.incidents
    _table(
        sheet,
        [_("Category"), *figures.severity_labels, _("Total")],
        [[r.label, *r.counts, r.total] for r in figures.rows]
        + [[_("Total"), *figures.severity_totals, figures.total]],
    )
    _table(sheet, [_("Status"), _("Incidents")], figures.status_counts)
    sheet_append(sheet, [_("Not resolved at the moment of the report")], bold=True)
    _table(
        sheet,
        [_("No."), _("Reported at"), _("Organisation"), _("Category")]
        + [_("Severity"), _("Status"), _("Districts"), _("Summary")],
        [
            [i.pk, i.reported_at, i.organisation.display_name, i.category_label]
            + [i.severity_label, i.status_label, ", ".join(i.districts), i.title]
            for i in figures.unresolved
        ],
    )


def _write_difficulties(sheet: Worksheet, report: CommitteeReport) -> None:
    _table(
        sheet,
        [_("No."), _("Reported at"), _("Organisation"), _("Summary")]
        + [_("Description"), _("Answer"), _("Answered at")],
        [
            [d.pk, d.reported_at, d.organisation.display_name, d.title]
            + [d.description, d.answer or _("not answered yet"), d.answered_at]
            for d in report.difficulties
        ],
    )
