"""How messages leave the system. Each backend has one `send(message)`
that returns on success and raises DeliveryError otherwise (the shape of
healthchecks' transports). The SMS backend is chosen by the SMS_BACKEND
setting (a dotted path), so a real gateway is configuration."""

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """`permanent` errors are not retried (a refused address); others are."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def backend_for(channel: str):
    if channel == "email":
        from contacts.channels.email import send

        return send
    return import_string(settings.SMS_BACKEND)
