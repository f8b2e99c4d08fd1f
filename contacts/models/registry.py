"""The registry: people, administrative units, organisations and elections.

This is the lowest app: it must not import `incidents` or `readiness`
(tests/test_layering.py).
"""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def in_language(vietnamese: str, english: str) -> str:
    """The English text on English pages when there is one, else Vietnamese."""
    if english and (get_language() or "vi").startswith("en"):
        return english
    return vietnamese


class User(AbstractUser):
    """A person who signs in. Belongs to at most one organisation (Membership)."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The language of the e-mails and SMS the person receives.
    language = models.CharField(
        _("language of messages"),
        max_length=5,
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        default="vi",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    # Filled by contacts.permissions.membership_of, once per request.
    _membership_cache: "Membership | None"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class ChangeAttribution:
    """Who makes a history-tracked model's next save() and why: a service
    sets them just before saving, and simple_history copies them onto the
    historical row it writes. Only declared here, for the type checker."""

    _history_user: User | None
    _change_reason: str


class UnitLevel(models.TextChoices):
    PROVINCE = "province", pgettext_lazy("unit level", "province")
    DISTRICT = "district", pgettext_lazy("unit level", "district")
    COMMUNE = "commune", pgettext_lazy("unit level", "commune")


# The edition of the administrative structure that the rows loaded before
# editions existed belong to (contacts.seed reads the 2021 registry).
FIRST_EDITION = "2021"


class AdministrativeUnit(models.Model):
    """A unit of the GSO registry. The tree (province → district → commune)
    also fits the two-tier structure after 2025: a commune's parent is then a
    province.

    Each structure is an `edition` ("2021", "2025"): a reform loads a new
    edition beside the old one, so an old election keeps the units it was run
    on, and GSO may reuse a code in the new edition. An election uses the
    edition of its province (contacts.selectors.units).
    """

    edition = models.CharField(
        _("edition"),
        max_length=10,
        default=FIRST_EDITION,
        db_index=True,
        help_text=_("Which administrative structure, e.g. 2021 or 2025."),
    )
    code = models.CharField(_("GSO code"), max_length=10, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    division_type = models.CharField(
        _("division type"),
        max_length=50,
        help_text=_("As written in Vietnamese, e.g. huyện, phường."),
    )
    level = models.CharField(
        _("level"), max_length=10, choices=UnitLevel.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    phone_area_code = models.CharField(_("phone area code"), max_length=5, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "code"], name="unit_unique_code_per_edition"
            ),
            models.CheckConstraint(
                name="unit_province_has_no_parent",
                condition=Q(level="province", parent__isnull=True)
                | ~Q(level="province"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    OBSERVER = "observer", _("Observer")
    DISTRICT = "district", _("District")
    POSTAL = "postal", _("Postal firm")
    TELECOM = "telecom", _("Telecom/ISP firm")


CARRIER_KINDS = (OrganisationKind.POSTAL, OrganisationKind.TELECOM)


class Organisation(ChangeAttribution, models.Model):
    """A body that uses the app: the Department, an observer, a district
    People's Committee or a carrier."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=OrganisationKind.choices, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("administrative unit"),
        help_text=_(
            "A district's own unit; the province for the Department and observers."
        ),
    )
    served_units = models.ManyToManyField(
        AdministrativeUnit,
        blank=True,
        related_name="serving_carriers",
        verbose_name=_("districts served"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[served_units])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_district_has_unit",
                condition=~Q(kind="district") | Q(unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def is_carrier(self) -> bool:
        return self.kind in CARRIER_KINDS


class MembershipRole(models.TextChoices):
    EDITOR = "editor", _("editor")
    VIEWER = "viewer", _("read-only")


class MemberRole(models.TextChoices):
    """The three roles people are given: the head is an editor who also
    manages the organisation's members (Membership.is_head)."""

    HEAD = "head", _("head (also manages members)")
    EDITOR = "editor", _("editor (files and submits)")
    VIEWER = "viewer", _("reader (reads only)")


class Membership(models.Model):
    """Ties a user to the one organisation they act for."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=MembershipRole.choices,
        default=MembershipRole.EDITOR,
    )
    is_head = models.BooleanField(
        _("head of organisation"),
        default=False,
        help_text=_(
            "Heads manage the organisation's members and receive escalated reminders."
        ),
    )
    # Deactivated (contacts.services.members): the account no longer signs in
    # and the person's records stay with their name.
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deactivated by"),
    )

    history = HistoricalRecords()

    # Filled by contacts.permissions._serves: the districts a carrier serves.
    _served_unit_ids: set[int]

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_head_is_editor",
                condition=Q(is_head=False) | Q(role="editor"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def can_write(self) -> bool:
        return self.role == MembershipRole.EDITOR

    @property
    def manages_members(self) -> bool:
        """Adds, deactivates and changes the role of the organisation's own
        members, and invites new ones (contacts.permissions)."""
        return self.is_head and self.can_write

    @property
    def member_role(self) -> str:
        if self.is_head:
            return MemberRole.HEAD
        return MemberRole(self.role)

    def get_member_role_display(self) -> str:
        return str(MemberRole(self.member_role).label)


class ElectionPhase(models.TextChoices):
    UPCOMING = "upcoming", _("not yet started")
    BEFORE = "before", _("before polling day")
    DURING = "during", _("polling day")
    AFTER = "after", _("after polling day")
    ENDED = "ended", _("ended")


class Election(ChangeAttribution, models.Model):
    """One election in one province, with its before / during / after periods.

    "Before" runs from `before_starts_on` to the eve of polling day, "during"
    is polling day, "after" runs until `after_ends_on` (results announced).
    """

    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    province = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="elections",
        limit_choices_to={"level": UnitLevel.PROVINCE},
        verbose_name=_("province"),
    )
    polling_day = models.DateField(_("polling day"))
    before_starts_on = models.DateField(_("before-period starts on"))
    after_ends_on = models.DateField(_("after-period ends on"))
    # The election this one was set up from (readiness.services.cycles).
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    # On polling day a situation report is made every so many hours
    # (readiness.services.situation_reports).
    situation_report_every_hours = models.PositiveSmallIntegerField(
        _("situation report every (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    # Close-out: from then on the election's data is read-only
    # (contacts.services.closure) and its archive is made.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # When the contacts' personal data was anonymised, after close-out and
    # the retention period (PERSONAL_DATA_RETENTION_DAYS).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-polling_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "polling_day"], name="election_unique_per_day"
            ),
            models.CheckConstraint(
                name="election_periods_in_order",
                condition=Q(before_starts_on__lt=models.F("polling_day"))
                & Q(after_ends_on__gt=models.F("polling_day")),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_over_on(self, day: datetime.date) -> bool:
        """Closed, or past its results period: what is still undone then is
        history, not an alarm (readiness.selectors.obligations)."""
        return self.is_closed or day > self.after_ends_on

    def phase_on(self, day: datetime.date) -> str:
        if day < self.before_starts_on:
            return ElectionPhase.UPCOMING
        if day < self.polling_day:
            return ElectionPhase.BEFORE
        if day == self.polling_day:
            return ElectionPhase.DURING
        if day <= self.after_ends_on:
            return ElectionPhase.AFTER
        return ElectionPhase.ENDED


class ElectionMilestone(models.Model):
    """A date of the legal calendar, e.g. "Election Teams set up" at E−50."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="milestones"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    days_from_polling = models.IntegerField(_("days from polling day"))
    date = models.DateField(_("date"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election milestone")
        verbose_name_plural = _("election milestones")
        ordering = ["election", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "code"], name="milestone_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.date:%d/%m/%Y})"

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Heartbeat(models.Model):
    """When a background process last proved it runs. Written by
    contacts.tasks.record_heartbeat, read by /healthz."""

    name = models.CharField(max_length=50, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
