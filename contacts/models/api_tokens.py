"""API tokens: how an organisation's own systems (a carrier's operations
centre) act for it through /api/v1/ (contacts.api.authentication)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models.registry import Organisation, User


class ApiToken(models.Model):
    """One named token of one organisation. Only a SHA-256 of the secret is
    kept: the secret is shown once, when the token is made. The token acts
    through a user of its own (`user`, no password, no membership row), so
    the audit trail names the token behind each change and the permission
    code of the web pages applies unchanged."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, shown in lists to tell tokens apart and
    # used to find the row before the hash is compared.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="api_token"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Who made and who revoked each token, and when (the audit trail).
    history = HistoricalRecords(excluded_fields=["secret_hash", "last_used_at"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
