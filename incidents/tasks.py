"""Thin Celery wrappers around incidents.services (ids in, idempotent, all
state in the database; beat runs them, see CELERY_BEAT_SCHEDULE). A task
that loses its database connection is retried (config.celery_app.DatabaseTask)."""

from celery import shared_task
from django.utils import timezone

from incidents.services.escalation import incidents_escalate_due
from incidents.services.rosters import shifts_remind_flagged


@shared_task
def escalate_incidents() -> int:
    """Beat runs this every minute: incidents not acknowledged in time go to
    the officer on duty, then to leadership (once per step)."""
    return incidents_escalate_due()


@shared_task
def remind_flagged_shifts() -> int:
    """Beat runs this every 15 minutes: organisations are told about shifts
    starting within a day whose person has no mobile number (idempotent)."""
    return shifts_remind_flagged(now=timezone.now())
