"""A situation report as people read it: its snapshot (SituationReport.
figures, readiness.selectors.situation_reports) turned into rows with
labels in a language, for its page, its e-mail, its PDF (WeasyPrint, with
the machinery and print stylesheet of the Election Committee report,
readiness.report_files) and its .xlsx. Nothing here reads live data, so a
report shown or downloaded later says what it said when it was sent.

Every text written to a cell goes through contacts.spreadsheets
(docs/conventions.md, "Spreadsheets")."""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from contacts.models.registry import in_language
from contacts.spreadsheets import active_sheet
from incidents.models import OverallStatus, Severity
from readiness.models import SituationReport
from readiness.report_files import html_to_pdf, sheet_append

# Rendered for the page and the PDF alike (as readiness/report.html is).
SITUATION_TEMPLATE = "readiness/situation_report.html"


@dataclass(frozen=True)
class Row:
    """Incidents reported in the window, resolved in it, and open."""

    label: str
    opened: int
    resolved: int
    open: int


def _clock(moment: datetime.datetime, *, end: bool = False) -> str:
    """HH:MM in Vietnam time; the end of polling day reads 24:00."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    if end and local.time() == datetime.time(0):
        return "24:00"
    return local.strftime("%H:%M")


@dataclass(frozen=True)
class RosterGap:
    organisation: str
    gaps: list[tuple[datetime.datetime, datetime.datetime]]
    hours: float

    @property
    def spans(self) -> list[str]:
        return [f"{_clock(s)}–{_clock(e, end=True)}" for s, e in self.gaps]


@dataclass(frozen=True)
class Difficulty:
    pk: int
    organisation: str
    title: str
    reported_at: datetime.datetime | None


@dataclass(frozen=True)
class Troubled:
    organisation: str
    status: str
    sites_out: int
    note: str


@dataclass
class StatusFigures:
    """The carriers' status reports of the latest reporting moment."""

    moment: datetime.datetime | None
    filed: int
    missing: int
    missing_names: list[str]
    by_status: list[tuple[str, int]]
    sites_out: int
    mail_accepted: int
    mail_delivered: int
    mail_delayed: int
    open_incidents: int
    troubled: list[Troubled] = field(default_factory=list)


@dataclass
class Situation:
    report: SituationReport
    taken_at: datetime.datetime | None
    since: datetime.datetime | None
    severities: list[Row]
    total: Row
    districts: list[Row]
    rosters_checked: int
    roster_gaps: list[RosterGap]
    difficulties_unanswered: int
    difficulties: list[Difficulty]
    status: StatusFigures | None

    @property
    def difficulties_more(self) -> int:
        return max(self.difficulties_unanswered - len(self.difficulties), 0)


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _time(value) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _row(label: str, figures: dict) -> Row:
    return Row(
        label,
        figures.get("opened", 0),
        figures.get("resolved", 0),
        figures.get("open", 0),
    )


def _label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def situation_of(report: SituationReport) -> Situation:
    """The snapshot as rows, labelled in the active language."""
    f = report.figures
    incidents = f.get("incidents", {})
    rosters = f.get("rosters", {})
    difficulties = f.get("difficulties", {})
    return Situation(
        report=report,
        taken_at=_time(f.get("taken_at")),
        since=_time(f.get("since")),
        severities=[
            _row(_label(Severity, r["severity"]), r)
            for r in incidents.get("by_severity", [])
        ],
        total=_row(_("Total"), incidents.get("total", {})),
        districts=[_row(r["name"], r) for r in incidents.get("by_district", [])],
        rosters_checked=rosters.get("checked", 0),
        roster_gaps=[
            RosterGap(
                in_language(g["organisation"], g.get("organisation_en", "")),
                [(_moment(s), _moment(e)) for s, e in g["gaps"]],
                g["hours"],
            )
            for g in rosters.get("with_gaps", [])
        ],
        difficulties_unanswered=difficulties.get("unanswered", 0),
        difficulties=[
            Difficulty(
                d["id"],
                in_language(d["organisation"], d.get("organisation_en", "")),
                d["title"],
                _time(d.get("reported_at")),
            )
            for d in difficulties.get("oldest", [])
        ],
        status=_status(f.get("status_reports")),
    )


def _status(summary: dict | None) -> StatusFigures | None:
    if not summary:
        return None
    counts = summary.get("by_status", {})
    return StatusFigures(
        moment=_time(summary.get("moment")),
        filed=summary.get("filed", 0),
        missing=summary.get("missing", 0),
        missing_names=list(summary.get("missing_names", [])),
        by_status=[(str(s.label), counts.get(s.value, 0)) for s in OverallStatus],
        sites_out=summary.get("sites_out", 0),
        mail_accepted=summary.get("mail_accepted", 0),
        mail_delivered=summary.get("mail_delivered", 0),
        mail_delayed=summary.get("mail_delayed", 0),
        open_incidents=summary.get("open_incidents", 0),
        troubled=[
            Troubled(
                t.get("organisation", ""),
                _label(OverallStatus, t.get("status", "")),
                t.get("sites_out", 0),
                t.get("note", ""),
            )
            for t in summary.get("troubled", [])
        ],
    )


