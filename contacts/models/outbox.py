"""The outbox: every message the system sends, written before it is sent.

Delivery is at-least-once. A message is claimed by a conditional UPDATE
(pending → sending) so two workers never send it together; a worker that
dies mid-send leaves it `sending`, and the sweeper puts it back after a
lease, so it is sent again. The `dedupe_key` names what the message is
about, for whom and on which occasion: inserting the same key twice is a
no-op (running a planning tick twice sends nothing twice), and the key goes
out as the e-mail's Message-ID (colons made dots) so that a rare resend
is recognisable.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models.registry import Organisation, User


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    # Zalo Notification Service template messages (contacts.channels.zalo).
    ZALO = "zalo", _("Zalo")
    # Written already delivered: the row is the notice in the inbox
    # (contacts.services.notices).
    APP = "app", _("in the application")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("no longer needed")
    # An e-mail kept for its recipient's daily digest, then sent in it
    # (contacts.services.notice_digest); the delivery worker never takes it.
    HELD = "held", _("held for the daily digest")
    BUNDLED = "bundled", _("sent in the daily digest")


class OutboundMessage(models.Model):
    dedupe_key = models.CharField(max_length=200, unique=True)
    # What produced it: "reminder", "digest", "escalation", … Escalations
    # ignore quiet hours (contacts.services.outbox).
    kind = models.CharField(_("kind"), max_length=30, db_index=True)
    # Empty for a message to someone without an account: a roll-call to
    # the contacts of the election bodies (incidents.services.roll_calls).
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("organisation"),
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(max_length=5, default="vi")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    body_html = models.TextField(blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # What the message is about, for the check made just before sending
    # (contacts.services.outbox.relevance_check): e.g. "obligation:12" with
    # the deadline it was planned against.
    topic = models.CharField(max_length=100, blank=True)
    topic_due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # False for the e-mail and SMS copies of a notice whose in-app row is
    # already in the inbox: one entry per notice there
    # (contacts.selectors.inbox).
    in_inbox = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        indexes = [
            # Used by contacts.tasks.deliver_due_messages: pending rows due now.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
            # Used by the sweeper: rows whose sender may have died.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending",
            ),
            models.Index(fields=["recipient", "read_at"], name="outbox_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address}: {self.subject}"
