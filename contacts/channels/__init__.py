"""How messages leave the system. Each backend has one `send(message)`
that returns on success and raises DeliveryError otherwise (the shape of
healthchecks' transports); `Senders` picks the backend for each message.
The SMS backend is chosen by the SMS_BACKEND
setting (a dotted path), so a real gateway is configuration; Zalo goes
through contacts.channels.zalo, configured by the ZALO_* settings."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from contacts.channels.email import EmailSender


class DeliveryError(Exception):
    """`permanent` errors are not retried (a refused address); others are."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Senders:
    """The senders for one batch of deliveries. E-mail keeps one connection
    open across the batch: one SMTP session, not one per message."""

    def __init__(self) -> None:
        self._email: EmailSender | None = None

    def __enter__(self) -> "Senders":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._email is not None:
            self._email.close()

    def send(self, message) -> None:
        if message.channel == "email":
            from contacts.channels.email import EmailSender

            self._email = self._email or EmailSender()
            self._email.send(message)
        elif message.channel == "zalo":
            from contacts.channels.zalo import zns_send

            zns_send(message)
        else:
            import_string(settings.SMS_BACKEND)(message)
