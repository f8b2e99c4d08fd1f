"""The outbox against a real Redis broker and real workers
(docs/architecture.md, "The outbox"; docs/conventions.md, "Celery and
Redis"): planning twice, a flaky SMTP server, a worker killed in the middle
of a send, and Redis down when a change is saved.

The worker runs in this process (django.core.mail.outbox is shared with it)
and consumes a queue of its own, so that the workers of other test sessions
on the same Redis database neither take these tasks nor give it theirs.
Why it is not tests.test_celery_worker's `redis_worker`: imported here it
would be a second session fixture (a second worker), and it sets
app.conf.broker_url, which Celery reads only when the environment has no
CELERY_BROKER_URL; config/settings/test.py sets that variable to memory://.
"""

import contextlib
import datetime
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from kombu.asynchronous import get_event_loop, set_event_loop

from config.celery_app import app
from contacts.models import (
    Channel,
    ContactImport,
    ContactList,
    MessageStatus,
    OutboundMessage,
)
from contacts.services import contact_lists
from contacts.services.outbox import outbox_deliver_one, outbox_enqueue, outbox_sweep
from contacts.tasks import deliver_due_messages, deliver_message, record_heartbeat
from incidents.models import RollCallAudience, RollCallEntry, Shift
from incidents.services.roll_calls import roll_call_start
from incidents.tasks import prepare_roll_calls
from readiness.models import Deadline
from readiness.services.reminders import reminder_rule_for, reminders_enqueue_due
from readiness.tasks import plan_reminders
from tests.conftest import need, port_open, redis_url
from tests.contacts.conftest import make_row
from tests.contacts.test_sms_http import Gateway
from tests.contacts.test_zalo import Zalo
from tests.factories import UserFactory
from tests.mail_backends import FlakyEmailBackend
from tests.test_celery_worker import reset_producer_pool

BASE_DIR = Path(__file__).resolve().parent.parent
WAIT = 30.0  # seconds any one wait may take
UNREACHABLE = "redis://127.0.0.1:1/0"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def use_broker(url: str) -> None:
    """Point the app's publishing at `url`. Celery prefers the environment's
    CELERY_BROKER_URL to app.conf.broker_url (celery.app.utils.Settings)."""
    os.environ["CELERY_BROKER_URL"] = url
    app.conf["broker_url"] = url
    reset_producer_pool()


class Finished:
    """The tasks this module's worker has finished, told by Celery's
    task_postrun signal (sent in the worker thread). Tests wait on it rather
    than poll the database while the worker writes: SQLite's shared-cache
    test database then fails the worker's write ("database table is
    locked") instead of waiting."""

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.done: list[tuple[str, str, str]] = []  # (task id, name, state)
        self.changed = threading.Condition()

    def __call__(self, task_id=None, task=None, state=None, retval=None, **kwargs):
        if (task.request.delivery_info or {}).get("routing_key") != self.queue:
            return
        with self.changed:
            self.done.append((task_id, task.name, f"{state}: {retval!r}"))
            self.changed.notify_all()

    def forget(self) -> None:
        with self.changed:
            self.done.clear()

    def count(self, task) -> int:
        return sum(name == task.name for _id, name, _state in self.done)

    def wait(self, condition, seconds: float = WAIT) -> bool:
        with self.changed:
            return self.changed.wait_for(condition, seconds)

    def wait_for(self, task, n: int) -> None:
        """Until the worker has finished `task` n times in this test."""
        assert self.wait(lambda: self.count(task) >= n), self.done

    def failures(self) -> list:
        return [d for d in self.done if not d[2].startswith("SUCCESS")]


