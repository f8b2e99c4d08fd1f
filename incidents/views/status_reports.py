"""Status-report pages ("báo cáo nhanh").

- Carriers: the report for the moment due now (filed, or corrected until
  the next moment comes) and their past reports.
- The Department (editors change the schedule; read-only members and
  observers read): the schedule of moments per period, each moment's table
  of carriers with who is missing, and an .xlsx of one period's reports.
- Districts: 403 on the carriers' page, 404 on the Department's
  (incidents.permissions_status_reports).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.http import AuthenticatedHttpRequest
from contacts.model_fields import verbose_name
from contacts.models import Election, Organisation, OrganisationKind
from contacts.permissions import (
    Action,
    membership_of,
    overseer_membership,
    sees_everything,
)
from contacts.selectors.registry import election_current_or_404
from contacts.spreadsheets import XLSX_CONTENT_TYPE, rows_to_xlsx
from incidents.forms_status_reports import ReportingMomentForm, StatusReportForm
from incidents.models import ReportingMoment, ReportingPeriod, StatusReport
from incidents.permissions_status_reports import (
    get_reporting_moment_for_user,
    get_status_report_for_user,
    may_file_status_report,
    status_report_carrier_of,
)
from incidents.selectors import status_reports as selectors
from incidents.services import status_reports as services

# --- Carriers ----------------------------------------------------------------------


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A carrier's page; staff and observers go to the schedule."""
    if sees_everything(membership_of(request.user)):
        return redirect("status_reports:schedule")
    carrier = status_report_carrier_of(request.user)
    if carrier is None:
        raise PermissionDenied
    election, now = election_current_or_404(), timezone.now()
    may_file = may_file_status_report(request.user, carrier) and not election.is_closed
    if request.method == "POST" and not may_file:
        raise PermissionDenied
    moment = selectors.moment_latest(election=election, now=now)
    form = _report_form(request, election, carrier, moment) if may_file else None
    if form is not None and form.is_bound and _filed(request, form, election, carrier):
        return redirect("status_reports:index")
    reports = selectors.status_reports_of(election=election, organisation=carrier)
    current = (
        reports[0] if reports and moment and reports[0].due_at == moment.at else None
    )
    ctx = {
        "election": election,
        "organisation": carrier,
        "moment": moment,
        "next_moment": selectors.moment_next(election=election, after=now),
        "current": current,
        "form": form,
        "may_file": may_file,
        "reports": reports,
        "is_postal": carrier.kind == OrganisationKind.POSTAL,
    }
    return render(request, "incidents/status_report_index.html", ctx)


def _report_form(
    request: HttpRequest,
    election: Election,
    carrier: Organisation,
    moment: selectors.Moment | None,
) -> StatusReportForm | None:
    """The form for the moment due now, with the report filed for it (to
    correct) or the carrier's open incidents proposed."""
    if moment is None:
        if request.method == "POST":
            messages.error(request, _("No reporting moment has come yet."))
        return None
    current = StatusReport.objects.filter(
        election=election, organisation=carrier, due_at=moment.at
    ).first()
    if current is not None:
        initial = {
            name: getattr(current, name)
            for name in ("overall_status", "sites_out", "open_incidents", "note")
        }
        initial |= {n: getattr(current, n) for n in services.MAIL_FIELDS}
    else:
        initial = {
            "open_incidents": selectors.open_incidents_count(
                election=election, organisation=carrier
            )
        }
    data = request.POST if request.method == "POST" else None
    return StatusReportForm(
        data,
        initial=initial,
        moment=moment,
        is_postal=carrier.kind == OrganisationKind.POSTAL,
    )


