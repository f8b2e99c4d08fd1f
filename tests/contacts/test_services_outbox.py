"""The outbox without a worker (docs/architecture.md, "The outbox"): one
row per key, the nudge after commit, claim before sending, retries as due
times, failure, the sweep of lost sends, and the check made just before
sending.

The real broker and worker are in tests/test_outbox_reliability.py."""

import datetime
import logging
import smtplib
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.db.models import F
from django.test import override_settings

from config.celery_app import app
from contacts.models import Channel, MessageStatus, OutboundMessage
from contacts.services import contact_lists
from contacts.services.outbox import (
    BACKOFF_SECONDS,
    outbox_deliver,
    outbox_deliver_one,
    outbox_enqueue,
    outbox_requeue,
    outbox_sweep,
)
from readiness.services.reminders import reminders_enqueue_due
from tests import mail_backends
from tests.contacts.conftest import make_row
from tests.factories import VN, UserFactory
from tests.mail_backends import FlakyEmailBackend
from tests.test_celery_worker import reset_producer_pool

NOW = datetime.datetime(2021, 4, 1, 18, tzinfo=VN)
SECOND = datetime.timedelta(seconds=1)
FLAKY = "tests.mail_backends.FlakyEmailBackend"

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="officer", email="officer@example.vn")


@pytest.fixture(autouse=True)
def clean_backends():
    FlakyEmailBackend.fail_next(0)
    mail_backends.sms_outbox.clear()
    yield
    FlakyEmailBackend.fail_next(0)
    mail_backends.sms_outbox.clear()


def message(recipient, key: str = "digest:1", **fields) -> OutboundMessage:
    values = {
        "dedupe_key": key,
        "kind": "digest",
        "recipient": recipient,
        "channel": Channel.EMAIL,
        "address": recipient.email,
        "subject": "Tình hình chuẩn bị",
        "body": "Nội dung",
        "next_attempt_at": NOW,
    }
    return OutboundMessage(**(values | fields))


def enqueued(recipient, key: str = "digest:1", **fields) -> OutboundMessage:
    outbox_enqueue(messages=[message(recipient, key, **fields)])
    return OutboundMessage.objects.get(dedupe_key=key)


def deliver(m: OutboundMessage, now: datetime.datetime = NOW) -> str:
    return outbox_deliver_one(message_id=m.pk, now=now)


def fresh(m: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=m.pk)


def claim(m: OutboundMessage, at: datetime.datetime) -> int:
    """What another worker's claim does (contacts.services.outbox)."""
    return OutboundMessage.objects.filter(
        pk=m.pk, status=MessageStatus.PENDING, next_attempt_at__lte=at
    ).update(status=MessageStatus.SENDING, claimed_at=at, attempts=F("attempts") + 1)


# --- Writing -----------------------------------------------------------------


def test_enqueueing_the_same_key_twice_keeps_one_row(user):
    assert outbox_enqueue(messages=[message(user)]) == 1
    assert outbox_enqueue(messages=[message(user, subject="Lần hai")]) == 0
    assert OutboundMessage.objects.get().subject == "Tình hình chuẩn bị"


class FakeTask:
    def __init__(self):
        self.calls = 0

    def delay(self):
        self.calls += 1


