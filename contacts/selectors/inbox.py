"""Reads of the in-app notifications: a user's own messages and the
delivery log of every message (contacts.views.inbox)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from contacts.models import MessageStatus, OutboundMessage, User


def inbox_messages(*, user: User) -> QuerySet[OutboundMessage]:
    """The user's own messages, newest first, whatever the channel.

    A message dropped before sending (cancelled: the obligation was met or
    its deadline moved) is not shown: it would ask for something no longer
    needed. Nor are the e-mail and SMS copies of a notice, whose in-app row
    is shown (contacts.services.notices). Used by the inbox page and by
    `unread_count`, so the badge and the page always agree.
    """
    if not user.is_authenticated:
        return OutboundMessage.objects.none()
    return (
        OutboundMessage.objects.filter(recipient=user, in_inbox=True)
        .exclude(status=MessageStatus.CANCELLED)
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User | AnonymousUser) -> int:
    """How many of the user's messages are unread (one query; none for an
    anonymous visitor). Used by contacts.context_processors.membership for
    the badge in the navigation."""
    if not user.is_authenticated:
        return 0
    return inbox_messages(user=user).filter(read_at__isnull=True).count()


def outbox_log() -> QuerySet[OutboundMessage]:
    """Every message for the delivery log, newest first, with what the rows
    show loaded in the same query."""
    q = OutboundMessage.objects.select_related("recipient", "organisation")
    return q.order_by("-created_at", "-pk")