@contextlib.contextmanager
def worker_on_own_queue(url: str, prefix: str) -> Iterator[Finished]:
    """A worker thread on a queue of its own at the Redis `url`; every task
    sent meanwhile (the services' nudges too) goes to that queue. Used by
    this module and tests/test_database_restart.py."""
    queue = f"{prefix}-{uuid.uuid4().hex[:12]}"
    finished = Finished(queue)
    saved = (
        os.environ.get("CELERY_BROKER_URL"),
        app.conf.broker_url,
        app.conf.task_default_queue,
        app.amqp.queues._consume_from,  # type: ignore[attr-defined]  # Celery's own
    )
    use_broker(url)
    app.conf.task_default_queue = queue
    task_postrun.connect(finished, weak=False)
    # A worker still running in this process (tests.test_celery_worker's, for
    # the session) would lend this one its event loop, whose timer never
    # runs this worker's countdowns: the retries would not come. Its own.
    other_loop = get_event_loop()
    set_event_loop(None)
    try:
        with start_worker(
            app,  # type: ignore[arg-type]  # celery-types: Celery[Task] only
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            queues=[queue],
        ):
            yield finished
    finally:
        set_event_loop(other_loop)
        task_postrun.disconnect(finished)
        env, broker, default_queue, consume_from = saved
        if env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env
        app.conf["broker_url"] = broker
        app.conf.task_default_queue = default_queue
        app.amqp.queues._consume_from = consume_from  # type: ignore[attr-defined]
        app.amqp.queues.pop(queue, None)
        reset_producer_pool()
        forget_queue(url, queue)


@pytest.fixture(scope="module")
def worker():
    """This module's worker, once Redis answers."""
    url = redis_url()
    need(port_open(url, 6379), f"no Redis answers at {url} (set CELERY_BROKER_URL)")
    with worker_on_own_queue(url, "outbox-tests") as finished:
        yield finished


def forget_queue(url: str, queue: str) -> None:
    """Remove what a queue left in Redis (a killed worker's unacked task)."""
    client = redis.Redis.from_url(url)
    for tag, payload in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_until(condition, seconds: float = WAIT) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(autouse=True)
def finished(worker):
    """Each test starts and ends with the worker idle and its queue empty,
    and no task of the test failed."""
    FlakyEmailBackend.fail_next(0)
    drain(worker)
    worker.forget()
    yield worker
    drain(worker)
    FlakyEmailBackend.fail_next(0)
    assert worker.failures() == []


def drain(finished: Finished) -> None:
    """Wait until the worker has run every task sent before now (one worker
    on one queue runs them in order)."""
    task_id = record_heartbeat.delay("outbox-tests").id
    assert finished.wait(lambda: any(d[0] == task_id for d in finished.done)), (
        finished.done
    )


def count(**filters) -> int:
    return OutboundMessage.objects.filter(**filters).count()


def message_ids() -> list[str]:
    return sorted(e.extra_headers["Message-ID"] for e in mail.outbox)


def reminder_situation(world) -> set[str]:
    """D2 due in five days (so the real clock of the worker's tasks is in its
    seven-day occasion); no quiet hours, no overdue reminders. Two
    reminders: one for each district's officer."""
    officers = (
        world.district_a_officer,
        world.district_b_officer,
        world.telecom_officer,
        world.postal_officer,
    )
    for user in officers:
        user.email = f"{user.username}@example.vn"
        user.save()
    rule = reminder_rule_for(world.directive)
    rule.overdue_daily = False
    rule.quiet_start = rule.quiet_end = datetime.time(0)
    rule.save()
    Deadline.objects.filter(
        obligation__directive=world.directive,
        obligation__code="D2",
        organisation=None,
    ).update(due_at=timezone.now() + datetime.timedelta(days=5))
    return {"district-a@example.vn", "district-b@example.vn"}


