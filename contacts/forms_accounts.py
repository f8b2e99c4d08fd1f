"""Forms of one's own account that Django's auth views use: asking for a
password reset link."""

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from contacts.http import client_ip
from contacts.services.password_resets import password_reset_request


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, whose link goes through the outbox (retried, in the
    delivery log, in the person's language) rather than Django's direct
    send_mail, and only when the rate limit allows
    (contacts.services.password_resets). Who gets one is Django's rule
    (get_users): active accounts with a usable password whose e-mail is the
    address typed, in any case; an invited person who has not joined yet
    gets nothing. Used by the password_reset URL (config/urls.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Your e-mail address")

    def save(self, *, request=None, **ignored: Any) -> None:  # type: ignore[override]
        """Django's view passes its template names, domain and token
        generator: the service has its own (templates/notifications/
        password-reset-*, SITE_URL, Django's default token)."""
        address = self.cleaned_data["email"]
        password_reset_request(
            address=address,
            users=self.get_users(address),
            ip_address=client_ip(request) if request is not None else None,
        )
