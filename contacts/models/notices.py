"""Who wants which notice by which channel (contacts.services.notices).

Every notice reaches the person's inbox in the application; e-mail and SMS
follow, per kind of notice, the person's own choice (NoticePreference),
else the Department's default for that kind (NoticeDefault), else
BUILT_IN_DEFAULTS. The mandatory kinds go out by every channel whatever
anyone chose. A person may also take e-mails as one daily digest
(NoticeProfile.daily_digest).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models.registry import ChangeAttribution, User


class NoticeKind(models.TextChoices):
    SUBMITTED = "submitted", _("Something was submitted for your review")
    RETURNED = "returned", _("Your organisation's submission was returned")
    ACCEPTED = "accepted", _("Your organisation's submission was accepted")
    DEADLINE = "deadline", _("A deadline was moved or extended")
    REMINDER = "reminder", _("A deadline is near")
    OVERDUE = "overdue", _("A deadline has passed")
    INCIDENT = "incident", _("An incident was acknowledged, escalated or closed")
    COMMENT = "comment", _("A comment on your organisation's incident")


# A return asks for a fix and an overdue reminder for work already late:
# the election cannot wait for someone who switched them off.
MANDATORY_KINDS = frozenset({NoticeKind.RETURNED, NoticeKind.OVERDUE})

# (e-mail, SMS) of each kind until the Department sets its own. Reminders
# and incident notices went by both before preferences existed; the rest are
# news one reads at the desk.
BUILT_IN_DEFAULTS: dict[str, tuple[bool, bool]] = {
    NoticeKind.SUBMITTED: (True, False),
    NoticeKind.RETURNED: (True, True),
    NoticeKind.ACCEPTED: (True, False),
    NoticeKind.DEADLINE: (True, False),
    NoticeKind.REMINDER: (True, True),
    NoticeKind.OVERDUE: (True, True),
    NoticeKind.INCIDENT: (True, True),
    NoticeKind.COMMENT: (True, False),
}


class NoticeDefault(ChangeAttribution, models.Model):
    """The Department's default channels for one kind of notice, for
    everyone who has not chosen their own."""

    kind = models.CharField(
        _("kind of notice"), max_length=20, choices=NoticeKind.choices, unique=True
    )
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("default notice channels")
        verbose_name_plural = _("default notice channels")

    def __str__(self) -> str:
        return self.get_kind_display()


class NoticePreference(ChangeAttribution, models.Model):
    """One person's channels for one kind of notice."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="notice_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(
        _("kind of notice"), max_length=20, choices=NoticeKind.choices
    )
    email = models.BooleanField(_("e-mail"))
    sms = models.BooleanField(_("SMS"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notice_preference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class NoticeProfile(ChangeAttribution, models.Model):
    """A person's choices that span every kind: one e-mail a day instead of
    one per notice (contacts.services.notice_digest)."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_profile",
        verbose_name=_("user"),
    )
    daily_digest = models.BooleanField(_("one e-mail a day"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def __str__(self) -> str:
        return str(self.user)
