"""Election cycles: the list of elections and setting up the next one from
the last (readiness.services.cycles).

Only Department editors open these pages. Read-only Department members
and observers get 403: the page exists for them, but setting up an
election is not theirs to do. Anyone else signed in gets 404, as for every
page of the Department (contacts.permissions.overseer_membership).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from contacts.http import AuthenticatedHttpRequest
from contacts.models import ElectionPhase
from contacts.permissions import Action, overseer_membership
from contacts.selectors import election_current
from readiness.forms_cycles import CycleCopyForm
from readiness.selectors.cycles import cycle_list
from readiness.services.cycles import CycleCopyResult, cycle_copy


@login_required
@require_http_methods(["GET", "HEAD"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    overseer_membership(request.user, Action.CHANGE)
    today = timezone.localdate()
    elections = list(cycle_list())
    rows = [(e, ElectionPhase(e.phase_on(today)).label) for e in elections]
    return render(request, "readiness/cycles.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the next election; what was typed stays on an error."""
    overseer_membership(request.user, Action.CHANGE)
    if request.method != "POST":
        current = election_current()
        initial = {"source": current, "province": current.province} if current else {}
        form = CycleCopyForm(initial=initial)
        return render(request, "readiness/cycles_form.html", {"form": form})
    form = CycleCopyForm(request.POST)
    if form.is_valid():
        try:
            result = cycle_copy(**form.cleaned_data, by=request.user)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            _report(request, result)
            return redirect("cycles:index")
    return render(request, "readiness/cycles_form.html", {"form": form})


def _report(request: HttpRequest, result: CycleCopyResult) -> None:
    """What the copy made, then what it could not carry over."""
    messages.success(
        request,
        _(
            "“%(name)s” was set up. Copied: %(directives)s directive(s), "
            "%(obligations)s obligations, %(deadlines)s deadlines, "
            "%(milestones)s calendar dates, %(moments)s reporting moments, "
            "%(lists)s contact lists with %(bodies)s election bodies and "
            "%(contacts)s people, as drafts for the districts to re-confirm."
        )
        % {
            "name": result.election.display_name,
            "directives": result.directives,
            "obligations": result.obligations,
            "deadlines": result.deadlines,
            "milestones": result.milestones,
            "moments": result.moments,
            "lists": result.contact_lists,
            "bodies": result.bodies,
            "contacts": result.contacts,
        },
    )
    if result.bodies_dropped:
        messages.warning(
            request,
            ngettext(
                "%(count)s election body was not copied: its unit is not in "
                "the new administrative structure.",
                "%(count)s election bodies were not copied: their unit is not "
                "in the new administrative structure.",
                result.bodies_dropped,
            )
            % {"count": result.bodies_dropped},
        )
    to_fix = (
        (
            result.to_reattach,
            _(
                "Attach these districts to a unit of the new administrative "
                "structure: %(names)s."
            ),
        ),
        (
            result.carriers_without_areas,
            _(
                "Choose the areas of these carriers in the new administrative "
                "structure (Organisations → the carrier → Change the areas "
                "served): %(names)s."
            ),
        ),
    )
    for organisations, text in to_fix:
        if organisations:
            names = ", ".join(o.display_name for o in organisations)
            messages.warning(request, text % {"names": names})
