"""Duty roster pages: who is on duty now, each organisation's roster with
its gaps and flags, adding shifts one by one, a week at a time or from a
spreadsheet.

Who may do what (incidents.permissions, `_shift_rule`): a carrier or the
Department keeps its own roster; staff and observers read every roster;
districts keep none. "On duty now" is open to every member: districts
phone the carrier on duty from it.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts.http import AuthenticatedHttpRequest
from contacts.models import Organisation
from contacts.permissions import (
    Action,
    get_object_for_user,
    may,
    membership_of,
    organisations_visible_to,
    sees_everything,
)
from contacts.selectors import election_current
from contacts.selectors.registry import election_current_or_404
from contacts.spreadsheets import XLSX_CONTENT_TYPE
from incidents.forms_rosters import (
    RosterImportForm,
    ShiftForm,
    WeekFormSet,
    WeekStartForm,
)
from incidents.models import Shift
from incidents.permissions import get_roster_for_user, shifts_visible_to
from incidents.selectors.rosters import (
    ROSTER_KINDS,
    duty_now,
    roster_of,
    roster_overview,
)
from incidents.services import rosters as services
from incidents.spreadsheets import roster_template_xlsx

SHIFTS = Shift.objects.select_related("organisation", "election")


def _get_roster(
    request: AuthenticatedHttpRequest, pk: int, action: Action = Action.VIEW
) -> Organisation:
    return get_roster_for_user(request.user, pk, action)


def _get_shift(request: AuthenticatedHttpRequest, pk: int, action: Action) -> Shift:
    return get_object_for_user(
        request.user, shifts_visible_to(request.user), pk, action
    )


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff and observers pick an organisation; a carrier or the
    Department goes to its own roster; anyone else to "on duty now"."""
    membership = membership_of(request.user)
    if membership is None:
        raise Http404
    if not sees_everything(membership) and membership.organisation.kind in ROSTER_KINDS:
        return redirect("rosters:roster", pk=membership.organisation_id)
    if not sees_everything(membership):
        return redirect("rosters:now")
    election = election_current_or_404()
    rows = roster_overview(
        election=election, organisations=organisations_visible_to(request.user)
    )
    page = _page_of(request, rows)
    return render(
        request,
        "incidents/roster_index.html",
        {"election": election, "rows": page.object_list, "page": page},
    )


# Organisations per page of the roster list and of "on duty now": a country
# has some 1,000 carriers. The Department comes first on the first page.
ORGANISATIONS_PER_PAGE = 50


def _page_of(request: HttpRequest, rows: list):
    return Paginator(rows, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
def on_duty(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who is on duty this minute, for every organisation, to call at once."""
    if membership_of(request.user) is None:
        raise Http404
    election, at = election_current(), timezone.now()
    page = _page_of(request, duty_now(election=election, at=at) if election else [])
    return render(
        request,
        "incidents/duty_now.html",
        {"election": election, "rows": page.object_list, "page": page, "at": at},
    )


@login_required
def roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _get_roster(request, pk)
    election = election_current_or_404()
    ctx = {
        "roster": roster_of(election=election, organisation=organisation),
        "may_edit": may(request.user, Action.CHANGE, Shift(organisation=organisation)),
        "now": timezone.now(),
    }
    return render(request, "incidents/roster_detail.html", ctx)


def _shift_form_page(
    request: AuthenticatedHttpRequest, organisation: Organisation, shift: Shift | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ShiftForm(data, instance=shift, organisation=organisation)
    if data is not None and form.is_valid():
        try:
            if shift is None:
                services.shift_add(
                    election=election_current_or_404(),
                    organisation=organisation,
                    by=request.user,
                    **form.cleaned_data,
                )
            else:
                services.shift_update(shift=shift, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The shift was saved."))
            return redirect("rosters:roster", pk=organisation.pk)
    ctx = {"organisation": organisation, "form": form, "shift": shift}
    return render(request, "incidents/roster_shift_form.html", ctx)


@login_required
def shift_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _get_roster(request, pk, Action.CHANGE)
    return _shift_form_page(request, organisation, None)


@login_required
def shift_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _get_shift(request, pk, Action.CHANGE)
    return _shift_form_page(request, shift.organisation, shift)


@login_required
@require_POST
def shift_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _get_shift(request, pk, Action.CHANGE)
    services.shift_remove(shift=shift)
    messages.success(
        request,
        _("The shift of %(name)s was removed.") % {"name": shift.person_name},
    )
    return redirect("rosters:roster", pk=shift.organisation_id)


def _week_start(request: HttpRequest) -> datetime.date:
    """The first day of the grid: ?start=dd/mm/yyyy, else today."""
    form = WeekStartForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["start"]
    return timezone.localdate()


@login_required
def week(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A week of shifts typed in one grid and saved together, or not at all."""
    organisation = _get_roster(request, pk, Action.CHANGE)
    election, start = election_current_or_404(), _week_start(request)
    data = request.POST if request.method == "POST" else None
    formset = WeekFormSet(data, start=start, prefix="rows")
    errors = []
    if data is not None and formset.is_valid():
        result = services.shifts_add_many(
            election=election,
            organisation=organisation,
            drafts=formset.drafts(),
            by=request.user,
        )
        if not result.errors:
            _report_added(request, result)
            return redirect("rosters:roster", pk=organisation.pk)
        errors = result.errors
    ctx = {
        "organisation": organisation,
        "formset": formset,
        "errors": errors,
        "start": start,
        "previous": start - datetime.timedelta(days=7),
        "next": start + datetime.timedelta(days=7),
    }
    return render(request, "incidents/roster_week.html", ctx)


def _report_added(request: HttpRequest, result: services.AddResult) -> None:
    messages.success(
        request,
        _("Shifts added: %(created)s; already on the roster: %(unchanged)s.")
        % {"created": len(result.created), "unchanged": result.unchanged},
    )


@login_required
def roster_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Shifts from a spreadsheet: every row is saved, or none."""
    organisation = _get_roster(request, pk, Action.CHANGE)
    election = election_current_or_404()
    form = RosterImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        result = services.roster_import(
            election=election,
            organisation=organisation,
            content=form.cleaned_data["file"].read(),
            by=request.user,
        )
        if not result.errors:
            _report_added(request, result)
            return redirect("rosters:roster", pk=organisation.pk)
        errors = result.errors
    ctx = {"organisation": organisation, "form": form, "errors": errors}
    return render(request, "incidents/roster_import.html", ctx)


@login_required
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    language = "en" if request.GET.get("lang") == "en" else "vi"
    election = election_current()
    day = election.polling_day if election else timezone.localdate()
    response = HttpResponse(
        roster_template_xlsx(language=language, day=day), content_type=XLSX_CONTENT_TYPE
    )
    name = "duty-roster-template.xlsx" if language == "en" else "mau-lich-truc.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
