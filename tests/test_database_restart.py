"""PostgreSQL restarts while a beat tick is running: the task is retried
(config.celery_app.DatabaseTask), nothing is lost, and nothing is written,
applied or sent twice (docs/architecture.md, "The outbox";
docs/conventions.md, "Celery and Redis").

The ticks where a duplicate would reach a person: reminder planning
(readiness), delivery (contacts) and incident escalation (incidents). A
real worker runs each on a world big enough to be mid-way, and a hook in
the worker's thread takes the database away at an exact point: right after
a call that commits part of the tick returns, so that the tick's next query
finds its connection gone. No sleeping and hoping.

How the database goes away (`restart_method`):
- "restart": `pg_ctlcluster restart` of the local cluster on DATABASE_URL's
  port, when the tests run as root on the database's machine with Debian's
  PostgreSQL (CI: .ci/run). Every client of the server loses its
  connection, other developers' test sessions included.
- "terminate": `pg_terminate_backend` of every other connection to the test
  database, which is what a client sees of a restart ("terminating
  connection due to administrator command"). Used when the tests are not
  root, the database is elsewhere or there is no pg_ctlcluster, and when
  TEST_DATABASE_RESTART=terminate (a shared development machine).
Either way the hook waits until the database answers again, and the test
puts its own thread's connection back (`DatabaseRestart.confirm`, the
`restart` fixture's teardown), so later tests in the session work.

Like tests/test_outbox_reliability.py (whose helpers it uses), the worker
runs in this process (django.core.mail.outbox and the hooks are shared with
it) on a queue of its own. `make test` runs it after the parallel session,
in one process with the outbox reliability tests: a restart would break
the test another pytest worker is running. Next to another worker of the
session it gets an event loop of its own (the `worker` fixture).
"""

import datetime
import itertools
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import psycopg2
import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

import contacts.tasks
import incidents.services.escalation
from config.celery_app import DatabaseTask, app
from contacts.models import Membership, MessageStatus, OutboundMessage, User
from contacts.tasks import deliver_due_messages
from incidents.models import Incident, IncidentStatus, IncidentUpdate, UpdateKind
from incidents.tasks import escalate_incidents
from readiness.tasks import plan_reminders
from tests.conftest import need, port_open, redis_url
from tests.factories import MembershipFactory, UserFactory
from tests.incidents.helpers import report
from tests.test_outbox_reliability import (
    WAIT,
    Finished,
    assert_each_reminder_sent_once,
    drain,
    reminder_situation,
    worker_on_own_queue,
)

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
# Two districts of this many more members each: 250 reminders, so delivery
# takes three batches (contacts.services.outbox.outbox_due_ids: 100).
MORE_MEMBERS = 124
# Incidents waiting for each escalation step.
INCIDENTS_PER_STEP = 40
MINUTE = datetime.timedelta(minutes=1)
HOUR = 60 * MINUTE


# --- Taking the database away ---------------------------------------------------


def local_cluster() -> tuple[str, str] | None:
    """(version, name) of the Debian cluster serving the test database, when
    this process may restart it: root, on the database's machine."""
    db = connection.settings_dict
    host = db.get("HOST") or ""
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return None
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        return None
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        version, name, port, status, *_rest = line.split()
        if int(port) == int(db.get("PORT") or 5432) and status.startswith("online"):
            return version, name
    return None


def restart_method() -> str:
    if (
        os.environ.get("TEST_DATABASE_RESTART") == "terminate"
        or local_cluster() is None
    ):
        return "terminate"
    return "restart"


def database_params() -> dict:
    """psycopg2.connect() arguments for the test database, as Django's."""
    return connection.get_connection_params()


def database_restart(method: str, params: dict, cluster) -> None:
    if method == "restart":
        version, name = cluster
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
            capture_output=True,
            check=True,
            timeout=120,
        )
    else:
        database_connections_terminate(params)
    database_wait(params)


