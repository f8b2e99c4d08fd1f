"""Readiness plans (P1, P2, T1, T2, T3) and district reports (D1).

A carrier's plan has one section per obligation of its group; a district's
D1 report is filed the same way, as a plan with one section. The draft is
edited in PlanSection rows; submitting freezes the whole plan as a
PlanVersion (a JSON copy), and the Department reviews each section of it
(SectionReview). The last accepted review of a section is what is in force.
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import AdministrativeUnit, Organisation, User
from readiness.models.directives import Directive, Obligation


class ReadinessPlan(models.Model):
    directive = models.ForeignKey(
        Directive,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("directive"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="readiness_plans",
        verbose_name=_("organisation"),
    )
    latest_version = models.ForeignKey(
        "PlanVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest version"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("readiness plan")
        verbose_name_plural = _("readiness plans")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "organisation"], name="plan_one_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.directive.number}"


class PlanSection(models.Model):
    """The draft of one obligation's part of a plan.

    `revision` grows with every save; a save that starts from an older
    revision is refused (readiness.services.plan_section_save), so two
    people editing at once never overwrite each other silently.
    """

    plan = models.ForeignKey(
        ReadinessPlan, on_delete=models.CASCADE, related_name="sections"
    )
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, related_name="plan_sections"
    )
    measures = models.TextField(_("measures taken"), blank=True)
    responsible_name = models.CharField(
        _("responsible person"), max_length=200, blank=True
    )
    # E.164, normalised by contacts.phones.
    responsible_phone = models.CharField(
        _("phone of the responsible person"), max_length=20, blank=True
    )
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["plan", "obligation__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "obligation"], name="section_one_per_obligation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.organisation} {self.obligation.code}"


class ResourceKind(models.TextChoices):
    STAFF_ON_DUTY = "staff_on_duty", _("staff on duty")
    VEHICLE = "vehicle", _("vehicles")
    GENERATOR = "generator", _("backup generators")
    MOBILE_BTS = "mobile_bts", _("mobile base stations")
    CABLE_KIT = "cable_kit", _("spare cable kits")
    OTHER = "other", _("other")


class PlanResource(models.Model):
    """A structured line of resources: what, how many, where."""

    section = models.ForeignKey(
        PlanSection, on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=ResourceKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    district = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["section", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


def attachment_path(instance: "PlanAttachment", filename: str) -> str:
    # A generated name: what the user called the file is kept only as data.
    # `filename` is readiness.services.plans' "upload.<sniffed extension>".
    return f"plan-attachments/{uuid.uuid4().hex}{PurePath(filename).suffix}"


class PlanAttachment(models.Model):
    """A file of a section. Never deleted once uploaded: a version that
    cites it must stay readable; removing it from the draft sets
    `removed_at`."""

    section = models.ForeignKey(
        PlanSection, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class PlanVersion(models.Model):
    """A submitted plan, frozen: `content` maps each obligation code to the
    section as it was (measures, resources, responsible person,
    attachment ids)."""

    plan = models.ForeignKey(
        ReadinessPlan, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    content = models.JSONField(default=dict)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="plan_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    ACCEPTED = "accepted", _("accepted")
    RETURNED = "returned", _("returned")
    SUPERSEDED = "superseded", _("superseded by a later submission")


class SectionReview(models.Model):
    """The Department's decision on one section of one submitted version."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="reviews"
    )
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # Accepted without a new review: the section is the same as the one in force.
    carried_over = models.BooleanField(default=False)
    # The Department editor reviewing it while it awaits review, so that two
    # do not do the same work (readiness.services.review_claims); cleared
    # when it is accepted or returned.
    claimed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("being reviewed by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    # A claim is who is working on it now, not a change to what was
    # submitted or decided: the audit trail keeps the decisions.
    history = HistoricalRecords(excluded_fields=["claimed_by", "claimed_at"])

    class Meta:
        verbose_name = _("section review")
        verbose_name_plural = _("section reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "obligation"], name="review_one_per_section"
            ),
            models.CheckConstraint(
                name="returned_review_has_comment",
                condition=~Q(status="returned") | ~Q(comment=""),
            ),
        ]
        indexes = [
            # Used by readiness.selectors.review_queue and compliance_matrix.
            models.Index(fields=["status", "obligation"], name="review_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.obligation.code}: {self.status}"


class PlanEventKind(models.TextChoices):
    SAVED = "saved", _("saved")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")
    ATTACHED = "attached", _("file attached")
    DETACHED = "detached", _("file removed")


class PlanEvent(models.Model):
    """The plan's timeline: who did what, when."""

    plan = models.ForeignKey(
        ReadinessPlan, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=PlanEventKind.choices)
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["plan", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.kind}"
