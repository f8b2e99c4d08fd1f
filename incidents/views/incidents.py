"""Incident pages: the board, reporting, the timeline and what changes an
incident (permission per object, form, one service call:
docs/conventions.md, "Views, forms and tasks")."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.attachments import InvalidAttachment, attachment_response
from contacts.http import AuthenticatedHttpRequest
from contacts.models import Organisation, OrganisationKind
from contacts.permissions import (
    Action,
    get_object_for_user,
    is_department,
    may,
    may_change_anything,
    membership_of,
    organisations_visible_to,
)
from contacts.selectors.registry import election_current_or_404
from incidents import services
from incidents.filters import IncidentFilter
from incidents.forms import AnswerForm, IncidentReportForm, IncidentUpdateForm
from incidents.models import Incident, IncidentStatus, IncidentUpdate, Service
from incidents.permissions import incidents_visible_to, may_report, moves_for
from incidents.selectors.incidents import (
    incident_board,
    incident_detail,
    incident_status_counts,
    incident_timeline,
)

BOARD_PER_PAGE = 50


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The board: open incidents, most severe and newest first, with counts
    by status; htmx asks for the table alone every 30 seconds."""
    election = election_current_or_404()
    visible = incidents_visible_to(request.user).filter(election=election)
    found = IncidentFilter(
        request.GET,
        queryset=visible,
        province=election.province,
        organisations=organisations_visible_to(request.user),
    )
    page = Paginator(incident_board(found.qs), BOARD_PER_PAGE).get_page(
        request.GET.get("page")
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    ctx = {
        "filter": found,
        "page": page,
        "counts": incident_status_counts(found.qs),
        "filters": filters.urlencode(),
        "may_acknowledge": may_change_anything(membership_of(request.user)),
        "may_report": may_report(request.user),
        "refresh_seconds": settings.INCIDENT_BOARD_REFRESH_SECONDS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "incidents/_board.html", ctx)
    return render(request, "incidents/index.html", ctx)


def _on_behalf(request: AuthenticatedHttpRequest):
    """Staff report for any organisation; others for their own (None)."""
    if is_department(membership_of(request.user)):
        return (
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrganisationKind.OBSERVER)
            .order_by("kind", "name")
        )
    return None


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_report(request.user):
        raise PermissionDenied
    election = election_current_or_404()
    on_behalf = _on_behalf(request)
    form = IncidentReportForm(
        request.POST or None, province=election.province, on_behalf=on_behalf
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation", None) or (
            request.user.membership.organisation
        )
        try:
            incident = services.incident_report(
                election=election,
                organisation=organisation,
                report=services.IncidentReport(**data),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Incident #%s reported.") % incident.pk)
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/report.html", {"form": form})


def _incident(request: AuthenticatedHttpRequest, pk: int, action: Action) -> Incident:
    return get_object_for_user(request.user, Incident.objects.all(), pk, action)


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = incident_detail(incidents_visible_to(request.user), pk)
    if incident is None:
        raise Http404
    return render(request, "incidents/detail.html", _detail_ctx(request, incident))


def _detail_ctx(request: AuthenticatedHttpRequest, incident: Incident, **forms) -> dict:
    moves = moves_for(request.user, incident)
    may_change = may(request.user, Action.CHANGE, incident)
    may_review = may(request.user, Action.REVIEW, incident)
    ctx = {
        "incident": incident,
        "service_labels": [
            Service(s).label for s in incident.services if s in Service.values
        ],
        "timeline": incident_timeline(incident),
        "update_form": IncidentUpdateForm(moves=moves) if may_change else None,
        "may_acknowledge": IncidentStatus.ACKNOWLEDGED in moves
        and incident.status == IncidentStatus.REPORTED,
        "answer_form": AnswerForm(initial={"answer": incident.answer})
        if may_review and incident.is_difficulty
        else None,
    }
    ctx.update({k: v for k, v in forms.items() if v is not None})
    return ctx


def _detail_with_errors(
    request: AuthenticatedHttpRequest, pk: int, **forms
) -> HttpResponse:
    """The incident page again, fresh from the database, with the refused
    form keeping what was typed."""
    incident = incident_detail(incidents_visible_to(request.user), pk)
    if incident is None:  # deleted meanwhile
        raise Http404
    ctx = _detail_ctx(request, incident, **forms)
    return render(request, "incidents/detail.html", ctx, status=400)


@login_required
@require_POST
def update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add to the timeline, change the status, or both."""
    incident = _incident(request, pk, Action.CHANGE)
    form = IncidentUpdateForm(
        request.POST, request.FILES, moves=moves_for(request.user, incident)
    )
    if form.is_valid():
        try:
            _apply_update(request, incident, form.cleaned_data)
        except InvalidAttachment as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The timeline is updated."))
            return redirect("incidents:detail", pk=incident.pk)
    return _detail_with_errors(request, pk, update_form=form)


@transaction.atomic
def _apply_update(
    request: AuthenticatedHttpRequest, incident: Incident, data: dict
) -> None:
    """A status change carries the text as its note; otherwise the text and
    file are an update of their own. All or nothing: a refused status
    change keeps no file either."""
    to, text, upload = data.get("status"), data.get("text") or "", data.get("file")
    if upload or (text and not to):
        file = (upload.name, upload.read()) if upload else None
        services.incident_comment(
            incident=incident, by=request.user, text=text if not to else "", file=file
        )
    if to:
        services.incident_move(
            incident=incident,
            by=request.user,
            to=to,
            text=text,
            resolved_at=data.get("resolved_at"),
        )


@login_required
@require_POST
def acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk, Action.REVIEW)
    try:
        services.incident_acknowledge(incident=incident, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Incident #%s acknowledged.") % incident.pk)
    return redirect(_next_or(request, "incidents:detail", pk=incident.pk))


def _next_or(request: HttpRequest, name: str, **kwargs) -> str:
    """Back where the button was (the board), if that is this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(name, kwargs=kwargs)


@login_required
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk, Action.REVIEW)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.difficulty_answer(
                incident=incident, by=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The answer is sent."))
            return redirect("incidents:detail", pk=incident.pk)
    return _detail_with_errors(request, pk, answer_form=form)


@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A file of the timeline, to whoever may see the incident."""
    item = get_object_for_user(
        request.user,
        IncidentUpdate.objects.select_related("incident").exclude(file=""),
        pk,
        Action.VIEW,
    )
    return attachment_response(
        file=item.file, content_type=item.content_type, name=item.original_name
    )