def assert_each_reminder_sent_once(recipients: set[str]) -> None:
    keys = sorted(OutboundMessage.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(recipients)
    assert count(status=MessageStatus.SENT, attempts=1) == len(recipients)
    assert len(mail.outbox) == len(recipients)
    assert {e.to[0] for e in mail.outbox} == recipients
    assert message_ids() == sorted(f"<{k.replace(':', '.')}@localhost>" for k in keys)


# --- a. Planning twice at the same moment ---------------------------------------


def test_planning_sent_twice_through_the_broker_sends_each_reminder_once(
    world, finished
):
    recipients = reminder_situation(world)
    plan_reminders.delay()
    plan_reminders.delay()
    finished.wait_for(plan_reminders, 2)
    # The first run nudged delivery after its commit; the nudge is queued
    # before the task drain() sends, so it has run when drain() returns.
    drain(finished)
    assert finished.count(deliver_due_messages) >= 1
    assert_each_reminder_sent_once(recipients)
    # Later delivery ticks find nothing to send.
    deliver_due_messages.delay()
    deliver_due_messages.delay()
    drain(finished)
    assert_each_reminder_sent_once(recipients)


def test_two_planning_ticks_in_two_threads_at_once_write_each_reminder_once(
    world, finished
):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite's shared-cache test database refuses a second writer "
            "('database table is locked') instead of waiting"
        )
    recipients = reminder_situation(world)
    start = threading.Barrier(2, timeout=WAIT)
    created, errors = [], []

    def tick():
        try:
            start.wait()
            created.append(plan_reminders())  # the task's body, in this thread
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert errors == []
    assert len(created) == 2
    assert count() == len(recipients)
    drain(finished)  # the ticks' nudges
    assert_each_reminder_sent_once(recipients)


# --- b. A delivery that fails is retried --------------------------------------------


