"""Thin Celery wrappers around incidents.services (ids in, idempotent, all
state in the database; beat runs them, see CELERY_BEAT_SCHEDULE). A task
that loses its database connection is retried (config.celery_app.DatabaseTask)."""

from typing import TypedDict

from celery import shared_task
from django.utils import timezone

from incidents.services.escalation import incidents_escalate_due
from incidents.services.roll_calls import (
    roll_calls_prepare_pending,
    roll_calls_remind_due,
)
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


# A country's roll-call writes 400,000 entries and SMS in one transaction
# (about 2.5 minutes by bench/election_cycle.py's rate), well over the
# default limits; still well under the broker's visibility timeout (1 h).
class _TimeLimits(TypedDict):
    soft_time_limit: int
    time_limit: int


ROLL_CALL_LIMITS = _TimeLimits(soft_time_limit=15 * 60, time_limit=16 * 60)


@shared_task(**ROLL_CALL_LIMITS)
def prepare_roll_calls() -> int:
    """Nudged when a reachability check starts, and run by beat every
    minute in case the nudge was lost: writes the entries and SMS of every
    roll-call not yet prepared (each once, however often this runs)."""
    return roll_calls_prepare_pending(now=timezone.now())


@shared_task(**ROLL_CALL_LIMITS)
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
