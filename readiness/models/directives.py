"""Directives, their obligations and deadlines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import (
    ChangeAttribution,
    Election,
    Organisation,
    OrganisationKind,
    in_language,
)
from readiness.nd30 import PartialDate, date_in_words
from readiness.partial_dates import as_date, partial_date_errors, short_text

# Newest letter first; of two letters of one month, the one whose day is
# blank comes after (its day is not known to be later). Used by
# Directive.Meta.ordering and readiness.services.cycles.
ISSUED_NEWEST_FIRST = (
    F("issued_year").desc(),
    F("issued_month").desc(nulls_last=True),
    F("issued_day").desc(nulls_last=True),
)


class Directive(ChangeAttribution, models.Model):
    """An official letter that gives recipient groups obligations."""

    election = models.ForeignKey(
        Election,
        on_delete=models.PROTECT,
        related_name="directives",
        verbose_name=_("election"),
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    number = models.CharField(
        _("number"), max_length=60, help_text=_("As printed, e.g. …/STTTT-QLVT.")
    )
    # The date as the letter writes it: a day (or a day and a month) left
    # blank in the original stays blank (readiness.partial_dates).
    issued_year = models.PositiveSmallIntegerField(_("year of issue"))
    issued_month = models.PositiveSmallIntegerField(
        _("month of issue"),
        null=True,
        blank=True,
        help_text=_("Empty when the letter leaves the month blank."),
    )
    issued_day = models.PositiveSmallIntegerField(
        _("day of issue"),
        null=True,
        blank=True,
        help_text=_("Empty when the letter leaves the day blank (“ngày … tháng 02”)."),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    issuer_en = models.CharField(_("issuer in English"), max_length=300, blank=True)
    subject = models.TextField(_("subject"))
    subject_en = models.TextField(_("subject in English"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    legal_basis_en = models.TextField(_("legal basis in English"), blank=True)
    recipients = models.TextField(
        _("recipients"), help_text=_("As addressed in the letter ('Kính gửi').")
    )
    recipients_en = models.TextField(_("recipients in English"), blank=True)
    copied_to = models.TextField(_("copied for reporting"), blank=True)
    copied_to_en = models.TextField(_("copied for reporting, in English"), blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    original_text = models.TextField(_("original text"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = [*ISSUED_NEWEST_FIRST, "pk"]
        constraints = [
            models.CheckConstraint(
                name="directive_issued_month_in_range",
                condition=Q(issued_month__isnull=True)
                | Q(issued_month__gte=1, issued_month__lte=12),
            ),
            # A day without its month is no date (readiness.partial_dates).
            models.CheckConstraint(
                name="directive_issued_day_with_month",
                condition=Q(issued_day__isnull=True)
                | Q(issued_month__isnull=False, issued_day__gte=1, issued_day__lte=31),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_text})"

    def clean(self) -> None:
        if self.issued_year is None:
            return  # (the field itself says it is required)
        errors = partial_date_errors(
            self.issued_year, self.issued_month, self.issued_day
        )
        if errors:
            raise ValidationError({f"issued_{part}": m for part, m in errors.items()})

    @property
    def issued(self) -> PartialDate:
        """The date as written: "ngày … tháng 02 năm 2021" has no day."""
        return PartialDate(self.issued_year, self.issued_month, self.issued_day)

    @issued.setter
    def issued(self, date: PartialDate) -> None:
        self.issued_year, self.issued_month, self.issued_day = (
            date.year,
            date.month,
            date.day,
        )

    @property
    def issued_text(self) -> str:
        """ "01/02/2021", or "…/02/2021" when the day is blank."""
        return short_text(self.issued)

    @property
    def issued_in_words(self) -> str:
        """ "ngày … tháng 02 năm 2021"."""
        return date_in_words(self.issued)

    @property
    def issued_date(self) -> datetime.date | None:
        """The date when the letter gives every part of it, else None."""
        return as_date(self.issued)

    @property
    def display_subject(self) -> str:
        return in_language(self.subject, self.subject_en)

    @property
    def display_issuer(self) -> str:
        return in_language(self.issuer, self.issuer_en)

    @property
    def display_legal_basis(self) -> str:
        return in_language(self.legal_basis, self.legal_basis_en)

    @property
    def display_recipients(self) -> str:
        return in_language(self.recipients, self.recipients_en)

    @property
    def display_copied_to(self) -> str:
        return in_language(self.copied_to, self.copied_to_en)


# The letter as signed, but its date: what the shipped directive fills in
# (readiness.services.seed, with the date) and what the next election's
# copy keeps (readiness.services.cycles, which moves the date with polling
# day).
DIRECTIVE_LETTER_FIELDS = (
    "number",
    "issuer",
    "issuer_en",
    "subject",
    "subject_en",
    "legal_basis",
    "legal_basis_en",
    "recipients",
    "recipients_en",
    "copied_to",
    "copied_to_en",
    "signed_by",
    "original_text",
)


class RecipientGroup(models.TextChoices):
    DISTRICT = "district", _("District People's Committees")
    POSTAL = "postal", _("Postal firms")
    TELECOM = "telecom", _("Telecom/ISP firms")
    ALL = "all", _("All recipients")


# Which organisation kinds each group addresses. Used by
# readiness.selectors.obligations_for_organisation.
GROUP_KINDS: dict[str, set[str]] = {
    RecipientGroup.DISTRICT: {OrganisationKind.DISTRICT},
    RecipientGroup.POSTAL: {OrganisationKind.POSTAL},
    RecipientGroup.TELECOM: {OrganisationKind.TELECOM},
    RecipientGroup.ALL: {
        OrganisationKind.DISTRICT,
        OrganisationKind.POSTAL,
        OrganisationKind.TELECOM,
    },
}


def groups_for_kind(kind: str) -> list[str]:
    return [group for group, kinds in GROUP_KINDS.items() if kind in kinds]


class EvidenceKind(models.TextChoices):
    """What shows an obligation is met (docs/architecture.md, "How
    obligations become a status")."""

    REPORT = "report", _("report accepted by the Department")
    CONTACT_LIST = "contact_list", _("contact list accepted, every commune covered")
    PLAN_SECTION = "plan_section", _("plan section accepted")
    DUTY_ROSTER = "duty_roster", _("duty roster covering every period")
    CHANNEL = "channel", _("reporting channel (never unmet)")


# Obligations met by a section of a readiness plan or a report, filed
# through readiness.services.plans.
PLAN_EVIDENCE = (
    EvidenceKind.REPORT,
    EvidenceKind.PLAN_SECTION,
    EvidenceKind.DUTY_ROSTER,
)


class Obligation(ChangeAttribution, models.Model):
    directive = models.ForeignKey(
        Directive,
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("directive"),
    )
    code = models.CharField(_("code"), max_length=10)
    recipient_group = models.CharField(
        _("recipient group"), max_length=10, choices=RecipientGroup.choices
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text in English"), blank=True)
    evidence_kind = models.CharField(
        _("evidence kind"), max_length=15, choices=EvidenceKind.choices
    )
    evidence_note = models.TextField(_("evidence"), blank=True)
    evidence_note_en = models.TextField(_("evidence in English"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["directive", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "code"], name="obligation_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.display_title}"

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_en)

    @property
    def display_text(self) -> str:
        return in_language(self.text, self.text_en)

    @property
    def display_evidence(self) -> str:
        return in_language(self.evidence_note, self.evidence_note_en)


class Deadline(ChangeAttribution, models.Model):
    """When an obligation is due. The row without an organisation is the
    default for every recipient; a row with one is that organisation's
    extension."""

    obligation = models.ForeignKey(
        Obligation,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("obligation"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline_extensions",
        verbose_name=_("organisation"),
        help_text=_("Empty for the default deadline; set for an extension."),
    )
    due_at = models.DateTimeField(_("due at"))
    days_before_polling = models.IntegerField(
        _("days before polling day"),
        null=True,
        blank=True,
        help_text=_("How the default was set: E minus this many days."),
    )
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(organisation__isnull=True),
                name="deadline_one_default",
            ),
            models.UniqueConstraint(
                fields=["obligation", "organisation"],
                condition=Q(organisation__isnull=False),
                name="deadline_one_extension_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation.code} {self.due_at:%d/%m/%Y %H:%M}"

    def is_overdue(self, now: datetime.datetime) -> bool:
        return now >= self.due_at


class ReminderRule(ChangeAttribution, models.Model):
    """When reminders go out for a directive's deadlines. Staff edit it;
    readiness.services.reminders reads it on every tick."""

    directive = models.OneToOneField(
        Directive, on_delete=models.CASCADE, related_name="reminder_rule"
    )
    enabled = models.BooleanField(_("send reminders"), default=True)
    offsets_days = models.CharField(
        _("days before the deadline"),
        max_length=50,
        default="7,3,1",
        help_text=_("Whole days, separated by commas, e.g. 7,3,1."),
    )
    overdue_daily = models.BooleanField(_("remind daily while overdue"), default=True)
    # After this, overdue reminders stop: the Department follows up by phone,
    # and an old election's deadlines do not keep mailing everyone.
    overdue_for_days = models.PositiveSmallIntegerField(
        _("stop overdue reminders after this many days"), default=30
    )
    head_after_overdue_days = models.PositiveSmallIntegerField(
        _("also remind the head after this many overdue days"), default=3
    )
    quiet_start = models.TimeField(_("quiet hours start"), default=datetime.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=datetime.time(7, 0))
    digest_hour = models.PositiveSmallIntegerField(
        _("hour of the staff digest"), default=7
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return f"{self.directive}: {self.offsets_days}"

    @property
    def offsets(self) -> list[int]:
        """The offsets, largest first; malformed parts are ignored."""
        days = {int(p) for p in self.offsets_days.split(",") if p.strip().isdigit()}
        return sorted((d for d in days if d > 0), reverse=True)

    def in_quiet_hours(self, local_time: datetime.time) -> bool:
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local_time < self.quiet_end
        return local_time >= self.quiet_start or local_time < self.quiet_end