def test_delivery_is_nudged_only_after_the_commit(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    task = FakeTask()
    monkeypatch.setattr("contacts.tasks.deliver_due_messages", task)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox_enqueue(messages=[message(user)])
        outbox_enqueue(messages=[message(user)])  # nothing new: no second nudge
        assert task.calls == 0  # the transaction has not committed yet
    assert len(callbacks) == 1
    assert task.calls == 1


@pytest.fixture
def broker_down(monkeypatch):
    """The app publishes to a port where nothing listens. Celery reads the
    CELERY_BROKER_URL variable before app.conf.broker_url."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    reset_producer_pool()
    yield
    monkeypatch.undo()
    reset_producer_pool()


@pytest.mark.usefixtures("broker_down")
def test_a_broker_that_is_down_does_not_break_the_commit(
    user, caplog, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="contacts.services.outbox"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        outbox_enqueue(messages=[message(user)])
    assert len(callbacks) == 1
    assert time.monotonic() - started < 5
    assert "Broker unreachable" in caplog.text
    assert OutboundMessage.objects.get().status == MessageStatus.PENDING


# --- Claiming and sending ------------------------------------------------------


def test_a_message_is_sent_once_with_its_key_as_message_id(user):
    m = enqueued(user)
    assert deliver(m) == MessageStatus.SENT
    assert deliver(m) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer@example.vn"]
    assert mail.outbox[0].extra_headers["Message-ID"] == "<digest.1@localhost>"
    m = fresh(m)
    assert (m.status, m.attempts, m.claimed_at) == (MessageStatus.SENT, 1, NOW)
    assert m.sent_at is not None


@override_settings(EMAIL_BACKEND="tests.mail_backends.SessionCountingEmailBackend")
def test_a_batch_goes_over_one_connection_and_a_dropped_one_delays_one_message(
    user,
):
    batch = [enqueued(user, key=f"digest:{i}") for i in range(5)]
    mail_backends.SessionCountingEmailBackend.opened = 0
    FlakyEmailBackend.fail_next(0)
    outcome = outbox_deliver(message_ids=[m.pk for m in batch[:3]], now=NOW)
    assert list(outcome.values()) == [MessageStatus.SENT] * 3
    assert mail_backends.SessionCountingEmailBackend.opened == 1

    FlakyEmailBackend.fail_next(1)  # the server drops the session once
    outcome = outbox_deliver(message_ids=[m.pk for m in batch[3:]], now=NOW)
    assert list(outcome.values()) == [MessageStatus.PENDING, MessageStatus.SENT]
    assert mail_backends.SessionCountingEmailBackend.opened == 3  # reopened
    assert len(mail.outbox) == 4
    assert "SMTPServerDisconnected" in fresh(batch[3]).last_error


def test_a_message_another_worker_has_claimed_is_not_sent_again(user):
    m = enqueued(user)
    assert claim(m, NOW) == 1  # worker A
    assert claim(m, NOW) == 0  # worker B's claim finds nothing pending
    assert deliver(m) == "skipped"  # worker B
    assert mail.outbox == []
    assert (fresh(m).status, fresh(m).attempts) == (MessageStatus.SENDING, 1)


def test_a_message_not_yet_due_is_skipped(user):
    m = enqueued(user, next_attempt_at=NOW + datetime.timedelta(hours=1))
    assert deliver(m, NOW) == "skipped"
    assert (fresh(m).status, fresh(m).attempts) == (MessageStatus.PENDING, 0)
    assert mail.outbox == []
    assert deliver(m, NOW + datetime.timedelta(hours=1)) == MessageStatus.SENT


# --- Failing and retrying ------------------------------------------------------


@override_settings(EMAIL_BACKEND=FLAKY)
def test_a_transient_failure_is_retried_a_minute_later_and_sent_once(user):
    FlakyEmailBackend.fail_next(1)
    m = enqueued(user)
    assert deliver(m, NOW) == MessageStatus.PENDING
    m = fresh(m)
    assert m.next_attempt_at == NOW + 60 * SECOND
    assert m.attempts == 1
    assert "SMTPServerDisconnected" in m.last_error
    assert mail.outbox == []
    assert deliver(m, NOW + 59 * SECOND) == "skipped"
    assert deliver(m, NOW + 60 * SECOND) == MessageStatus.SENT
    assert len(mail.outbox) == 1
    m = fresh(m)
    assert (m.attempts, m.last_error) == (2, "")


@override_settings(EMAIL_BACKEND=FLAKY)
def test_after_the_last_attempt_it_fails_and_a_requeue_sends_it_once(user):
    tries = settings.OUTBOX_MAX_ATTEMPTS
    FlakyEmailBackend.fail_next(tries)
    m = enqueued(user)
    when, waits = NOW, []
    for attempt in range(1, tries + 1):
        expected = MessageStatus.FAILED if attempt == tries else MessageStatus.PENDING
        assert deliver(m, when) == expected
        m = fresh(m)
        if attempt < tries:
            waits.append((m.next_attempt_at - when).total_seconds())
            when = m.next_attempt_at
    assert waits == [
        BACKOFF_SECONDS[min(n, len(BACKOFF_SECONDS)) - 1] for n in range(1, tries)
    ]
    assert (m.status, m.attempts) == (MessageStatus.FAILED, tries)
    assert "SMTPServerDisconnected" in m.last_error
    later = when + datetime.timedelta(days=1)
    assert deliver(m, later) == "skipped"
    assert mail.outbox == []

    assert outbox_requeue(message=m, now=later) is True
    assert outbox_requeue(message=m, now=later) is False  # only failed ones
    m = fresh(m)
    assert (m.status, m.attempts, m.next_attempt_at) == (
        MessageStatus.PENDING,
        0,
        later,
    )
    assert deliver(m, later) == MessageStatus.SENT
    assert deliver(m, later) == "skipped"
    assert len(mail.outbox) == 1
    assert FlakyEmailBackend.attempts == tries + 1


@override_settings(EMAIL_BACKEND="tests.mail_backends.RefusingEmailBackend")
def test_a_refused_recipient_fails_at_once(user):
    m = enqueued(user)
    assert deliver(m) == MessageStatus.FAILED
    m = fresh(m)
    assert m.attempts == 1
    assert "SMTPRecipientsRefused" in m.last_error
    assert deliver(m, NOW + datetime.timedelta(days=1)) == "skipped"


# --- Recovering lost sends -------------------------------------------------------


def test_a_send_lost_with_its_worker_is_swept_back_and_sent_once(user):
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    m = enqueued(user, next_attempt_at=NOW - lease - SECOND)
    claim(m, NOW - lease - SECOND)  # the worker died after claiming
    assert outbox_sweep(now=NOW) == 1
    m = fresh(m)
    assert (m.status, m.next_attempt_at) == (MessageStatus.PENDING, NOW)
    assert outbox_sweep(now=NOW) == 0
    assert deliver(m, NOW) == MessageStatus.SENT
    assert deliver(m, NOW) == "skipped"
    assert len(mail.outbox) == 1
    assert fresh(m).attempts == 2


def test_a_send_still_within_its_lease_is_left_alone(user):
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    m = enqueued(user, next_attempt_at=NOW - lease)
    claim(m, NOW - lease + SECOND)
    assert outbox_sweep(now=NOW) == 0
    assert fresh(m).status == MessageStatus.SENDING
    assert deliver(m, NOW) == "skipped"
    assert mail.outbox == []


# --- Relevance just before sending ------------------------------------------------


def test_a_reminder_for_an_obligation_met_since_planning_is_cancelled(
    world, list_a, communes_a, import_rows
):
    for officer in (world.district_a_officer, world.district_b_officer):
        officer.email = f"{officer.username}@example.vn"
        officer.save()
    assert reminders_enqueue_due(now=NOW) == 2  # D2, seven days before
    # District A's contact list is accepted before the reminders go out.
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    version = contact_lists.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    contact_lists.contact_list_accept(version=version, by=world.staff)

    later = NOW + datetime.timedelta(hours=1)
    to_a = OutboundMessage.objects.get(
        recipient=world.district_a_officer, kind="reminder"
    )
    to_b = OutboundMessage.objects.get(
        recipient=world.district_b_officer, kind="reminder"
    )
    assert deliver(to_a, later) == MessageStatus.CANCELLED
    assert deliver(to_b, later) == MessageStatus.SENT
    assert "obligation met" in fresh(to_a).last_error
    assert fresh(to_a).sent_at is None
    assert [e.to for e in mail.outbox] == [["district-b@example.vn"]]


# --- SMS ----------------------------------------------------------------------------


@override_settings(SMS_BACKEND="tests.mail_backends.collect_sms")
def test_an_sms_goes_through_the_configured_sms_backend(user):
    m = enqueued(user, "digest:1:sms", channel=Channel.SMS, address="+84912345678")
    assert deliver(m) == MessageStatus.SENT
    assert [(s.pk, s.address) for s in mail_backends.sms_outbox] == [
        (m.pk, "+84912345678")
    ]
    assert mail.outbox == []


@override_settings(SMS_BACKEND="tests.mail_backends.failing_sms")
def test_an_sms_gateway_that_is_down_is_retried(user):
    m = enqueued(user, "digest:1:sms", channel=Channel.SMS, address="+84912345678")
    assert deliver(m) == MessageStatus.PENDING
    m = fresh(m)
    assert m.next_attempt_at == NOW + 60 * SECOND
    assert m.last_error == "SMS gateway timed out"


# --- Errors that are not DeliveryError, and a worker that lost its lease ----


@override_settings(SMS_BACKEND="tests.mail_backends.crashing_sms")
def test_an_unexpected_backend_error_is_recorded_as_a_failed_attempt(user):
    m = enqueued(user, "digest:1:sms", channel=Channel.SMS, address="+84912345678")
    assert deliver(m) == MessageStatus.PENDING
    assert "read timed out" in fresh(m).last_error


def test_an_e_mail_that_can_never_be_built_fails_instead_of_staying_sending(user):
    m = enqueued(user, subject="Nhắc việc\nBcc: someone@example.com")
    assert deliver(m) == MessageStatus.FAILED


class TakenOverDuringTheSend(LocmemEmailBackend):
    """Worker A's send outlives its lease; meanwhile the sweep runs and worker
    B claims the message; then A's send fails."""

    at: datetime.datetime

    def send_messages(self, messages):
        outbox_sweep(now=self.at)
        for message in messages:
            claim(OutboundMessage.objects.get(address=message.to[0]), self.at)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@override_settings(EMAIL_BACKEND=f"{__name__}.TakenOverDuringTheSend")
def test_a_worker_whose_lease_expired_does_not_overwrite_the_new_claim(
    user, monkeypatch
):
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    taken_over_at = NOW + lease + SECOND
    monkeypatch.setattr(TakenOverDuringTheSend, "at", taken_over_at, raising=False)
    m = enqueued(user)
    deliver(m, NOW)  # worker A
    m = fresh(m)
    # Worker B holds the message: A's outcome must not put it back to pending.
    assert (m.status, m.claimed_at) == (MessageStatus.SENDING, taken_over_at)
