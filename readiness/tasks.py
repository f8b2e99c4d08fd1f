"""Thin Celery wrappers around readiness.services. A task that loses its
database connection is retried (config.celery_app.DatabaseTask)."""

from celery import shared_task

from readiness.services.digest import digest_enqueue
from readiness.services.reminders import reminders_enqueue_due
from readiness.services.situation_reports import situation_reports_make_due


@shared_task
def plan_reminders() -> int:
    """Beat runs this every few minutes; it is idempotent."""
    return reminders_enqueue_due()


@shared_task
def send_staff_digest() -> int:
    """Beat runs this every few minutes; the digest goes out once a day, at
    or after the rule's digest hour (idempotent)."""
    return digest_enqueue()


@shared_task
def make_situation_reports() -> int:
    """Beat runs this every few minutes; on polling day it makes the
    situation reports whose time has come (idempotent)."""
    return situation_reports_make_due()
