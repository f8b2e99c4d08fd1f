"""The invited person's side: follow the link, set a password, join (and,
for Department staff, set up the authenticator straight after), or ask for
a new link when it has expired."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts.forms_members import JoinPasswordForm
from contacts.http import client_ip
from contacts.models import Invitation
from contacts.services.members import (
    InvitationNotValid,
    LinkState,
    invitation_accept,
    invitation_find,
    invitation_renew,
    invitation_state,
)
from contacts.services.second_factor import second_factor_required

# The backend that signs in the person who just set their password.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """The link's secret must not leave in a Referer header to another
    site. Not "no-referrer": Chromium then sends "Origin: null" with the
    form, which Django's CSRF check refuses."""
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _ended(
    request: HttpRequest, invitation: Invitation | None, state: str, secret: str
):
    ctx = {"invitation": invitation, "state": state, "secret": secret}
    status = 404 if invitation is None else 410
    return _no_referrer(
        render(request, "registration/invitation_ended.html", ctx, status=status)
    )


@never_cache
def invitation_accept_view(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitation_find(secret)
    if invitation is None:
        return _ended(request, None, "unknown", secret)
    state = invitation_state(invitation)
    if state != LinkState.VALID:
        return _ended(request, invitation, state, secret)
    person = invitation.person
    needs_second_factor = second_factor_required(user=person)
    form = JoinPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationNotValid as exc:
            return _ended(request, invitation, exc.state, secret)
        if request.user.is_authenticated:
            logout(request)  # someone else was signed in on this browser
        login(request, person, backend=MODEL_BACKEND)
        messages.success(
            request,
            _("Welcome! You have joined %(organisation)s.")
            % {"organisation": invitation.organisation.display_name},
        )
        if second_factor_required(user=person):
            query = urlencode({"next": reverse("home"), "joining": "1"})
            return redirect(reverse("second_factor") + "?" + query)
        return redirect("home")
    ctx = {
        "form": form,
        "invitation": invitation,
        "person": person,
        "needs_second_factor": needs_second_factor,
    }
    return _no_referrer(render(request, "registration/invitation_accept.html", ctx))


@require_POST
def invitation_renew_view(request: HttpRequest, secret: str) -> HttpResponse:
    """A new link to the person's own address. The answer is the same
    whether or not one was sent (an old link may be in other hands)."""
    invitation = invitation_find(secret)
    if invitation is not None:
        invitation_renew(invitation=invitation, ip_address=client_ip(request))
    ctx = {"invitation": invitation}
    return _no_referrer(render(request, "registration/invitation_renewed.html", ctx))