def situation_context(report: SituationReport, *, language: str) -> dict:
    """What readiness/situation_report.html and the notification templates
    need, labelled in `language`."""
    with translation.override(language):
        return {"report": report, "situation": situation_of(report)}


# --- PDF -----------------------------------------------------------------------


def situation_report_pdf(report: SituationReport, language: str) -> bytes:
    """The report's page as an A4 PDF, laid out by the Election Committee
    report's print stylesheet, without any network access."""
    ctx = situation_context(report, language=language)
    with translation.override(language):
        html = render_to_string(SITUATION_TEMPLATE, ctx)
    return html_to_pdf(html)


# --- Spreadsheet ---------------------------------------------------------------


def situation_report_xlsx(report: SituationReport, language: str) -> bytes:
    """One sheet: the header, then each part of the report as a table."""
    with translation.override(language):
        situation = situation_of(report)
        workbook = Workbook()
        sheet = active_sheet(workbook)
        sheet.title = _("Situation report")[:31]
        _write_header(sheet, situation)
        _write_incidents(sheet, situation)
        _write_rosters(sheet, situation)
        _write_difficulties(sheet, situation)
        _write_status(sheet, situation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table(sheet: Worksheet, title: str, headers: Sequence[str], rows) -> None:
    sheet_append(sheet, [title], bold=True)
    sheet_append(sheet, headers, bold=True)
    for row in rows:
        sheet_append(sheet, row)
    sheet.append([])


def _write_header(sheet: Worksheet, s: Situation) -> None:
    report = s.report
    sheet_append(sheet, [_("Situation report on polling day")], bold=True)
    sheet_append(sheet, [_("Election"), report.election.display_name])
    sheet_append(sheet, [_("Number"), report.number])
    sheet_append(sheet, [_("As of"), report.as_of])
    sheet_append(sheet, [_("Figures taken at"), s.taken_at])
    sheet_append(sheet, [_("Counted since"), s.since])
    made_by = str(report.made_by) if report.made_by else _("on schedule")
    sheet_append(sheet, [_("Made by"), made_by])
    sheet.append([])
    sheet.column_dimensions["A"].width = 34
    for column in "BCDE":
        sheet.column_dimensions[column].width = 20


def _incident_rows(rows: list[Row]) -> list[list]:
    return [[r.label, r.opened, r.resolved, r.open] for r in rows]


def _write_incidents(sheet: Worksheet, s: Situation) -> None:
    reported = pgettext("incident count", "Reported")
    figures = [reported, _("Resolved"), _("Still open")]
    _table(
        sheet,
        _("Incidents by severity"),
        [_("Severity"), *figures],
        _incident_rows([*s.severities, s.total]),
    )
    _table(
        sheet,
        _("Incidents by district"),
        [capfirst(pgettext("unit level", "district")), *figures],
        _incident_rows(s.districts),
    )


def _write_rosters(sheet: Worksheet, s: Situation) -> None:
    _table(
        sheet,
        _("Duty rosters with gaps on polling day"),
        [_("Organisation"), _("Nobody on duty from"), _("until"), _("Hours")],
        [
            [g.organisation, start, end, g.hours if i == 0 else None]
            for g in s.roster_gaps
            for i, (start, end) in enumerate(g.gaps)
        ],
    )


def _write_difficulties(sheet: Worksheet, s: Situation) -> None:
    _table(
        sheet,
        _("Difficulties awaiting an answer") + f" ({s.difficulties_unanswered})",
        [_("No."), _("Reported at"), _("Organisation"), _("Summary")],
        [[d.pk, d.reported_at, d.organisation, d.title] for d in s.difficulties],
    )


def _write_status(sheet: Worksheet, s: Situation) -> None:
    status = s.status
    if status is None:
        return
    sheet_append(sheet, [_("Carriers' status reports")], bold=True)
    sheet_append(sheet, [_("Reporting moment"), status.moment])
    sheet_append(sheet, [_("Filed"), status.filed])
    sheet_append(sheet, [_("Missing"), status.missing])
    sheet_append(sheet, [_("Not filed by"), ", ".join(status.missing_names)])
    for label, n in status.by_status:
        sheet_append(sheet, [label, n])
    sheet_append(sheet, [_("Sites out of service"), status.sites_out])
    sheet_append(sheet, [_("Election mail accepted"), status.mail_accepted])
    sheet_append(sheet, [_("Election mail delivered"), status.mail_delivered])
    sheet_append(sheet, [_("Election mail delayed"), status.mail_delayed])
    sheet_append(
        sheet, [_("Open incidents reported by carriers"), status.open_incidents]
    )
    sheet.append([])
    _table(
        sheet,
        _("Carriers reporting trouble"),
        [_("Organisation"), _("Overall status"), _("Sites out of service"), _("Note")],
        [[t.organisation, t.status, t.sites_out, t.note] for t in status.troubled],
    )
