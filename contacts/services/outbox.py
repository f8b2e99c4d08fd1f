"""Writing messages to the outbox and delivering them (docs/architecture.md,
"The outbox": intent is a row, claim before acting, record then finish,
recover)."""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from contacts.channels import DeliveryError, Senders
from contacts.channels.zalo import zalo_offered
from contacts.models import Channel, MessageStatus, OutboundMessage, User

logger = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, … attempt. All far below the Redis
# visibility timeout: retries are rows with a due time, never ETA tasks.
BACKOFF_SECONDS = (60, 5 * 60, 15 * 60, 60 * 60)

# topic prefix → check(messages, now) returning, for each message no longer
# needed, why ({message id: reason}). One call per batch, so a delivery tick
# makes a few queries per batch instead of a few per message. Higher apps
# register theirs (readiness: "obligation").
RelevanceCheck = Callable[[list[OutboundMessage], datetime.datetime], dict[int, str]]
_RELEVANCE: dict[str, RelevanceCheck] = {}


def relevance_check(prefix: str):
    def register(check):
        _RELEVANCE[prefix] = check
        return check

    return register


def notification_render(*, name: str, ctx: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of templates/notifications/<name>-subject.txt,
    -body.txt and -body.html, in `language`."""
    with translation.override(language):
        subject = render_to_string(f"notifications/{name}-subject.txt", ctx)
        body = render_to_string(f"notifications/{name}-body.txt", ctx)
        html = render_to_string(f"notifications/{name}-body.html", ctx)
    return " ".join(subject.split())[:300], body, html


def outbox_messages_for(
    *, user: User, dedupe_key: str, texts: tuple[str, str, str], **fields
) -> list[OutboundMessage]:
    """The messages that reach one person: by e-mail if they have an address,
    by SMS (the plain text) when SMS is on and they have a phone, and by
    Zalo when it is configured for this kind of message and their phone is
    a Vietnamese mobile (contacts.channels.zalo.zalo_offered)."""
    subject, body, html = texts
    channels = []
    if user.email:
        channels.append((Channel.EMAIL, user.email, dedupe_key, html))
    if settings.USE_SMS and user.phone:
        channels.append((Channel.SMS, user.phone, dedupe_key + ":sms", ""))
    if zalo_offered(kind=fields.get("kind", ""), phone=user.phone):
        channels.append((Channel.ZALO, user.phone, dedupe_key + ":zalo", ""))
    return [
        OutboundMessage(
            dedupe_key=key,
            recipient=user,
            channel=channel,
            address=address,
            language=user.language,
            subject=subject,
            body=body,
            body_html=body_html,
            **fields,
        )
        for channel, address, key, body_html in channels
    ]


def outbox_enqueue(*, messages: list[OutboundMessage]) -> int:
    """Write messages; a dedupe key already there is skipped. Returns how
    many rows are new. Delivery is nudged after the transaction commits."""
    if not messages:
        return 0
    keys = [m.dedupe_key for m in messages]
    before = OutboundMessage.objects.filter(dedupe_key__in=keys).count()
    OutboundMessage.objects.bulk_create(
        messages, ignore_conflicts=True, batch_size=1000
    )
    created = OutboundMessage.objects.filter(dedupe_key__in=keys).count() - before
    if created:
        transaction.on_commit(outbox_nudge_delivery)
    return created


def outbox_nudge_delivery() -> None:
    """Ask a worker to deliver now rather than at the next beat tick."""
    from contacts.tasks import deliver_due_messages

    # The broker may be down: the rows stay pending and the beat sweep
    # delivers them later (docs/conventions.md, "Celery and Redis").
    try:
        deliver_due_messages.delay()
    except Exception as exc:  # noqa: BLE001 (kombu raises many kinds)
        logger.warning("Broker unreachable, the beat sweep will deliver: %s", exc)


def outbox_due_ids(*, now: datetime.datetime, limit: int = 100) -> list[int]:
    return list(
        OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_deliver_one(*, message_id: int, now: datetime.datetime | None = None) -> str:
    """Deliver one message; returns its new status, or "skipped"."""
    return outbox_deliver(message_ids=[message_id], now=now)[message_id]


def outbox_deliver(
    *, message_ids: list[int], now: datetime.datetime | None = None
) -> dict[int, str]:
    """Deliver the messages that are still pending and due; returns each
    one's new status, or "skipped" when another worker has it or it is not
    due.

    1. Claim each: pending → sending, by a conditional UPDATE.
    2. Drop those that what they are about no longer needs (relevance check).
    3. Send; record sent, or schedule a retry, or fail after the last try.
    """
    now = now or timezone.now()
    outcome = dict.fromkeys(message_ids, "skipped")
    claimed = [
        pk
        for pk in message_ids
        if OutboundMessage.objects.filter(
            pk=pk, status=MessageStatus.PENDING, next_attempt_at__lte=now
        ).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    ]
    # In the order given (oldest due first).
    position = {pk: i for i, pk in enumerate(claimed)}
    messages = sorted(
        OutboundMessage.objects.select_related("recipient").filter(pk__in=claimed),
        key=lambda m: position[m.pk],
    )
    irrelevant = _irrelevant(messages, now)
    with Senders() as senders:
        for message in messages:
            if reason := irrelevant.get(message.pk):
                outcome[message.pk] = _finish(
                    message, MessageStatus.CANCELLED, error=reason
                )
            else:
                outcome[message.pk] = _send(senders, message, now)
    return outcome


def _send(senders: Senders, message: OutboundMessage, now: datetime.datetime) -> str:
    try:
        senders.send(message)
    except DeliveryError as exc:
        return _failed(message, exc, now)
    except Exception as exc:  # noqa: BLE001 (a gateway bug must not strand the row)
        logger.exception("Unexpected error delivering message %s", message.pk)
        return _failed(message, DeliveryError(f"{type(exc).__name__}: {exc}"), now)
    return _finish(message, MessageStatus.SENT, sent_at=timezone.now())


def _irrelevant(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    by_prefix: dict[str, list[OutboundMessage]] = {}
    for message in messages:
        prefix = message.topic.partition(":")[0]
        if message.topic and prefix in _RELEVANCE:
            by_prefix.setdefault(prefix, []).append(message)
    reasons: dict[int, str] = {}
    for prefix, group in by_prefix.items():
        reasons.update(_RELEVANCE[prefix](group, now))
    return reasons


def _failed(
    message: OutboundMessage, exc: DeliveryError, now: datetime.datetime
) -> str:
    if exc.permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _finish(message, MessageStatus.FAILED, error=str(exc))
    delay = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS)) - 1]
    next_at = now + datetime.timedelta(seconds=delay)
    return _finish(
        message, MessageStatus.PENDING, error=str(exc), next_attempt_at=next_at
    )


def _finish(message: OutboundMessage, status: str, *, error: str = "", **fields) -> str:
    """Record the outcome, only if this worker still holds the claim."""
    OutboundMessage.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at
    ).update(status=status, last_error=error[:2000], **fields)
    return status


def outbox_sweep(*, now: datetime.datetime | None = None) -> int:
    """Put back messages whose worker died mid-send (after the lease)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    lost = OutboundMessage.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - lease
    )
    # A message whose every attempt killed its worker is not tried forever.
    lost.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED, last_error="worker lost during every attempt"
    )
    return lost.update(status=MessageStatus.PENDING, next_attempt_at=now)


def outbox_requeue(
    *, message: OutboundMessage, now: datetime.datetime | None = None
) -> bool:
    """Staff send a failed message again, with a fresh set of attempts."""
    return bool(
        OutboundMessage.objects.filter(
            pk=message.pk, status=MessageStatus.FAILED
        ).update(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=now or timezone.now(),
        )
    )


def inbox_mark_read(*, user: User, now: datetime.datetime | None = None) -> int:
    return OutboundMessage.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