def _filed(
    request: AuthenticatedHttpRequest,
    form: StatusReportForm,
    election: Election,
    carrier: Organisation,
) -> bool:
    if not form.is_valid():
        return False
    figures = {k: v for k, v in form.cleaned_data.items() if k != "due_at"}
    try:
        services.status_report_file(
            election=election,
            organisation=carrier,
            due_at=form.moment.at,
            by=request.user,
            **figures,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    messages.success(
        request,
        _(
            "The status report for %(at)s was saved. It can be corrected until the "
            "next reporting moment."
        )
        % {"at": services.when_text(form.moment.at)},
    )
    return True


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = get_status_report_for_user(request.user, pk)
    return render(
        request,
        "incidents/status_report_detail.html",
        {
            "report": report,
            "moment_slug": timezone.localtime(report.due_at).strftime(
                selectors.MOMENT_SLUG
            ),
        },
    )


# --- The Department ----------------------------------------------------------------


@login_required
def schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The moments per period (editors add and remove them) and the moments
    that have come, each with how many carriers filed."""
    adding = request.method == "POST"
    overseer_membership(request.user, Action.CHANGE if adding else Action.VIEW)
    election, now = election_current_or_404(), timezone.now()
    form = ReportingMomentForm(request.POST if adding else None)
    if adding and form.is_valid():
        try:
            services.reporting_moment_add(
                election=election, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The reporting moment was added."))
            return redirect("status_reports:schedule")
    carrier_count = selectors.status_report_carriers().count()
    periods, schedule = _periods(election, now, carrier_count)
    ctx = {
        "election": election,
        "form": form,
        "periods": periods,
        "latest": selectors.moment_latest(
            election=election, now=now, schedule=schedule
        ),
        "carrier_count": carrier_count,
        "may_change": _may_change(request),
    }
    return render(request, "incidents/status_report_schedule.html", ctx)


def _may_change(request: AuthenticatedHttpRequest) -> bool:
    try:
        overseer_membership(request.user, Action.CHANGE)
    except PermissionDenied:
        return False
    return True


def _periods(
    election: Election, now: datetime.datetime, carrier_count: int
) -> tuple[list[dict], dict]:
    """Per period: its days, its times (with their rows, to remove) and the
    moments that have come (two queries); and the schedule."""
    times = list(ReportingMoment.objects.filter(election=election))
    schedule: dict[str, list[datetime.time]] = {p: [] for p in ReportingPeriod.values}
    for moment in times:
        schedule[moment.period].append(moment.time_of_day)
    passed = selectors.moments_passed(
        election=election, now=now, carrier_count=carrier_count, schedule=schedule
    )
    today = selectors.period_of_day(election, timezone.localdate(now))
    periods = [
        {
            "period": period,
            "label": label,
            "days": selectors.period_days(election, period),
            "times": sorted(
                (m for m in times if m.period == period), key=lambda m: m.time_of_day
            ),
            "passed": passed[period],
            "is_now": period == today,
        }
        for period, label in ReportingPeriod.choices
    ]
    return periods, schedule


@login_required
@require_POST
def moment_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    moment = get_reporting_moment_for_user(request.user, pk, Action.CHANGE)
    services.reporting_moment_remove(moment=moment)
    messages.success(
        request, _("The reporting moment %(moment)s was removed.") % {"moment": moment}
    )
    return redirect("status_reports:schedule")


@login_required
def moment(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Every carrier at one moment: its figures, or missing."""
    overseer_membership(request.user)
    election, now = election_current_or_404(), timezone.now()
    schedule = selectors.reporting_schedule(election=election)
    found = selectors.moment_from_slug(election=election, slug=slug, schedule=schedule)
    if found is None:
        raise Http404
    table = selectors.moment_table(election=election, moment=found, now=now)
    previous = selectors.moment_latest(
        election=election, now=found.at - selectors.SECOND, schedule=schedule
    )
    ctx = {
        "election": election,
        "table": table,
        "previous": previous,
        "next": selectors.moment_next(
            election=election, after=found.at, schedule=schedule
        ),
    }
    return render(request, "incidents/status_report_moment.html", ctx)


@login_required
def export(request: AuthenticatedHttpRequest, period: str) -> HttpResponse:
    """One period's reports, a row per report, as .xlsx."""
    overseer_membership(request.user)
    if period not in ReportingPeriod.values:
        raise Http404
    election = election_current_or_404()
    reports = selectors.status_reports_in_period(election=election, period=period)
    content = rows_to_xlsx(_export_headers(), [_export_row(r) for r in reports])
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-nhanh-{period}.xlsx"'
    )
    return response


EXPORT_FIELDS = (
    "due_at",
    "organisation",
    "overall_status",
    "sites_out",
    "mail_accepted",
    "mail_delivered",
    "mail_delayed",
    "open_incidents",
    "note",
    "filed_at",
)


def _export_headers() -> list[str]:
    fields = [capfirst(verbose_name(StatusReport, n)) for n in EXPORT_FIELDS]
    return [*fields, _("Filed by")]


def _export_row(report: StatusReport) -> list:
    return [
        timezone.localtime(report.due_at),
        report.organisation.display_name,
        report.get_overall_status_display(),
        report.sites_out,
        report.mail_accepted,
        report.mail_delivered,
        report.mail_delayed,
        report.open_incidents,
        report.note,
        timezone.localtime(report.filed_at),
        str(report.filed_by),
    ]
