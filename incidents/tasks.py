"""Thin Celery wrappers around incidents.services (ids in, idempotent, all
state in the database; beat runs them, see CELERY_BEAT_SCHEDULE). A task
that loses its database connection is retried (config.celery_app.DatabaseTask)."""

from celery import shared_task
from django.utils import timezone

from incidents.services.escalation import incidents_escalate_due
from incidents.services.roll_calls import roll_calls_remind_due
from incidents.services.rosters import shifts_remind_flagged
from incidents.services.status_reports import status_reports_remind_missed


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


@shared_task
def remind_roll_calls() -> int:
    """Beat runs this every 5 minutes: the unconfirmed people of each
    reachability check whose reminder time has come get one reminder
    (once per roll-call, however often this runs)."""
    return roll_calls_remind_due(now=timezone.now())


@shared_task
def remind_missed_status_reports() -> int:
    """Beat runs this every 5 minutes: carriers that have not filed their
    status report for a moment passed by more than the grace period are
    reminded, once per moment (idempotent)."""
    return status_reports_remind_missed(now=timezone.now())
