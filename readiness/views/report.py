"""The report for the provincial Election Committee: a printable page and
the same report as a PDF and an .xlsx, for a moment (now by default).

Department staff and observers (the Election Committee) read it; any other
member gets 404 (contacts.permissions.overseer_membership), anyone signed
out is sent to the login page.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts.attachments import attachment_response
from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import overseer_membership
from contacts.spreadsheets import XLSX_CONTENT_TYPE
from readiness.forms_report import ReportMomentForm, moment_param
from readiness.report_files import (
    PDF_CONTENT_TYPE,
    REPORT_TEMPLATE,
    committee_report_pdf,
    committee_report_xlsx,
    report_context,
)
from readiness.selectors import directive_current_or_404
from readiness.selectors.report import committee_report

# File names per language; the moment makes two downloads distinguishable.
FILE_STEMS = {"vi": "bao-cao-uy-ban-bau-cu", "en": "election-committee-report"}


def _moment_form(request: HttpRequest) -> ReportMomentForm:
    """Always bound: an empty or missing moment is valid and means now."""
    return ReportMomentForm(request.GET, now=timezone.now())


def file_language(request: HttpRequest) -> str:
    """The file's language: `lang` when it names one, else the page's."""
    codes = [code for code, _name in settings.LANGUAGES]
    wanted = request.GET.get("lang", "")
    return wanted if wanted in codes else request.LANGUAGE_CODE


def _download_urls(moment: datetime.datetime, language: str) -> dict[str, str]:
    query = urlencode({"moment": moment_param(moment), "lang": language})
    return {
        "pdf_url": f"{reverse('readiness:report_pdf')}?{query}",
        "xlsx_url": f"{reverse('readiness:report_xlsx')}?{query}",
    }


@login_required
@require_GET
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The printable report; a moment that cannot be read is shown with its
    error, as typed, and no figures."""
    overseer_membership(request.user)
    directive = directive_current_or_404()
    form = _moment_form(request)
    ctx = {"form": form, "directive": directive, "report": None}
    if form.is_valid():
        report = committee_report(
            directive=directive, moment=form.cleaned_data["moment"]
        )
        ctx |= report_context(report)
        ctx |= _download_urls(report.moment, request.LANGUAGE_CODE)
    return render(request, REPORT_TEMPLATE, ctx)


def _download(
    request: AuthenticatedHttpRequest, make, content_type: str, extension: str
):
    overseer_membership(request.user)
    directive = directive_current_or_404()
    form = _moment_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            " ".join(str(e) for e in form.errors["moment"]),
            content_type="text/plain; charset=utf-8",
        )
    moment = form.cleaned_data["moment"]
    language = file_language(request)
    content = make(committee_report(directive=directive, moment=moment), language)
    stamp = timezone.localtime(moment).strftime("%Y%m%d-%H%M")
    stem = FILE_STEMS.get(language, FILE_STEMS["vi"])
    return attachment_response(
        file=ContentFile(content),
        content_type=content_type,
        name=f"{stem}-{stamp}.{extension}",
    )


@login_required
@require_GET
def report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, committee_report_pdf, PDF_CONTENT_TYPE, "pdf")


@login_required
@require_GET
def report_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, committee_report_xlsx, XLSX_CONTENT_TYPE, "xlsx")
