"""Polling-day situation reports: the list of the current election's, one
report's page, and its PDF and .xlsx, all rendered from the report's
snapshot (readiness.situation_files).

Department staff and observers read them; Department editors make one on
demand and set how often they are made. Districts and carriers get 404
(contacts.permissions.overseer_membership), as for the Election Committee
report; anyone signed out is sent to the login page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.attachments import attachment_response
from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import (
    Action,
    get_object_for_user,
    may_change_anything,
    overseer_membership,
)
from contacts.selectors.registry import election_current_or_404
from contacts.spreadsheets import XLSX_CONTENT_TYPE
from readiness import situation_files as files
from readiness.forms_situation_reports import SituationIntervalForm
from readiness.models import SituationReport
from readiness.report_files import PDF_CONTENT_TYPE
from readiness.services import situation_reports as services
from readiness.views.report import file_language

# File names per language; the number and the moment tell two apart.
FILE_STEMS = {"vi": "bao-cao-tinh-hinh", "en": "situation-report"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def situation_report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The election's reports, newest first; editors set how often they are
    made (what was typed stays on an error)."""
    posted = request.method == "POST"
    membership = overseer_membership(
        request.user, Action.CHANGE if posted else Action.VIEW
    )
    election = election_current_or_404()
    can_edit = may_change_anything(membership) and not election.is_closed
    form = None
    if posted:
        form = SituationIntervalForm(request.POST)
        if form.is_valid():
            hours = form.cleaned_data["situation_report_every_hours"]
            services.situation_report_interval_set(election=election, hours=hours)
            messages.success(request, _("The schedule of situation reports was saved."))
            return redirect("situation_reports:situation_report_list")
    elif can_edit:
        initial = {
            "situation_report_every_hours": election.situation_report_every_hours
        }
        form = SituationIntervalForm(initial=initial)
    ctx = {
        "election": election,
        "reports": SituationReport.objects.filter(election=election)
        .select_related("made_by")
        .defer("figures")
        .order_by("-number"),
        "slots": services.situation_slots(election=election, day=election.polling_day),
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "readiness/situation_report_list.html", ctx)


@login_required
@require_POST
def situation_report_make(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a report now (it is sent like the scheduled ones)."""
    overseer_membership(request.user, Action.CHANGE)
    election = election_current_or_404()
    report = services.situation_report_make(election=election, by=request.user)
    messages.success(
        request,
        _("Situation report No. %(number)s was made and sent.")
        % {"number": report.number},
    )
    return redirect("situation_reports:situation_report_detail", pk=report.pk)


def _report(request: AuthenticatedHttpRequest, pk: int) -> SituationReport:
    overseer_membership(request.user)
    return get_object_for_user(
        request.user,
        SituationReport.objects.select_related("election", "made_by"),
        pk,
    )


@login_required
@require_GET
def situation_report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    ctx = files.situation_context(report, language=request.LANGUAGE_CODE)
    ctx["page"] = True
    return render(request, files.SITUATION_TEMPLATE, ctx)


def _download(
    request: AuthenticatedHttpRequest,
    pk: int,
    make,
    content_type: str,
    extension: str,
):
    report = _report(request, pk)
    language = file_language(request)
    stamp = timezone.localtime(report.as_of).strftime("%Y%m%d-%H%M")
    stem = FILE_STEMS.get(language, FILE_STEMS["vi"])
    return attachment_response(
        file=ContentFile(make(report, language)),
        content_type=content_type,
        name=f"{stem}-{report.number}-{stamp}.{extension}",
    )


@login_required
@require_GET
def situation_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, files.situation_report_pdf, PDF_CONTENT_TYPE, "pdf")


@login_required
@require_GET
def situation_report_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _download(
        request, pk, files.situation_report_xlsx, XLSX_CONTENT_TYPE, "xlsx"
    )