@override_settings(EMAIL_BACKEND="tests.mail_backends.FlakyEmailBackend")
def test_a_delivery_that_fails_twice_is_retried_and_sent_once(finished):
    FlakyEmailBackend.fail_next(2)
    user = UserFactory(email="officer@example.vn")
    # Written in autocommit: the nudge goes out at once and the worker makes
    # the first attempt.
    outbox_enqueue(
        messages=[
            OutboundMessage(
                dedupe_key="digest:flaky",
                kind="digest",
                recipient=user,
                channel=Channel.EMAIL,
                address=user.email,
                subject="Tình hình chuẩn bị",
                body="Nội dung",
                next_attempt_at=timezone.now(),
            )
        ]
    )
    for attempt, backoff in ((1, 60), (2, 300)):
        finished.wait_for(deliver_due_messages, attempt)
        failed = OutboundMessage.objects.get(dedupe_key="digest:flaky")
        assert (failed.status, failed.attempts) == (MessageStatus.PENDING, attempt)
        assert "SMTPServerDisconnected" in failed.last_error
        assert failed.next_attempt_at is not None and failed.claimed_at is not None
        assert failed.next_attempt_at - failed.claimed_at == datetime.timedelta(
            seconds=backoff
        )
        assert mail.outbox == []
        # Time moves on to the retry; the next beat tick delivers.
        OutboundMessage.objects.filter(pk=failed.pk).update(
            next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        deliver_due_messages.delay()
    finished.wait_for(deliver_due_messages, 3)
    deliver_due_messages.delay()  # one tick more: nothing left to send
    drain(finished)
    sent = OutboundMessage.objects.get(dedupe_key="digest:flaky")
    assert (sent.status, sent.attempts, sent.last_error) == (
        MessageStatus.SENT,
        3,
        "",
    )
    assert FlakyEmailBackend.attempts == 3
    assert message_ids() == ["<digest.flaky@localhost>"]


# --- c. A worker killed in the middle of a send ---------------------------------------

# Runs the celery command with config.settings.test, whose EMAIL_BACKEND is
# fixed to locmem (the EMAIL_BACKEND variable is not read there): the backend
# under test is set before the worker starts.
WORKER_MAIN = (
    "import os, sys, django; django.setup(); "
    "from django.conf import settings; "
    "settings.EMAIL_BACKEND = os.environ['EMAIL_BACKEND']; "
    "from celery.__main__ import main; main()"
)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def test_a_worker_killed_mid_send_leaves_it_sending_and_the_sweep_sends_it_once(
    tmp_path,
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: a separate worker process cannot see SQLite's "
            "in-memory test database"
        )
    mails = tmp_path / "mail"
    mails.mkdir()
    queue = f"outbox-kill-{uuid.uuid4().hex[:12]}"
    user = UserFactory(email="officer@example.vn")
    # Written without the nudge, so only the worker started here sends it.
    row = OutboundMessage.objects.create(
        dedupe_key="digest:killed",
        kind="digest",
        recipient=user,
        channel=Channel.EMAIL,
        address=user.email,
        subject="Tình hình chuẩn bị",
        body="Nội dung",
        next_attempt_at=timezone.now(),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url(),
        "EMAIL_BACKEND": "tests.mail_backends.SlowFileEmailBackend",
        "TEST_EMAIL_DIR": str(mails),
        "SLOW_EMAIL_SECONDS": "30",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER_MAIN,
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deliver_message.apply_async(args=(row.pk,), queue=queue)
            assert wait_until(lambda: count(pk=row.pk, status=MessageStatus.SENDING)), (
                log_path.read_text()
            )
            process.kill()  # SIGKILL, in the middle of the send
            process.wait(WAIT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(WAIT)
            app.amqp.queues.pop(queue, None)
            forget_queue(redis_url(), queue)

    lost = OutboundMessage.objects.get(pk=row.pk)
    assert (lost.status, lost.attempts, lost.sent_at) == (
        MessageStatus.SENDING,
        1,
        None,
    )
    # Nothing was written (the file backend may have opened an empty file,
    # as an SMTP session is opened before the message is sent).
    assert [f for f in mails.iterdir() if f.read_text()] == []
    # Within the lease the sweep leaves it alone; after it, puts it back.
    assert outbox_sweep(now=timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(
        seconds=settings.OUTBOX_LEASE_SECONDS + 1
    )
    assert outbox_sweep(now=later) == 1
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mails),
    ):
        assert outbox_deliver_one(message_id=row.pk, now=later) == MessageStatus.SENT
        assert outbox_deliver_one(message_id=row.pk, now=later) == "skipped"
    files = [f for f in mails.iterdir() if f.read_text()]
    assert len(files) == 1
    assert files[0].read_text().count("Message-ID: <digest.killed@localhost>") == 1
    assert OutboundMessage.objects.get(pk=row.pk).attempts == 2


# --- d. Redis down when a change is saved ------------------------------------------------


def test_with_redis_down_the_change_is_saved_fast_and_sent_once_redis_is_back(
    world, finished
):
    recipients = reminder_situation(world)
    working = redis_url()
    use_broker(UNREACHABLE)
    try:
        started = time.monotonic()
        with transaction.atomic():  # as a request (ATOMIC_REQUESTS)
            created = reminders_enqueue_due()
        elapsed = time.monotonic() - started
    finally:
        use_broker(working)
    assert created == len(recipients)
    assert elapsed < 5
    drain(finished)  # the lost nudge did not reach the worker
    assert finished.count(deliver_due_messages) == 0
    assert count(status=MessageStatus.PENDING, attempts=0) == len(recipients)
    assert mail.outbox == []
    # Redis is back: the beat's next delivery ticks send them, once.
    deliver_due_messages.delay()
    deliver_due_messages.delay()
    drain(finished)
    assert_each_reminder_sent_once(recipients)


# --- e. A reachability check prepared by the worker its start nudges -----------------


def test_a_started_roll_call_is_prepared_and_its_sms_sent_by_the_worker(
    world, finished
):
    election = world.directive.election
    started_at = datetime.datetime.combine(
        election.polling_day - datetime.timedelta(days=3),
        datetime.time(9),
        tzinfo=datetime.UTC,
    )
    for n in range(3):
        Shift.objects.create(
            election=election,
            organisation=world.telecom,
            person_name=f"Trực ca {n}",
            phone=f"+8491234560{n}",
            starts_at=started_at,
            ends_at=started_at + datetime.timedelta(days=4),
            created_by=world.staff,
        )
    with transaction.atomic():  # as the start page's request
        roll_call = roll_call_start(
            election=election,
            audience=RollCallAudience.ON_DUTY,
            by=world.staff,
            now=started_at,
        )
    finished.wait_for(prepare_roll_calls, 1)
    drain(finished)  # and the deliveries its SMS nudged
    roll_call.refresh_from_db()
    assert roll_call.prepared_at is not None
    assert RollCallEntry.objects.filter(roll_call=roll_call).count() == 3
    assert count(kind="roll-call", status=MessageStatus.SENT) == 3


# --- f. A notice of the review loop e-mailed by the worker ---------------------------


@pytest.fixture
def phone_servers(settings):
    """The SMS gateway and Zalo's ZNS, on loopback (the servers of
    tests/contacts/test_sms_http.py and test_zalo.py), with SMS on and a
    Zalo template for the review loop's notices."""
    gateway, zalo = Gateway(), Zalo()
    for server in (gateway, zalo):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.USE_SMS = True
    settings.SMS_BACKEND = "contacts.channels.sms.http_send"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = gateway.url, "sms-token"
    settings.ZALO_ZNS_URL, settings.ZALO_ACCESS_TOKEN = zalo.url, "zalo-token"
    settings.ZALO_ACCESS_TOKEN_FILE = ""
    settings.ZALO_TEMPLATES = {"notice": "301009"}
    yield gateway, zalo
    for server in (gateway, zalo):
        server.shutdown()
        server.server_close()


def test_a_submission_and_its_return_reach_the_people_concerned_through_the_worker(
    world, finished, phone_servers
):
    """One notice for the Department's reviewer on submission; on return,
    the district's officer gets it once by e-mail, SMS and Zalo, each
    delivered by the worker to its server, and nobody else anything."""
    gateway, zalo = phone_servers
    officer, reviewer = world.district_a_officer, world.staff
    for n, user in enumerate(
        (officer, reviewer, world.district_b_officer, world.telecom_officer)
    ):
        user.email = f"{user.username}@example.vn"
        user.phone = f"+8491200000{n}"
        user.save()
    contact_list = ContactList.objects.create(
        election=world.directive.election, organisation=world.district_a
    )
    commune = world.district_a.unit.children.order_by("code").first()
    plan = contact_lists.import_plan(
        contact_list=contact_list, rows=[make_row(2, commune)], unit_column="Mã"
    )
    contact_import = ContactImport.objects.create(
        contact_list=contact_list, original_name="t.xlsx", uploaded_by=officer
    )
    contact_lists.contact_list_import(contact_import=contact_import, plan=plan)
    with transaction.atomic():  # as the submit page's request
        version = contact_lists.contact_list_submit(
            contact_list=contact_list, by=officer
        )
    # Let the worker finish before writing more (SQLite's shared-cache
    # database would refuse the worker).
    drain(finished)
    assert count(channel=Channel.APP) == 1
    assert count(recipient=reviewer, channel=Channel.APP) == 1
    comment = "Thiếu số điện thoại của Tổ bầu cử số 2."
    with transaction.atomic():  # as the return page's request
        contact_lists.contact_list_return(version=version, by=reviewer, comment=comment)
    drain(finished)  # the nudge its commit sent, and the deliveries
    returned = OutboundMessage.objects.filter(kind="contact-list-returned")
    assert set(returned.values_list("recipient", flat=True)) == {officer.pk}
    # The in-app notice is written delivered; each other copy is sent once.
    assert sorted(returned.values_list("channel", "status", "attempts")) == sorted(
        [(Channel.APP, MessageStatus.SENT, 0)]
        + [
            (channel, MessageStatus.SENT, 1)
            for channel in (Channel.EMAIL, Channel.SMS, Channel.ZALO)
        ]
    )
    # Each delivered once, to the district's officer only.
    (sent,) = [e for e in mail.outbox if e.to == [officer.email]]
    assert f"“{comment}”" in sent.body
    assert {e.to[0] for e in mail.outbox} <= {officer.email, reviewer.email}
    ((_headers, sms),) = gateway.received
    assert sms["to"] == officer.phone
    ((_headers, by_zalo),) = zalo.received
    assert (by_zalo["phone"], by_zalo["template_id"]) == ("84912000000", "301009")
    others = (world.district_b_officer, world.telecom_officer)
    assert count(recipient__in=others) == 0
