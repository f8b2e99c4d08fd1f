"""The register of outgoing documents (Sổ văn bản đi) and the report to the
Election Committee as an official document: a draft written, previewed as
a PDF, issued with a number, downloaded as .docx and .pdf.

Department editors write and issue; the Department's read-only members
read everything, drafts included; observers (the Election Committee) read
what was issued. Districts and carriers get 404
(contacts.permissions.overseer_membership), then each document is checked
by readiness.permissions._document_rule; anyone signed out is sent to the
login page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.attachments import attachment_response, content_disposition
from contacts.http import AuthenticatedHttpRequest
from contacts.permissions import (
    Action,
    get_object_for_user,
    may,
    may_change_anything,
    overseer_membership,
)
from contacts.selectors.registry import election_current_or_404
from readiness.documents_report import FIGURES, figure_values
from readiness.forms_documents import (
    DocumentForm,
    IssueForm,
    SectionFormSet,
    section_lines,
)
from readiness.models import DOC_TYPE_NAMES, DocumentStatus, OfficialDocument
from readiness.report_files import PDF_CONTENT_TYPE
from readiness.selectors import documents as selectors
from readiness.services import documents as services

DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
REGISTER = "documents:document_register"


def _document(
    request: AuthenticatedHttpRequest, pk: int, action: Action = Action.VIEW
) -> OfficialDocument:
    overseer_membership(request.user)
    return get_object_for_user(request.user, selectors.DOCUMENTS, pk, action)


def _file_stem(document: OfficialDocument) -> str:
    """ "bao-cao-12-BC-STTTT-2026"; a draft: "du-thao-bao-cao-7"."""
    kind = slugify(DOC_TYPE_NAMES[document.kind])
    if document.is_issued:
        return f"{kind}-{document.number}-{document.symbol}-{document.year}"
    return f"du-thao-{kind}-{document.pk}"


@login_required
@require_GET
def document_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = overseer_membership(request.user)
    election = election_current_or_404()
    ctx = {
        "election": election,
        "can_edit": may_change_anything(membership) and not election.is_closed,
        **selectors.document_register(election=election, membership=membership),
    }
    return render(request, "readiness/document_register.html", ctx)


@login_required
@require_POST
def document_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user, Action.CHANGE)
    document = services.document_create(
        election=election_current_or_404(), by=request.user
    )
    messages.success(
        request, _("A draft was made: write its text, preview it, then issue it.")
    )
    return redirect("documents:document_detail", pk=document.pk)


def _forms(document: OfficialDocument, data=None):
    initial = {
        "summary": document.summary,
        "recipient": document.recipient,
        "figures_at": document.figures_at,
        "appendices": document.appendices,
        "signer_capacity": document.signer_capacity,
        "signer_name": document.signer_name,
        "copies_to": document.copies_to,
    }
    form = DocumentForm(data, initial=initial)
    formset = SectionFormSet(data, initial=document.sections, prefix="sections")
    return form, formset


def _figures(document: OfficialDocument) -> list[tuple]:
    """Each figure with its value now (or as of the draft's moment); no
    values when the election has no directive."""
    report = selectors.document_report(document=document, now=timezone.now())
    values = figure_values(report) if report is not None else {}
    return [(figure, values.get(figure.key)) for figure in FIGURES]


def _save(request: AuthenticatedHttpRequest, document, form, formset) -> bool:
    try:
        services.document_save(
            document=document,
            by=request.user,
            sections=section_lines(formset),
            **form.cleaned_data,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A draft's edit page for Department editors; otherwise the document
    as it reads (an issued one: its files)."""
    posted = request.method == "POST"
    document = _document(request, pk, Action.CHANGE if posted else Action.VIEW)
    if not may(request.user, Action.CHANGE, document) or document.election.is_closed:
        return _read_page(request, document)
    form, formset = _forms(document, request.POST if posted else None)
    valid = posted and form.is_valid() and formset.is_valid()
    if valid and _save(request, document, form, formset):
        messages.success(request, _("The draft was saved."))
        then = {"preview": "document_preview", "issue": "document_issue"}
        target = then.get(request.POST.get("then", ""), "document_detail")
        return redirect(f"documents:{target}", pk=document.pk)
    ctx = {
        "document": document,
        "form": form,
        "formset": formset,
        "figures": _figures(document),
    }
    return render(request, "readiness/document_form.html", ctx)


def _read_page(
    request: AuthenticatedHttpRequest, document: OfficialDocument
) -> HttpResponse:
    replaced_by = list(document.replaced_by.filter(status=DocumentStatus.ISSUED))
    membership = overseer_membership(request.user)
    ctx = {
        "document": document,
        "replaced_by": replaced_by,
        "can_correct": document.is_issued
        and not replaced_by
        and may_change_anything(membership)
        and not document.election.is_closed,
    }
    return render(request, "readiness/document_read.html", ctx)


def _inline_pdf(content: bytes, name: str) -> HttpResponse:
    """A PDF the browser shows in place (the preview), never cached."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(name).replace(
        "attachment", "inline", 1
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A draft as a PDF marked as a draft, with today's figures (or those
    of its moment); an issued document: the PDF kept when it was issued."""
    document = _document(request, pk)
    name = f"{_file_stem(document)}.pdf"
    if document.is_issued:
        return _inline_pdf(_stored(document.pdf), name)
    try:
        content = services.document_preview(document=document)
    except ValidationError as exc:
        return HttpResponseBadRequest(
            " ".join(exc.messages), content_type="text/plain; charset=utf-8"
        )
    return _inline_pdf(content, name)


def _stored(file: FieldFile) -> bytes:
    if not file:
        raise Http404
    try:
        with file.open("rb") as f:
            return f.read()
    except FileNotFoundError:  # lost from storage: say so rather than fail
        raise Http404 from None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The number the draft will get (or one typed), its date; issuing."""
    document = _document(request, pk)
    if not may(request.user, Action.CHANGE, document):
        if document.is_issued and may_change_anything(
            overseer_membership(request.user)
        ):
            messages.info(request, _("This document was issued already."))
            return redirect("documents:document_detail", pk=document.pk)
        raise PermissionDenied
    today = timezone.localdate()
    posted = request.method == "POST"
    form = IssueForm(request.POST if posted else None, initial={"issued_on": today})
    if posted and form.is_valid():
        try:
            issued = services.document_issue(
                document=document, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(number)s was issued.") % {"number": issued.number_text}
            )
            return redirect(reverse(REGISTER) + f"#document-{issued.pk}")
    next_number = selectors.document_next_number(
        issuer_symbol=document.issuer_symbol, year=today.year
    )
    ctx = {
        "document": document,
        "form": form,
        "next_number": document.number_for(next_number),
        "year": today.year,
    }
    return render(request, "readiness/document_issue.html", ctx)


@login_required
@require_POST
def document_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A new draft replacing an issued document."""
    document = _document(request, pk)
    overseer_membership(request.user, Action.CHANGE)
    try:
        correction = services.document_correct(document=document, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:document_detail", pk=document.pk)
    messages.success(
        request,
        _("A draft replacing %(number)s was made.") % {"number": document.number_text},
    )
    return redirect("documents:document_detail", pk=correction.pk)


@login_required
@require_POST
def document_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk, Action.CHANGE)
    try:
        services.document_discard(document=document, by=request.user)
    except ValidationError as exc:  # issued by someone else meanwhile
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:document_detail", pk=document.pk)
    messages.success(request, _("The draft was deleted."))
    return redirect(REGISTER)


def _download(request, pk: int, field: str, content_type: str) -> HttpResponse:
    document = _document(request, pk)
    file = getattr(document, field)
    if not document.is_issued or not file:
        raise Http404
    return attachment_response(
        file=file, content_type=content_type, name=f"{_file_stem(document)}.{field}"
    )


@login_required
@require_GET
def document_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "docx", DOCX_CONTENT_TYPE)


@login_required
@require_GET
def document_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf", PDF_CONTENT_TYPE)
