"""In-app notifications: each user's own messages, and the delivery log of
every message for the Department and observers.

Nobody opens another user's message: the inbox is always the signed-in
user's own, and there is no page per message. The log shows every message
to those who read every organisation's records; everyone else gets 404,
as for any record they may not see (contacts.permissions.overseer_membership).
Only Department editors send a failed message again.
"""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import MAX_URL_LENGTH
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contacts.http import AuthenticatedHttpRequest
from contacts.ids import IdChoiceFilter
from contacts.models import (
    Channel,
    MessageStatus,
    Organisation,
    OutboundMessage,
)
from contacts.permissions import may_change_anything, overseer_membership
from contacts.selectors.inbox import inbox_messages, outbox_log, unread_count
from contacts.services.outbox import inbox_mark_read, outbox_requeue
from contacts.widgets import LongSelect

INBOX_PER_PAGE = 30
LOG_PER_PAGE = 50


class OutboxLogFilter(django_filters.FilterSet):
    """The filters of the delivery log (GET parameters)."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=MessageStatus.choices,
        empty_label=gettext_lazy("All"),
    )
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("Channel"),
        choices=Channel.choices,
        empty_label=gettext_lazy("All"),
    )
    organisation = IdChoiceFilter(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.order_by("kind", "name"),
        empty_label=gettext_lazy("All"),
        widget=LongSelect,  # a country has some 1,700 organisations
    )

    class Meta:
        model = OutboundMessage
        fields = ["status", "channel", "organisation"]


# --- The user's own messages ----------------------------------------------------


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's messages, newest first; unread ones stand out
    until the user marks them read."""
    q = inbox_messages(user=request.user)
    page = Paginator(q, INBOX_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {"page": page, "unread": unread_count(request.user)}
    return render(request, "contacts/inbox.html", ctx)


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark every message of the signed-in user read (only theirs)."""
    count = inbox_mark_read(user=request.user)
    if count:
        messages.success(request, _("All your messages are marked as read."))
    return redirect("inbox:index")


# --- The delivery log -------------------------------------------------------------


@login_required
def log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every message with its delivery state, newest first, in a fixed
    number of queries."""
    membership = overseer_membership(request.user)
    found = OutboxLogFilter(request.GET, queryset=outbox_log())
    page = Paginator(found.qs, LOG_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    ctx = {
        "filter": found,
        "page": page,
        "filters": filters.urlencode(),
        "may_requeue": may_change_anything(membership),
        "failed": MessageStatus.FAILED,
    }
    return render(request, "contacts/outbox_log.html", ctx)


def _message_for_editor(request: AuthenticatedHttpRequest, pk: int) -> OutboundMessage:
    """The message, for a Department editor; 404 for those who may not read
    the log or an unknown id, 403 for a reader who may not change it."""
    membership = overseer_membership(request.user)
    message = OutboundMessage.objects.filter(pk=pk).first()
    if message is None:
        raise Http404
    if not may_change_anything(membership):
        raise PermissionDenied
    return message


def _back_to_log(request: HttpRequest) -> str:
    """The log with the filters the editor had: only a query string is
    taken from the form, so the redirect never leaves the log."""
    filters = QueryDict(request.POST.get("filters", ""))
    url = reverse("inbox:log")
    back = f"{url}?{filters.urlencode()}" if filters else url
    # Filters no browser would have typed (longer than a URL should be):
    # the unfiltered log, rather than a redirect Django refuses.
    return back if len(back) <= MAX_URL_LENGTH else url


@login_required
@require_POST
def requeue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send a failed message again, with a fresh set of attempts."""
    message = _message_for_editor(request, pk)
    if outbox_requeue(message=message):
        messages.success(
            request,
            _("The message to %(address)s will be sent again.")
            % {"address": message.address},
        )
    else:
        messages.warning(request, _("Only a failed message can be sent again."))
    return redirect(_back_to_log(request))
