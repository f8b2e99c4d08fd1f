from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contacts.http import AuthenticatedHttpRequest
from contacts.models import ElectionPhase
from contacts.permissions import (
    Action,
    get_object_for_user,
    membership_of,
    sees_everything,
)
from contacts.selectors import election_current, organisation_counts_by_kind
from contacts.selectors.inbox import inbox_messages
from incidents.permissions import incidents_visible_to
from incidents.selectors.incidents import (
    difficulties_unanswered,
    incident_board,
    incident_status_counts,
    incidents_open,
)
from readiness.models import Directive
from readiness.selectors import directive_current, obligations_due
from readiness.selectors.home import recipient_todo


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's start page: what this organisation must do, and by when."""
    membership = membership_of(request.user)
    now = timezone.now()
    election = election_current()
    directive = directive_current(election=election)
    ctx: dict[str, Any] = {
        "now": now,
        "election": election,
        "directive": directive,
        "membership": membership,
    }
    if membership is None:
        return render(request, "readiness/home_no_organisation.html", ctx)
    if election is not None:
        ctx["phase_label"] = ElectionPhase(
            election.phase_on(timezone.localdate(now))
        ).label
        ctx["days_to_polling"] = (election.polling_day - timezone.localdate(now)).days
        ctx["election_over"] = election.is_over_on(timezone.localdate(now))
    if sees_everything(membership):
        ctx["organisation_counts"] = organisation_counts_by_kind()
        ctx.update(_incidents_awaiting(request, election))
        ctx["obligations"] = (
            obligations_due(directive=directive, organisation=None, now=now)
            if directive
            else []
        )
        return render(request, "readiness/home_province.html", ctx)
    ctx.update(_recipient(request, membership.organisation, directive, election, now))
    return render(request, "readiness/home_recipient.html", ctx)


# Open incidents and notifications listed on a recipient's home page.
HOME_LISTED = 5


def _recipient(
    request: AuthenticatedHttpRequest, organisation, directive, election, now
) -> dict:
    """What the organisation must do, its open incidents, its latest
    notifications."""
    todos = (
        recipient_todo(directive=directive, organisation=organisation, now=now)
        if directive
        else []
    )
    incidents = incidents_visible_to(request.user).filter(election=election)
    return {
        "todos": todos,
        "open_incidents": list(
            incident_board(incidents_open(incidents.filter(organisation=organisation)))[
                :HOME_LISTED
            ]
        ),
        "notifications": list(inbox_messages(user=request.user)[:HOME_LISTED]),
    }


def _incidents_awaiting(request: AuthenticatedHttpRequest, election) -> dict:
    """Open incidents by status, and difficulty reports not yet answered."""
    incidents = incidents_visible_to(request.user).filter(election=election)
    return {
        "incident_counts": incident_status_counts(incidents_open(incidents)),
        "difficulties_unanswered": difficulties_unanswered(incidents)[:20],
    }


@login_required
def directive_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    directive = get_object_for_user(
        request.user, Directive.objects.select_related("election"), pk, Action.VIEW
    )
    obligations = obligations_due(
        directive=directive, organisation=None, now=timezone.now()
    )
    ctx = {"directive": directive, "obligations": obligations}
    return render(request, "readiness/directive_detail.html", ctx)
