"""Forgotten passwords: a link by e-mail from the login page, through the
outbox, rate-limited and kept in the membership history.

Django's views and token do the rest (config/urls.py,
contacts.views.password_resets): the link works for PASSWORD_RESET_TIMEOUT
and once only, since the token is made from the password's hash and the
last login. The page answers the same whether or not the address belongs
to anyone, and whether or not the request was refused.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import override

from contacts.models import (
    Channel,
    MembershipEvent,
    MembershipEventKind,
    Organisation,
    OutboundMessage,
    User,
)
from contacts.services.members import membership_event
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    relevance_check,
)

logger = logging.getLogger(__name__)

RESET_TOPIC = "password-reset"
HOUR = datetime.timedelta(hours=1)


def reset_valid_for() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def password_reset_link(user: User) -> str:
    """The link of Django's PasswordResetConfirmView for the user, on
    SITE_URL (never the request's Host header, which a client writes)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", args=[uid, token])
    return settings.SITE_URL + path


def _organisation_of(user: User) -> Organisation | None:
    membership = getattr(user, "membership", None)
    return membership.organisation if membership is not None else None


def _over_limit(
    address: str, ip_address: str | None, now: datetime.datetime
) -> str | None:
    """Why a request is refused, or None. Only the requests that went
    through count (RESET_REQUESTED), so that someone hammering an address
    does not keep its owner from a link for longer than an hour. Counted
    in the database, so the limit holds with Redis down."""
    recent = MembershipEvent.objects.filter(
        kind=MembershipEventKind.RESET_REQUESTED, at__gt=now - HOUR
    )
    limit = settings.PASSWORD_RESET_PER_ADDRESS_HOURLY
    if recent.filter(detail__iexact=address).count() >= limit:
        return f"{limit} requests for this address in the last hour"
    limit = settings.PASSWORD_RESET_PER_IP_HOURLY
    if ip_address and recent.filter(ip_address=ip_address).count() >= limit:
        return f"{limit} requests from this IP address in the last hour"
    return None


@transaction.atomic
def password_reset_request(
    *,
    address: str,
    users: Iterable[User],
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Send a reset link to each of `users` (the active accounts with a
    usable password whose e-mail is `address`, as Django's
    PasswordResetForm.get_users finds them); returns how many messages
    were written.

    1. Over PASSWORD_RESET_PER_ADDRESS_HOURLY requests for the address, or
       PASSWORD_RESET_PER_IP_HOURLY from the IP address, in the last hour:
       nothing is sent, a RESET_REFUSED event and a warning are written.
    2. Otherwise a RESET_REQUESTED event (person and organisation when the
       address is someone's, else empty) and one e-mail per account, in
       the account's language, through the outbox.
    """
    now = now or timezone.now()
    accounts = list(users)
    person = accounts[0] if accounts else None
    organisation = _organisation_of(person) if person is not None else None
    refused = _over_limit(address, ip_address, now)
    kind = (
        MembershipEventKind.RESET_REFUSED
        if refused
        else MembershipEventKind.RESET_REQUESTED
    )
    event = membership_event(
        kind,
        at=now,
        organisation=organisation,
        person=person,
        detail=address,
        ip_address=ip_address,
    )
    if refused:
        logger.warning(
            "Password reset refused for %r from %s: %s", address, ip_address, refused
        )
        return 0
    logger.info(
        "Password reset asked for %r from %s: %d account(s)",
        address,
        ip_address,
        len(accounts),
    )
    messages = [_message(user, event, now) for user in accounts]
    return outbox_enqueue(messages=messages)


def _message(
    user: User, event: MembershipEvent, now: datetime.datetime
) -> OutboundMessage:
    expires_at = now + reset_valid_for()
    with override(user.language):
        expires = formats.date_format(
            timezone.localtime(expires_at), "SHORT_DATETIME_FORMAT"
        )
    ctx = {
        "person": user,
        "link": password_reset_link(user),
        "expires": expires,
        "username": user.username,
        "language": user.language,
    }
    subject, body, html = notification_render(
        name="password-reset", ctx=ctx, language=user.language
    )
    return OutboundMessage(
        # The event is this request's: two requests are two messages.
        dedupe_key=f"{RESET_TOPIC}:{user.pk}:{event.pk}",
        kind=RESET_TOPIC,
        recipient=user,
        organisation=_organisation_of(user),
        channel=Channel.EMAIL,
        address=user.email,
        language=user.language,
        subject=subject,
        body=body,
        body_html=html,
        # The link holds the token: the inbox never shows it.
        in_inbox=False,
        topic=f"{RESET_TOPIC}:{user.pk}",
        topic_due_at=expires_at,
        next_attempt_at=now,
    )


@relevance_check(RESET_TOPIC)
def password_resets_expired(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """A reset e-mail still unsent (retried, or sent again from the
    delivery log) when its link has expired is dropped: it would only
    lead to the "link no longer works" page. No query."""
    return {
        m.pk: "the password reset link has expired"
        for m in messages
        if m.topic_due_at is not None and m.topic_due_at <= now
    }


def password_reset_done(
    *,
    user: User,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> MembershipEvent:
    """Record that the user set a new password from a reset link. Their
    other sessions end at their next request: Django checks each session
    against a hash of the password, which has just changed."""
    now = now or timezone.now()
    logger.info("Password reset done for user %s from %s", user.pk, ip_address)
    return membership_event(
        MembershipEventKind.RESET_DONE,
        at=now,
        organisation=_organisation_of(user),
        person=user,
        ip_address=ip_address,
    )
