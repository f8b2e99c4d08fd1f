"""The Department's oversight: who has met what (the compliance matrix),
what awaits review, and the deadlines with their history.

Department staff and observers read these pages; only Department editors
claim an item of the queue, move deadlines and grant extensions. Everyone
else gets 404, as for any record they may not see
(contacts.permissions.overseer_membership).
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.http import AuthenticatedHttpRequest
from contacts.models import (
    ContactListVersion,
    Membership,
    Organisation,
    User,
)
from contacts.permissions import (
    Action,
    get_object_for_user,
    may_change_anything,
    overseer_membership,
)
from contacts.selectors.units import province_areas
from readiness.forms_deadlines import DeadlineMoveForm, ExtensionForm, RevokeForm
from readiness.models import (
    Deadline,
    Directive,
    Obligation,
    RecipientGroup,
    SectionReview,
)
from readiness.selectors import (
    compliance_matrix,
    directive_current_or_404,
    review_queue,
)
from readiness.services import review_claims
from readiness.services.deadlines import (
    deadline_extension_grant,
    deadline_extension_revoke,
    deadline_set,
)
from readiness.views.matrix_table import (
    FILTER_GROUPS,
    evidence_urls,
    matrix_filters,
    matrix_organisations,
    matrix_page,
    matrix_table,
)


def _short(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


# --- Compliance matrix ---------------------------------------------------------


@login_required
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every (organisation, obligation) with its state, deadline and
    evidence, in a fixed number of queries."""
    overseer_membership(request.user)
    directive = directive_current_or_404()
    districts = list(province_areas(directive.election.province_id).order_by("name"))
    group, district = matrix_filters(request, districts)
    now = timezone.now()
    found = compliance_matrix(
        directive=directive,
        now=now,
        organisations=matrix_organisations(group, district),
    )
    table = matrix_table(found, group)
    page, rows, filters = matrix_page(
        request, table, group, district, evidence_urls(directive)
    )
    ctx = {
        "directive": directive,
        "table": table,
        "page": page,
        "rows": rows,
        "filters": filters,
        "groups": [(g, RecipientGroup(g).label) for g in FILTER_GROUPS],
        "districts": districts,
        "group": group,
        "district": district,
        "now": now,
    }
    return render(request, "readiness/matrix.html", ctx)


# --- Review queue --------------------------------------------------------------


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan sections and contact lists awaiting review, oldest first, with
    how long each has waited and who is reviewing it."""
    membership = overseer_membership(request.user)
    directive = directive_current_or_404()
    page = Paginator(review_queue(directive=directive), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ctx = {
        "directive": directive,
        "items": page.object_list,
        "page": page,
        "now": timezone.now(),
        "may_claim": may_change_anything(membership),
    }
    return render(request, "readiness/queue.html", ctx)


# Items per page of the review queue (a country's can hold hundreds).
QUEUE_PER_PAGE = 50

QUEUE_VERSIONS = ContactListVersion.objects.select_related(
    "contact_list__organisation", "claimed_by"
)
QUEUE_REVIEWS = SectionReview.objects.select_related(
    "version__plan__organisation", "obligation", "claimed_by"
)


def _queue_record(
    request: AuthenticatedHttpRequest, queryset, pk: int
) -> ContactListVersion | SectionReview:
    """The record, for a Department editor (others: 404, read-only members
    403, as on the queue itself), who may review it."""
    overseer_membership(request.user, Action.CHANGE)
    return get_object_for_user(request.user, queryset, pk, Action.REVIEW)


def _back_to_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    url = reverse("readiness:queue")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


def _claim(request: AuthenticatedHttpRequest, record) -> HttpResponse:
    try:
        review_claims.review_claim(record=record, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("You are reviewing it: the others see your name beside it.")
        )
    return _back_to_queue(request)


def _release(request: AuthenticatedHttpRequest, record) -> HttpResponse:
    try:
        review_claims.review_release(record=record, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Released: another reviewer may take it."))
    return _back_to_queue(request)


@login_required
@require_POST
def version_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _claim(request, _queue_record(request, QUEUE_VERSIONS, pk))


@login_required
@require_POST
def version_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _release(request, _queue_record(request, QUEUE_VERSIONS, pk))


@login_required
@require_POST
def review_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _claim(request, _queue_record(request, QUEUE_REVIEWS, pk))


@login_required
@require_POST
def review_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _release(request, _queue_record(request, QUEUE_REVIEWS, pk))


# --- Deadlines -----------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """One line of a deadline's history: who changed it, when, how, why."""

    at: datetime.datetime
    by: User | None
    obligation: Obligation
    organisation: Organisation | None
    before: datetime.datetime | None
    after: datetime.datetime | None  # None: the extension was taken back
    reason: str


