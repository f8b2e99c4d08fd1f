"""The second step of a login for Department staff: enrol an authenticator
app once (its key shown as a QR code), then type its code after each
password (contacts.services.second_factor)."""

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp.middleware import is_verified

from contacts.forms_second_factor import SecondFactorForm
from contacts.http import AuthenticatedHttpRequest
from contacts.services.second_factor import (
    second_factor_required,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_for_enrolment,
)


@never_cache
@login_required
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not second_factor_required(user=request.user) or is_verified(request.user):
        return redirect(_next(request))
    device = totp_device_confirmed(user=request.user)
    enrolling = device is None
    if enrolling:
        device = totp_device_for_enrolment(user=request.user)
    form = SecondFactorForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if enrolling:
            totp_device_confirm(device=device)
            messages.success(request, _("Your authenticator app is set up."))
        django_otp.login(request, device)
        return redirect(_next(request))
    context = {
        "form": form,
        "enrolling": enrolling,
        "next": _next(request),
        # Straight after setting a password on an invitation's link.
        "joining": bool(request.POST.get("joining") or request.GET.get("joining")),
    }
    if enrolling:
        context |= _enrolment(device)
    return render(request, "registration/second_factor.html", context)


def _enrolment(device) -> dict:
    """The key as a QR code (a data: image, which the CSP allows) and as
    text in groups of four for typing by hand."""
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return {
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(
            scale=5, border=2
        ),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)
