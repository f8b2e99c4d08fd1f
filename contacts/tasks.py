"""Thin Celery wrappers around contacts.services (they take ids, are
idempotent, and every state lives in the database). A task that loses its
database connection is retried (config.celery_app.DatabaseTask)."""

import time

from celery import shared_task
from django.utils import timezone

from contacts.services import heartbeat_record
from contacts.services.notice_digest import notice_digests_enqueue
from contacts.services.outbox import (
    outbox_deliver,
    outbox_deliver_one,
    outbox_due_ids,
    outbox_nudge_delivery,
    outbox_sweep,
)

# Below CELERY_TASK_SOFT_TIME_LIMIT (60 s): the next tick goes on from here.
DELIVERY_BUDGET_SECONDS = 45


@shared_task
def record_heartbeat(name: str = "worker") -> str:
    """Beat runs this every minute; /healthz reports how long ago it ran."""
    return heartbeat_record(name=name).last_seen_at.isoformat()


@shared_task
def deliver_due_messages() -> int:
    """Beat runs this every minute, and writers nudge it after commit: send
    every pending message that is due. Safe to run twice at once."""
    started = time.monotonic()
    outbox_sweep(now=timezone.now())
    sent = 0
    # Batches until nothing is due, within the task's soft time limit.
    while due := outbox_due_ids(now=timezone.now()):
        if time.monotonic() - started > DELIVERY_BUDGET_SECONDS:
            # More is due: go on in a fresh task now rather than at the next
            # beat tick (a burst of 10,000 reminders takes minutes).
            outbox_nudge_delivery()
            break
        outcome = outbox_deliver(message_ids=due)
        sent += sum(status == "sent" for status in outcome.values())
    return sent


@shared_task
def deliver_message(message_id: int) -> str:
    return outbox_deliver_one(message_id=message_id)


@shared_task
def send_notice_digests() -> int:
    """Beat runs this every few minutes; once a day, after the digest hour,
    it writes each chooser's one e-mail of the day's notices."""
    return notice_digests_enqueue(now=timezone.now())