def _deadline_history(directive: Directive) -> list[_Change]:
    """Every change of the directive's deadlines, newest first (one query)."""
    records = (
        Deadline.history.filter(obligation__directive=directive)
        .select_related("history_user", "obligation", "organisation")
        .order_by("history_date", "history_id")
    )
    last: dict[int, datetime.datetime | None] = {}
    changes = []
    for r in records:
        after = None if r.history_type == "-" else r.due_at
        changes.append(
            _Change(
                at=r.history_date,
                by=r.history_user,
                obligation=r.obligation,
                organisation=r.organisation,
                before=last.get(r.id),
                after=after,
                reason=r.history_change_reason or "",
            )
        )
        last[r.id] = after
    return changes[::-1]


def _move_form(deadline: Deadline, data=None) -> DeadlineMoveForm:
    # One form per obligation on the page: distinct ids, same field names.
    return DeadlineMoveForm(
        data,
        initial={"due_at": deadline.due_at},
        auto_id=f"id_move{deadline.pk}_%s",
    )


def _deadline_rows(
    directive: Directive, can_edit: bool, bound: DeadlineMoveForm | None, bound_pk
) -> list[tuple[Obligation, Deadline | None, DeadlineMoveForm | None]]:
    """Each obligation with its default deadline and, for editors, the form
    that moves it (the one that failed keeps what was typed)."""
    defaults = {
        d.obligation_id: d
        for d in Deadline.objects.filter(
            obligation__directive=directive, organisation=None
        )
    }
    rows = []
    for obligation in Obligation.objects.filter(directive=directive).order_by(
        "position"
    ):
        default, form = defaults.get(obligation.pk), None
        if can_edit and default is not None:
            form = bound if default.pk == bound_pk else _move_form(default)
        rows.append((obligation, default, form))
    return rows


def _deadlines_page(
    request: HttpRequest,
    directive: Directive,
    membership: Membership,
    *,
    bound_move: DeadlineMoveForm | None = None,
    bound_move_pk: int | None = None,
    extension_form: ExtensionForm | None = None,
) -> HttpResponse:
    """The deadlines page; a form that failed is shown with what was typed."""
    can_edit = may_change_anything(membership)
    if can_edit and extension_form is None:
        extension_form = ExtensionForm(directive=directive, auto_id="id_ext_%s")
    ctx = {
        "directive": directive,
        "can_edit": can_edit,
        "rows": _deadline_rows(directive, can_edit, bound_move, bound_move_pk),
        "extensions": Deadline.objects.filter(
            obligation__directive=directive, organisation__isnull=False
        )
        .select_related("obligation", "organisation")
        .order_by("obligation__position", "organisation__name"),
        "extension_form": extension_form if can_edit else None,
        "history": _deadline_history(directive),
    }
    return render(request, "readiness/deadlines.html", ctx)


@login_required
def deadlines(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        # The forms post to their own addresses (deadline_move, ...).
        overseer_membership(request.user, Action.CHANGE)
        return HttpResponseNotAllowed(["GET"])
    membership = overseer_membership(request.user)
    return _deadlines_page(request, directive_current_or_404(), membership)


@login_required
@require_POST
def deadline_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move the default deadline of an obligation, with the reason."""
    membership = overseer_membership(request.user)
    directive = directive_current_or_404()
    deadline = get_object_for_user(
        request.user,
        Deadline.objects.filter(
            obligation__directive=directive, organisation=None
        ).select_related("obligation"),
        pk,
        Action.CHANGE,
    )
    form = _move_form(deadline, request.POST)
    if form.is_valid():
        try:
            moved = deadline_set(
                obligation=deadline.obligation, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The deadline of %(code)s is now %(due)s.")
                % {"code": deadline.obligation.code, "due": _short(moved.due_at)},
            )
            return redirect("readiness:deadlines")
    return _deadlines_page(
        request, directive, membership, bound_move=form, bound_move_pk=deadline.pk
    )


@login_required
@require_POST
def extension_grant(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give one organisation a later deadline for one obligation."""
    membership = overseer_membership(request.user, Action.CHANGE)
    directive = directive_current_or_404()
    form = ExtensionForm(request.POST, directive=directive, auto_id="id_ext_%s")
    if form.is_valid():
        try:
            extension = deadline_extension_grant(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(organisation)s now has until %(due)s for %(code)s.")
                % {
                    "organisation": extension.organisation,
                    "due": _short(extension.due_at),
                    "code": extension.obligation.code,
                },
            )
            return redirect("readiness:deadlines")
    return _deadlines_page(request, directive, membership, extension_form=form)


@login_required
@require_POST
def extension_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take an extension back; the organisation has the default deadline."""
    overseer_membership(request.user)
    extension = get_object_for_user(
        request.user,
        Deadline.objects.filter(organisation__isnull=False).select_related(
            "obligation", "organisation"
        ),
        pk,
        Action.CHANGE,
    )
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the reason for taking the extension back."))
        deadline_extension_revoke(
            extension=extension, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The extension of %(organisation)s for %(code)s was taken back.")
            % {
                "organisation": extension.organisation,
                "code": extension.obligation.code,
            },
        )
    return redirect("readiness:deadlines")
