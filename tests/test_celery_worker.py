"""A real Celery worker, fed through Redis, runs a task end to end."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError

from config.celery_app import app
from contacts.models import Heartbeat
from contacts.tasks import record_heartbeat
from tests.conftest import need, port_open, redis_url


def reset_producer_pool() -> None:
    """Make the next publish connect to the broker now configured (what
    Celery itself does after a fork)."""
    # Celery's own pools, not in its stubs.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_worker(django_db_setup, django_db_blocker):
    """One worker thread for the session (a worker per test breaks the
    database connection: docs/conventions.md, "Celery and Redis"); tests use
    transaction=True so that it sees their rows."""
    url = redis_url()
    need(port_open(url, 6379), f"no Redis answers at {url} (set CELERY_BROKER_URL)")
    # Celery reads CELERY_BROKER_URL from the environment before its
    # configuration, so both are pointed at Redis for the session.
    previous, previous_env = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = app.conf["broker_url"] = url
    reset_producer_pool()
    try:
        with start_worker(
            app,  # type: ignore[arg-type]  # celery-types: Celery[Task] only
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            yield app
    finally:
        app.conf["broker_url"] = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env
        reset_producer_pool()


def wait_for(condition, seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if condition():
                return True
        except OperationalError as error:
            # SQLite's shared in-memory test database locks a table while the
            # worker's thread writes it ("database table is locked"), where a
            # real database would wait: ask again.
            if "locked" not in str(error):
                raise
        time.sleep(0.1)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_heartbeat_task_sent_through_redis(redis_worker):
    record_heartbeat.delay("redis-worker-test")
    assert wait_for(lambda: Heartbeat.objects.filter(name="redis-worker-test").exists())


@pytest.mark.django_db
def test_the_heartbeat_task_records_the_time():
    stamp = record_heartbeat("worker")
    assert Heartbeat.objects.get(name="worker").last_seen_at.isoformat() == stamp


def test_beat_schedules_the_heartbeat_every_minute():
    entry = app.conf.beat_schedule["record-worker-heartbeat"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0


def test_tasks_are_acknowledged_late_and_survive_a_dead_worker():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
