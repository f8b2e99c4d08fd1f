"""Bringing people in: invitations to join an organisation, and the
membership history (who invited, changed, deactivated whom, and when)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models.registry import Organisation, User


class InvitationEnd(models.TextChoices):
    """Why an invitation that was not accepted no longer works."""

    SUPERSEDED = "superseded", _("a newer invitation was sent")
    DEACTIVATED = "deactivated", _("the person was deactivated")


class Invitation(models.Model):
    """One link sent to one person to set their own password and join.

    The person's account (inactive, no password) and membership are made
    when they are invited, so that the organisation's page lists them and
    their role is set before they join. Only a SHA-256 of the link's secret
    is kept. Sending again makes a new invitation and ends the previous one
    (SUPERSEDED), so an old link says a newer one was sent."""

    person = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    # None when the person asked for a new link themselves (expired link).
    invited_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("ended because"), max_length=12, choices=InvitationEnd.choices, blank=True
    )

    history = HistoricalRecords(excluded_fields=["secret_hash"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["person"],
                condition=Q(accepted_at=None, ended_at=None),
                name="invitation_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organisation}"


class MembershipEventKind(models.TextChoices):
    INVITED = "invited", _("invited")
    INVITATION_RESENT = "resent", _("invitation sent again")
    INVITATION_RENEWED = "renewed", _("asked for a new invitation link")
    JOINED = "joined", _("joined")
    ROLE_CHANGED = "role", _("role changed")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("reactivated")
    RESET_REQUESTED = "reset", _("asked to reset the password")
    RESET_REFUSED = "reset-refused", _("password reset refused: too many requests")
    RESET_DONE = "reset-done", _("password reset")


class MembershipEvent(models.Model):
    """One line of the membership history, written by the service that made
    the change, in the same transaction. Never changed or deleted."""

    kind = models.CharField(
        _("what"), max_length=14, choices=MembershipEventKind.choices, db_index=True
    )
    at = models.DateTimeField(_("when"), db_index=True)
    # Null for a password reset asked for an unknown address.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membership_events",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membership_events",
        verbose_name=_("person"),
    )
    # Null when the person acted for themselves, or nobody was signed in.
    by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # e.g. "editor → viewer", or the address typed on the reset page.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership history")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-at"], name="membership_event_org"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.person}"


class SignedInSession(models.Model):
    """A session someone signed in with, so that deactivating them can end
    it (contacts.services.members.member_deactivate) whatever the session
    engine: sessions themselves do not say whose they are."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40)
    signed_in_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "signed_in_at"], name="signed_in")]

    def __str__(self) -> str:
        return f"{self.user} {self.signed_in_at:%Y-%m-%d %H:%M}"
