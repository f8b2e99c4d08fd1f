"""Thin Celery wrappers around incidents.services (ids in, idempotent, all
state in the database; beat runs them, see CELERY_BEAT_SCHEDULE)."""

