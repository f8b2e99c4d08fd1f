"""Test-only delivery backends for the outbox tests.

Select the e-mail ones with override_settings(EMAIL_BACKEND="tests.mail_backends.…")
and the SMS one with override_settings(SMS_BACKEND="tests.mail_backends.collect_sms").
Their state is module-level, so a Celery worker running in the test process
(tests/test_celery_worker.py's `redis_worker`) shares it with the test.
"""

import os
import smtplib
import threading
import time

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend

from contacts.channels import DeliveryError


class FlakyEmailBackend(LocmemEmailBackend):
    """The locmem backend (mails land in django.core.mail.outbox), except that
    the next `failures_left` sends raise SMTPServerDisconnected, as an SMTP
    server that drops the connection would."""

    failures_left = 0
    attempts = 0
    _lock = threading.Lock()

    @classmethod
    def fail_next(cls, times: int) -> None:
        with cls._lock:
            cls.failures_left, cls.attempts = times, 0

    def send_messages(self, messages):
        with self._lock:
            type(self).attempts += 1
            if type(self).failures_left > 0:
                type(self).failures_left -= 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class SessionCountingEmailBackend(FlakyEmailBackend):
    """Flaky, and counts the connections opened (an SMTP session each)."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


class RefusingEmailBackend(LocmemEmailBackend):
    """Every recipient is refused (550): a permanent error."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {
                address: (550, b"5.1.1 No such user")
                for message in messages
                for address in message.recipients()
            }
        )


class SlowFileEmailBackend(FileEmailBackend):
    """Writes each e-mail to a file in $TEST_EMAIL_DIR, after sleeping
    $SLOW_EMAIL_SECONDS (default 30) first: a worker killed during the sleep
    has written nothing."""

    def __init__(self, *, file_path=None, **kwargs):
        file_path = file_path or os.environ.get("TEST_EMAIL_DIR")
        super().__init__(file_path=file_path, **kwargs)

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "30")))
        return super().send_messages(email_messages)


# SMS_BACKEND="tests.mail_backends.collect_sms": what a gateway was given.
sms_outbox: list = []


def collect_sms(message) -> None:
    sms_outbox.append(message)


def failing_sms(message) -> None:
    """A gateway that is down: a transient DeliveryError."""
    raise DeliveryError("SMS gateway timed out")


def crashing_sms(message) -> None:
    """A gateway client that fails with something other than DeliveryError
    (as an HTTP client's timeout would)."""
    raise TimeoutError("read timed out")
