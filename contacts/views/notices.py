"""Notification settings: each person's own (which notices also come by
e-mail or SMS, and the daily digest), and the Department's defaults for
everyone who chose nothing.

A person's page is always the signed-in person's own: there is no id to
change, and the rule (contacts.permissions) lets nobody else read or
change it; a user without an organisation gets 404. The defaults are read
by the Department and observers and changed by the Department's editors
(contacts.permissions, NoticeDefault's rule): anyone else gets 404, as for
a record they may not see, and a reader asking to change 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts.channels.zalo import zalo_configured
from contacts.forms_notices import NoticeChannelsForm
from contacts.http import AuthenticatedHttpRequest
from contacts.models import NoticeDefault, NoticeProfile
from contacts.permissions import Action, may
from contacts.selectors.notices import notice_default_rows, notice_preference_rows
from contacts.services.notice_settings import (
    notice_defaults_save,
    notice_preferences_save,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's channels per kind of notice."""
    if not may(request.user, Action.CHANGE, NoticeProfile(user=request.user)):
        raise Http404
    rows, digest = notice_preference_rows(user=request.user)
    posted = request.POST if request.method == "POST" else None
    form = NoticeChannelsForm(posted, rows=rows, digest=digest)
    if posted is not None and form.is_valid():
        notice_preferences_save(
            user=request.user,
            choices=form.choices(),
            daily_digest=form.cleaned_data["daily_digest"],
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("inbox:preferences")
    ctx = {
        "form": form,
        "phone_channels": _phone_channels(),
        "digest_hour": settings.NOTICE_DIGEST_HOUR,
        "may_see_defaults": may(request.user, Action.VIEW, NoticeDefault()),
    }
    return render(request, "contacts/notice_preferences.html", ctx)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def defaults(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Department's default channels per kind of notice."""
    default = NoticeDefault()
    if not may(request.user, Action.VIEW, default):
        raise Http404
    may_change = may(request.user, Action.CHANGE, default)
    posted = request.POST if request.method == "POST" else None
    if posted is not None and not may_change:
        raise PermissionDenied
    form = NoticeChannelsForm(
        posted, rows=notice_default_rows(), read_only=not may_change
    )
    if posted is not None and form.is_valid():
        notice_defaults_save(choices=form.choices(), by=request.user)
        messages.success(request, _("The default notification settings were saved."))
        return redirect("inbox:defaults")
    ctx = {"form": form, "may_change": may_change, "phone_channels": _phone_channels()}
    return render(request, "contacts/notice_defaults.html", ctx)


def _phone_channels() -> bool:
    """Whether the phone switch sends anything here: SMS is on, or Zalo is
    set up (its templates decide which notices go by it)."""
    return settings.USE_SMS or zalo_configured()
