from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from contacts.models import ElectionPhase
from contacts.permissions import (
    Action,
    get_object_for_user,
    membership_of,
    sees_everything,
)
from contacts.selectors import election_current, organisation_counts_by_kind
from incidents.permissions import incidents_visible_to
from incidents.selectors.incidents import (
    difficulties_unanswered,
    incident_status_counts,
    incidents_open,
)
from readiness.models import Directive
from readiness.selectors import directive_current, obligations_due


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page: what this organisation must do, and by when."""
    membership = membership_of(request.user)
    now = timezone.now()
    election = election_current()
    directive = directive_current(election=election)
    ctx = {
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
    if sees_everything(membership):
        ctx["organisation_counts"] = organisation_counts_by_kind()
        ctx.update(_incidents_awaiting(request, election))
        organisation = None
        template = "readiness/home_province.html"
    else:
        organisation = membership.organisation
        template = "readiness/home_recipient.html"
    ctx["obligations"] = (
        obligations_due(directive=directive, organisation=organisation, now=now)
        if directive
        else []
    )
    return render(request, template, ctx)


def _incidents_awaiting(request: HttpRequest, election) -> dict:
    """Open incidents by status, and difficulty reports not yet answered."""
    incidents = incidents_visible_to(request.user).filter(election=election)
    return {
        "incident_counts": incident_status_counts(incidents_open(incidents)),
        "difficulties_unanswered": difficulties_unanswered(incidents)[:20],
    }


@login_required
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    directive = get_object_for_user(
        request.user, Directive.objects.select_related("election"), pk, Action.VIEW
    )
    obligations = obligations_due(
        directive=directive, organisation=None, now=timezone.now()
    )
    ctx = {"directive": directive, "obligations": obligations}
    return render(request, "readiness/directive_detail.html", ctx)
