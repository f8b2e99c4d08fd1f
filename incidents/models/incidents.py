"""Incidents and difficulty reports, their timeline, and the time limits to
acknowledge them.

An incident moves reported → acknowledged → resolved → closed, and may be
reopened. Until the Department acknowledges it, it escalates: when
`ack_due_at` passes, to the Department's on-duty officer (step 1); when
`leadership_due_at` passes, to the Department's leadership (step 2). Both
times are frozen from the severity's policy when the incident is reported,
so editing the policy later does not move incidents already open.
A difficulty report (the ALL obligation) is an incident of its own
category that the Department answers in writing.
"""

import datetime
import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import (
    AdministrativeUnit,
    ChangeAttribution,
    Election,
    Organisation,
    User,
)


class Category(models.TextChoices):
    NETWORK_OUTAGE = "network_outage", _("network outage")
    FIBRE_CUT = "fibre_cut", _("fibre cut")
    POWER_OUTAGE = "power_outage", _("power outage")
    CONGESTION = "congestion", _("congestion")
    POSTAL_DELIVERY = "postal_delivery", _("postal delivery problem")
    SECURITY = "security", _("security problem")
    MISUSE = "misuse", _("misuse of the network for reactionary or illegal content")
    CYBER_ATTACK = "cyber_attack", _("cyber attack")
    DIFFICULTY = "difficulty", _("difficulty or obstacle")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    # In order of urgency: used to sort the live board (incidents.selectors).
    CRITICAL = "critical", _("critical")
    MAJOR = "major", _("major")
    MINOR = "minor", _("minor")


SEVERITY_RANK: dict[str, int] = {
    Severity.CRITICAL: 0,
    Severity.MAJOR: 1,
    Severity.MINOR: 2,
}


class Service(models.TextChoices):
    MOBILE_VOICE = "mobile_voice", _("mobile voice")
    MOBILE_DATA = "mobile_data", _("mobile data")
    FIXED_BROADBAND = "fixed_broadband", _("fixed broadband")
    LANDLINE = "landline", _("landline")
    POSTAL = "postal", _("postal")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (IncidentStatus.REPORTED, IncidentStatus.ACKNOWLEDGED)

_S = IncidentStatus
# The life cycle: (from, to) → the move's name. Any other move is refused
# (incidents.services.incidents); who may make each, incidents.permissions.
TRANSITIONS: dict[tuple[str, str], str] = {
    (_S.REPORTED, _S.ACKNOWLEDGED): "acknowledge",
    (_S.ACKNOWLEDGED, _S.RESOLVED): "resolve",
    (_S.RESOLVED, _S.CLOSED): "close",
    (_S.RESOLVED, _S.ACKNOWLEDGED): "reopen",
    (_S.CLOSED, _S.ACKNOWLEDGED): "reopen",
}


class SeverityPolicy(ChangeAttribution, models.Model):
    """How long the Department has to acknowledge an incident of a severity
    before it escalates, and how much longer before leadership is told.
    Staff edit these; incidents.services.incident_report reads them."""

    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, unique=True
    )
    acknowledge_within = models.DurationField(_("time to acknowledge"))
    leadership_after = models.DurationField(
        _("then to leadership after"),
        help_text=_("Counted from the first escalation."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acknowledgement time limit")
        verbose_name_plural = _("acknowledgement time limits")
        constraints = [
            models.CheckConstraint(
                name="severity_policy_positive",
                condition=Q(acknowledge_within__gt=datetime.timedelta(0))
                & Q(leadership_after__gt=datetime.timedelta(0)),
            )
        ]

    def __str__(self) -> str:
        return self.get_severity_display()

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]


class Incident(models.Model):
    election = models.ForeignKey(
        Election,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("election"),
    )
    # The organisation whose incident it is: the reporter's own, or the one
    # staff reported on behalf of.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("organisation"),
    )
    reported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        AdministrativeUnit,
        related_name="incidents",
        verbose_name=_("affected areas"),
    )
    # The district-level units of `units` (a commune's parent), kept by
    # incidents.services so that scoping by district is one join
    # (incidents.permissions.incidents_visible_to).
    districts = models.ManyToManyField(AdministrativeUnit, related_name="+", blank=True)
    # Where known: which Election Teams or polling areas lost service.
    affected_bodies = models.CharField(
        _("election bodies or polling areas affected"), max_length=300, blank=True
    )
    services = models.JSONField(_("services affected"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"))
    detected_at = models.DateTimeField(_("detected at"))
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=IncidentStatus.choices,
        default=IncidentStatus.REPORTED,
    )
    ack_due_at = models.DateTimeField(_("to acknowledge by"), null=True, blank=True)
    leadership_due_at = models.DateTimeField(null=True, blank=True)
    # 0: none yet; 1: the on-duty officer was told; 2: leadership too.
    escalation_step = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Difficulty reports: the Department's written answer.
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A key the reporting system chose, so that a retried API request does
    # not report the same incident twice.
    client_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    # Filled by incidents.permissions._affects_watched: the affected districts.
    _district_ids: set[int]

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_key"],
                condition=~Q(client_key=""),
                name="incident_client_key_unique",
            ),
            models.CheckConstraint(
                name="incident_detected_after_start",
                condition=Q(detected_at__gte=models.F("started_at")),
            ),
        ]
        indexes = [
            # Used by incidents.services.escalation: unacknowledged, due.
            models.Index(
                fields=["ack_due_at"],
                condition=Q(status="reported"),
                name="incident_awaiting_ack",
            ),
            # The live board: open incidents of an election, newest first.
            models.Index(
                fields=["election", "status", "-created_at"],
                name="incident_board",
            ),
            # Staff's home page: difficulties awaiting an answer, oldest first.
            models.Index(
                fields=["election", "created_at"],
                condition=Q(category="difficulty", answered_at__isnull=True),
                name="difficulty_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_difficulty(self) -> bool:
        return self.category == Category.DIFFICULTY


class UpdateKind(models.TextChoices):
    COMMENT = "comment", _("update")
    STATUS = "status", _("status change")
    ESCALATION = "escalation", _("escalation")
    ANSWER = "answer", _("answer")


def update_attachment_path(instance: "IncidentUpdate", filename: str) -> str:
    # A generated name: the uploader's name is kept in original_name only.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"incidents/{instance.incident_id}/{uuid.uuid4().hex}{suffix}"


class IncidentUpdate(models.Model):
    """One entry in an incident's timeline: who said what, when."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(max_length=15, choices=UpdateKind.choices)
    # Empty for what the system wrote (escalations).
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    # Escalations: 1 to the officer on duty, 2 to leadership.
    step = models.PositiveSmallIntegerField(default=0)
    status_from = models.CharField(
        max_length=15, choices=IncidentStatus.choices, blank=True
    )
    status_to = models.CharField(
        max_length=15, choices=IncidentStatus.choices, blank=True
    )
    file = models.FileField(upload_to=update_attachment_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
