import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# What a task sees when PostgreSQL restarts, fails over or drops its
# connection in the middle of a task: OperationalError on the query that
# finds it gone ("server closed the connection unexpectedly", "terminating
# connection due to administrator command", "the database system is
# starting up"), InterfaceError ("connection already closed") on the next
# use. Deadlocks and serialisation failures are OperationalErrors too:
# retrying those is right as well.
DATABASE_CONNECTION_ERRORS = (OperationalError, InterfaceError)


class DatabaseTask(Task):
    """The base of every task of this app (Celery(task_cls=…) below): a task
    that loses its database connection is retried rather than lost
    (tests/test_database_restart.py). That is safe because every task is
    idempotent (conditional-UPDATE claims, dedupe keys: docs/conventions.md,
    "Services and selectors"), as CELERY_TASK_ACKS_LATE already requires.

    Retries come after 2, 4, 8, 16 and 32 s, then the task fails and the
    next beat tick catches up. No jitter: a restart takes seconds, and full
    jitter could spend every retry in the first of them. Every countdown
    stays far below the Redis visibility_timeout
    (CELERY_BROKER_TRANSPORT_OPTIONS), or the retry would run twice
    (docs/conventions.md, "Celery and Redis")."""

    autoretry_for = DATABASE_CONNECTION_ERRORS
    retry_backoff = 2
    retry_backoff_max = 60
    retry_jitter = False
    max_retries = 5

    def retry(self, *args, **kwargs):
        database_connections_drop_broken()
        return super().retry(*args, **kwargs)


def database_connections_drop_broken() -> None:
    """Close this thread's connections that no longer work, so that the retry
    connects afresh. A worker's Django fixup also closes connections around
    each task, but a task run inline (eagerly, in tests) has no such fixup
    and would retry on the dead connection. A connection inside an atomic
    block is left to the code that opened the block."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


app = Celery("config", task_cls=DatabaseTask)
# Every CELERY_* Django setting configures the app; see config/settings/base.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
