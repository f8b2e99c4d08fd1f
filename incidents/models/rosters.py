"""Duty rosters: who is on duty for an organisation, when, and how to
reach them (T2's evidence, and where escalations go in the Department)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import Election, Organisation, User


class Shift(models.Model):
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="shifts"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("organisation"),
    )
    person_name = models.CharField(_("person on duty"), max_length=150)
    role = models.CharField(_("duty"), max_length=150, blank=True)
    # E.164, normalised by incidents.services.rosters.
    phone = models.CharField(_("phone"), max_length=20)
    # False for a landline or a number that is not a mobile: flagged on the
    # roster, and the organisation is reminded the day before.
    phone_is_mobile = models.BooleanField(default=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The member on duty, where the person has an account: the Department's
    # escalations go to them (incidents.services.escalation).
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("member"),
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="shift_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            )
        ]
        indexes = [
            # Used by the roster page and gap detection of one organisation.
            models.Index(
                fields=["organisation", "election", "starts_at"], name="shift_roster"
            ),
            # Used by "on duty now": shifts running at a moment.
            models.Index(fields=["election", "starts_at", "ends_at"], name="shift_at"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.starts_at:%Y-%m-%d %H:%M}"
