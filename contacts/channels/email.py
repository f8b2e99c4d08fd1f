import contextlib
import re
import smtplib

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from contacts.channels import DeliveryError


def message_id_local_part(message) -> str:
    """The dedupe key as a Message-ID may carry it (RFC 5322 dot-atom: no
    colons), e.g. reminder.2.3.3.202611291000.before-1."""
    return re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", ".", message.dedupe_key)


class EmailSender:
    """Sends through Django's e-mail backend (SMTP in production, files in
    `make run`) over one connection, reopened after an error. The dedupe key
    becomes the Message-ID
    (message_id_local_part)."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None

    def send(self, message) -> None:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": f"<{message_id_local_part(message)}@{domain}>"},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            email.connection = self.connection
            email.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, BadHeaderError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self.connection is not None:
            # Already gone: nothing more to send on it.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None
