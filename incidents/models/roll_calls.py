"""Reachability checks ("roll-calls"): before polling day the Department
asks every contact with a mobile number, or everyone on duty, to confirm
they can be reached (incidents.services.roll_calls)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import AdministrativeUnit, Contact, Election, Organisation, User
from incidents.models.rosters import Shift


class RollCallAudience(models.TextChoices):
    CONTACTS = "contacts", _("every contact with a mobile number")
    ON_DUTY = "on_duty", _("everyone in the duty rosters")


class RollCall(models.Model):
    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="roll_calls"
    )
    audience = models.CharField(
        _("who is asked"), max_length=10, choices=RollCallAudience.choices
    )
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Set once a worker has written its entries and their SMS; until then
    # the page says the messages are being prepared.
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True)
    # Those who have not confirmed by then get one reminder.
    remind_at = models.DateTimeField(_("remind at"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reachability check")
        verbose_name_plural = _("reachability checks")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.started_at:%Y-%m-%d %H:%M}"


class RollCallEntry(models.Model):
    """One person asked to confirm, with what they were reached at. The
    name, phone and places are copied so the list stays what was sent."""

    roll_call = models.ForeignKey(
        RollCall, on_delete=models.CASCADE, related_name="entries"
    )
    # Secret in the link and the code of an SMS reply.
    token = models.CharField(max_length=64, unique=True)
    reply_code = models.CharField(_("reply code"), max_length=10)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    district = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # "link" or "reply".
    confirmed_via = models.CharField(_("confirmed by"), max_length=10, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person asked")
        verbose_name_plural = _("people asked")
        ordering = ["roll_call", "district", "organisation", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["roll_call", "reply_code"], name="roll_call_reply_code_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["roll_call", "confirmed_at"], name="roll_call_confirmed"
            ),
            # The unreachable, a page at a time in the order the roll-call's
            # page lists them (incidents.selectors.roll_calls): read in
            # order instead of sorting a country's 300,000 entries.
            models.Index(
                fields=["roll_call", "district", "full_name", "id"],
                condition=models.Q(confirmed_at__isnull=True),
                name="roll_call_unreached_district",
            ),
            models.Index(
                fields=["roll_call", "organisation", "full_name", "id"],
                condition=models.Q(confirmed_at__isnull=True),
                name="roll_call_unreached_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} {self.phone}"