def database_connections_terminate(params: dict) -> None:
    """End every connection to the test database but the one doing it, and
    wait until they are gone."""
    others = (
        "FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    admin = psycopg2.connect(**params)
    # Each query its own transaction: pg_stat_activity is a snapshot per
    # transaction.
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")  # noqa: S608
            end = time.monotonic() + WAIT
            while True:
                cursor.execute(f"SELECT count(*) {others}")  # noqa: S608
                if cursor.fetchone()[0] == 0:
                    return
                assert time.monotonic() < end, "connections still there"
                time.sleep(0.05)
    finally:
        admin.close()


def database_wait(params: dict) -> None:
    """Until the database accepts connections and answers a query."""
    end = time.monotonic() + 60
    while True:
        try:
            probe = psycopg2.connect(connect_timeout=2, **params)
        except psycopg2.OperationalError:
            assert time.monotonic() < end, "PostgreSQL did not come back"
            time.sleep(0.1)
            continue
        try:
            with probe.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        finally:
            probe.close()


def database_row(params: dict, sql: str, args=()) -> tuple:
    with psycopg2.connect(**params) as probe, probe.cursor() as cursor:
        cursor.execute(sql, args)
        row = cursor.fetchone()
    probe.close()
    return row


class DatabaseRestart:
    """Takes the database away once, from inside the worker's task, right
    after the `call`-th call of `owner.name` has returned: what is committed
    by then stays, a transaction still open is lost, and the task's next
    query finds its connection gone."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch = monkeypatch
        self.method = restart_method()
        self.params = database_params()
        self.cluster = local_cluster() if self.method == "restart" else None
        self.happened = threading.Event()
        self.error: BaseException | None = None
        self.seen: tuple | None = None

    def after(
        self, owner, name: str, *, call: int = 1, look: tuple | None = None
    ) -> None:
        """`look`: (sql, params) run on a new connection once the database
        is back, before the task goes on; its row is kept in `seen`."""
        original = getattr(owner, name)
        calls = itertools.count(1)

        def hooked(*args, **kwargs):
            result = original(*args, **kwargs)
            if next(calls) == call:
                try:
                    database_restart(self.method, self.params, self.cluster)
                    if look:
                        self.seen = database_row(self.params, *look)
                except BaseException as exc:
                    self.error = exc
                    raise
                finally:
                    self.happened.set()
            return result

        self.monkeypatch.setattr(owner, name, hooked)

    def confirm(self) -> None:
        """In the test's thread: the database went away and is back. This
        thread's connection went with it; the next query opens a new one."""
        assert self.happened.wait(WAIT), "the hook never ran"
        assert self.error is None, f"{self.method} failed: {self.error!r}"
        print(f"PostgreSQL went away by {self.method}")  # shown with -rP
        connection.close()


@pytest.fixture
def restart(transactional_db, monkeypatch):
    hook = DatabaseRestart(monkeypatch)
    yield hook
    # Before transactional_db empties the tables through this connection,
    # even when the test failed half-way.
    database_wait(hook.params)
    connection.close()


# --- The worker -----------------------------------------------------------------


@pytest.fixture(scope="module")
def worker():
    """A worker thread for this module on a queue of its own (as
    tests/test_outbox_reliability.py's), after checking the services."""
    need(
        connection.vendor == "postgresql",
        f"the test database is {connection.vendor}: restarting it needs "
        "PostgreSQL (set DATABASE_URL=postgres://…)",
    )
    url = redis_url()
    need(port_open(url, 6379), f"no Redis answers at {url} (set CELERY_BROKER_URL)")
    with worker_on_own_queue(url, "db-restart-tests") as finished:
        yield finished


@pytest.fixture
def finished(worker, transactional_db):
    """The worker idle with an empty queue before and after each test; no
    task of the test failed for good."""
    drain(worker)
    worker.forget()
    yield worker
    drain(worker)
    assert [d for d in worker.done if d[2].startswith("FAILURE")] == []


def runs(finished: Finished, task) -> list[str]:
    """How each run of `task` ended ("RETRY", "SUCCESS: 150"), once one
    ended otherwise than in a retry."""
    ended = finished.wait(
        lambda: any(
            name == task.name and not state.startswith("RETRY")
            for _id, name, state in finished.done
        )
    )
    outcomes = [state for _id, name, state in finished.done if name == task.name]
    assert ended, outcomes
    return [o if o.startswith("SUCCESS") else o.partition(":")[0] for o in outcomes]


def assert_retried_for_the_connection(finished: Finished, task) -> None:
    """One run of `task`, retried for the lost connection: one task id."""
    retries = [
        (task_id, state)
        for task_id, name, state in finished.done
        if name == task.name and state.startswith("RETRY")
    ]
    assert len(retries) == 1, retries
    assert "OperationalError" in retries[0][1] or "InterfaceError" in retries[0][1]
    ids = {task_id for task_id, name, _state in finished.done if name == task.name}
    assert ids == {retries[0][0]}


def restart_test(test):
    """Needs PostgreSQL and Redis; the worker sees what the test commits."""
    return pytest.mark.services(pytest.mark.django_db(transaction=True)(test))


# --- The world ------------------------------------------------------------------


@pytest.fixture
def reminders(world) -> set[str]:
    """250 reminders due (D2 in five days, the seven-day occasion): the two
    district officers of reminder_situation and 124 more members each."""
    recipients = reminder_situation(world)
    for organisation in (world.district_a, world.district_b):
        users = User.objects.bulk_create(
            UserFactory.build(
                username=f"{organisation.code}-{n}",
                email=f"{organisation.code}-{n}@example.vn",
            )
            for n in range(MORE_MEMBERS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=organisation) for user in users
        )
        recipients |= {user.email for user in users}
    return recipients


# --- a. Reminder planning -------------------------------------------------------


@restart_test
def test_a_restart_after_planning_wrote_its_reminders_retries_and_writes_none_twice(
    reminders, restart, finished
):
    # Right after the reminders' INSERT commits, before the tick counts them.
    restart.after(OutboundMessage.objects, "bulk_create")
    plan_reminders.delay()
    assert runs(finished, plan_reminders) == ["RETRY", "SUCCESS: 0"]
    restart.confirm()
    assert_retried_for_the_connection(finished, plan_reminders)
    # The retry planned again and found every reminder written.
    assert OutboundMessage.objects.count() == len(reminders)
    assert OutboundMessage.objects.filter(
        status=MessageStatus.PENDING, attempts=0
    ).count() == len(reminders)
    # Neither run nudged delivery (the first lost its connection before it
    # could); the beat's next delivery tick sends them, each once.
    deliver_due_messages.delay()
    deliver_due_messages.delay()
    drain(finished)
    assert_each_reminder_sent_once(reminders)


# --- b. Delivery ------------------------------------------------------------------


@restart_test
def test_a_restart_after_the_first_delivery_batch_retries_and_sends_each_reminder_once(
    reminders, restart, finished
):
    # Right after the first batch of 100 is sent and recorded.
    restart.after(contacts.tasks, "outbox_deliver")
    plan_reminders.delay()  # beat's tick; it nudges delivery after its commit
    assert runs(finished, plan_reminders) == [f"SUCCESS: {len(reminders)}"]
    assert runs(finished, deliver_due_messages) == [
        "RETRY",
        f"SUCCESS: {len(reminders) - 100}",
    ]
    restart.confirm()
    assert_retried_for_the_connection(finished, deliver_due_messages)
    assert_each_reminder_sent_once(reminders)
    # Later ticks find nothing to send.
    deliver_due_messages.delay()
    drain(finished)
    assert_each_reminder_sent_once(reminders)


# --- c. Incident escalation ---------------------------------------------------------


@dataclass
class Overdue:
    to_step_1: list[int]  # incident ids
    to_step_2: list[int]
    editors: list[int]  # user ids: told at step 1 (nobody is on duty)
    head: int  # told at step 2


@pytest.fixture
def overdue(world) -> Overdue:
    """40 incidents whose acknowledgement limit has passed (step 1: the
    Department's editors, nobody being on duty) and 40 told to the officer
    on duty an hour ago whose second limit has passed (step 2: the head)."""
    world.staff.email = "staff@example.vn"
    world.staff.save()
    head = MembershipFactory(
        organisation=world.department, is_head=True, user__email="giamdoc@example.vn"
    ).user
    now = timezone.now()
    model = report(world, severity="major", now=now - 2 * HOUR)
    steps = [0] * INCIDENTS_PER_STEP + [1] * INCIDENTS_PER_STEP
    copies = Incident.objects.bulk_create(
        Incident(
            election=model.election,
            organisation=model.organisation,
            reported_by=model.reported_by,
            category=model.category,
            severity=model.severity,
            title=f"{model.title} {n}",
            started_at=model.started_at,
            detected_at=model.detected_at,
            escalation_step=step,
            ack_due_at=now - (HOUR if step else 5 * MINUTE),
            leadership_due_at=now + (-5 * MINUTE if step else HOUR),
        )
        for n, step in enumerate(steps)
    )
    model.delete()
    IncidentUpdate.objects.bulk_create(
        IncidentUpdate(incident=i, kind=UpdateKind.ESCALATION, step=1, text="x")
        for i in copies
        if i.escalation_step == 1
    )
    return Overdue(
        to_step_1=[i.pk for i in copies if i.escalation_step == 0],
        to_step_2=[i.pk for i in copies if i.escalation_step == 1],
        editors=[world.staff.pk, head.pk],
        head=head.pk,
    )


def escalation_steps(incident: Incident) -> tuple[int, ...]:
    steps = incident.updates.filter(kind=UpdateKind.ESCALATION)
    return tuple(sorted(steps.values_list("step", flat=True)))


# Where the database goes away: right after step 1 commits (escalation
# step, timeline, messages), before step 2 starts; or inside step 1's
# transaction, after ten incidents' messages were written in it. Then what
# is committed: (the Department's alert messages, escalation timeline
# entries, incidents at step 0).
AT_ESCALATION = {
    "between-the-steps": (
        (incidents.services.escalation, "_escalate_step", 1),
        (2 * INCIDENTS_PER_STEP, 2 * INCIDENTS_PER_STEP, 0),
    ),
    "inside-step-1": (
        (incidents.services.escalation, "incident_notices_enqueue", 10),
        (0, INCIDENTS_PER_STEP, INCIDENTS_PER_STEP),
    ),
}
# Our models' table names in the SQL (hence noqa: S608).
COMMITTED = (
    f"SELECT (SELECT count(*) FROM {OutboundMessage._meta.db_table}"  # noqa: S608
    "  WHERE dedupe_key LIKE %s),"
    f" (SELECT count(*) FROM {IncidentUpdate._meta.db_table} WHERE kind = %s),"
    f" (SELECT count(*) FROM {Incident._meta.db_table} WHERE escalation_step = 0)",
    ["%:escalation-%", UpdateKind.ESCALATION.value],
)


@restart_test
@pytest.mark.parametrize("where", AT_ESCALATION)
def test_a_restart_during_escalation_retries_and_applies_each_step_once(
    where, overdue, restart, finished
):
    (owner, name, call), committed = AT_ESCALATION[where]
    restart.after(owner, name, call=call, look=COMMITTED)
    escalate_incidents.delay()
    # The retry writes what the first run did not commit: step 2's messages
    # (step 1 committed), or both steps' (step 1 rolled back whole).
    written = {"between-the-steps": 1, "inside-step-1": 3}[where] * INCIDENTS_PER_STEP
    assert runs(finished, escalate_incidents) == ["RETRY", f"SUCCESS: {written}"]
    restart.confirm()
    assert restart.seen == committed  # all of step 1, or none of it
    assert_retried_for_the_connection(finished, escalate_incidents)
    drain(finished)  # the nudges of both steps

    # Each step applied once: every incident one step further, with one
    # timeline entry per step reached, and nothing half-written.
    for ids, step in ((overdue.to_step_1, 1), (overdue.to_step_2, 2)):
        moved = Incident.objects.filter(pk__in=ids)
        assert set(moved.values_list("escalation_step", flat=True)) == {step}
        assert {escalation_steps(i) for i in moved} == {tuple(range(1, step + 1))}
    assert Incident.objects.exclude(status=IncidentStatus.REPORTED).count() == 0

    # Each message written once and e-mailed once: step 1 to the two
    # editors (staff and the head), step 2 to the head.
    expected = {
        f"incident:{pk}:escalation-1:{user}"
        for pk in overdue.to_step_1
        for user in overdue.editors
    } | {f"incident:{pk}:escalation-2:{overdue.head}" for pk in overdue.to_step_2}
    # The Department's alerts; the notices of the same steps to the reporter
    # and the area (contacts.services.notices) are written once by their
    # dedupe keys, and tested in tests/incidents/test_notices.py.
    messages = OutboundMessage.objects.filter(dedupe_key__regex=r":escalation-\d")
    keys = list(messages.values_list("dedupe_key", flat=True))
    assert len(keys) == 3 * INCIDENTS_PER_STEP
    assert set(keys) == expected
    assert messages.filter(status=MessageStatus.SENT, attempts=1).count() == len(keys)
    alerts = sorted(
        e.extra_headers["Message-ID"]
        for e in mail.outbox
        if ".escalation-" in e.extra_headers["Message-ID"]
    )
    assert alerts == sorted(f"<{k.replace(':', '.')}@localhost>" for k in keys)


# --- d. The retry policy itself (no services needed) ---------------------------------


def test_every_task_retries_a_lost_database_connection_within_the_visibility_timeout():
    ours = [
        task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"contacts", "incidents", "readiness"}
    ]
    assert {t.name for t in ours} >= {
        plan_reminders.name,
        deliver_due_messages.name,
        escalate_incidents.name,
    }
    # kombu's Redis default when the settings give none.
    visibility = app.conf.broker_transport_options.get("visibility_timeout", 3600)
    for task in ours:
        assert isinstance(task, DatabaseTask), task.name
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
        assert 0 < task.max_retries <= 10
        # Every countdown (retry_backoff * 2**n, capped) is far below it.
        assert task.retry_backoff_max < visibility / 10


@pytest.mark.django_db(transaction=True)
def test_a_task_that_loses_its_connection_closes_it_before_each_retry(monkeypatch):
    """Eagerly (inline, where no worker closes connections between runs):
    each failed run drops the broken connection, then the task retries; after
    the last retry it fails."""
    closes = []
    close = connection.close

    def counted_close():
        closes.append(1)
        close()

    monkeypatch.setattr(connection, "close", counted_close)
    monkeypatch.setattr(connection, "is_usable", lambda: False)

    def lost():
        connection.ensure_connection()
        connection.errors_occurred = True  # as Django marks a failed query
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("readiness.tasks.reminders_enqueue_due", lost)
    result = plan_reminders.apply()
    assert result.state == "FAILURE"
    assert isinstance(result.result, OperationalError)
    assert plan_reminders.max_retries is not None
    assert len(closes) == 1 + plan_reminders.max_retries
