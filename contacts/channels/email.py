import smtplib

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives

from contacts.channels import DeliveryError


def send(message) -> None:
    """Send through Django's e-mail backend (SMTP in production, files in
    `make run`). The dedupe key becomes the Message-ID."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={"Message-ID": f"<{message.dedupe_key}@{domain}>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, BadHeaderError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
