"""Carriers' scheduled status reports ("báo cáo nhanh"): the Department
sets reporting moments per period, and at each one every postal and
telecom firm files a short structured report (incidents.services.status_reports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import Election, Organisation, User


class ReportingPeriod(models.TextChoices):
    # Daily at the time in the before and after periods; once on polling day.
    BEFORE = "before", _("every day before polling day")
    DURING = "during", _("on polling day")
    AFTER = "after", _("every day after polling day")


class ReportingMoment(models.Model):
    """A time of day at which carriers report, in one period. The concrete
    moments (date and time) follow from the election's calendar."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="reporting_moments"
    )
    period = models.CharField(
        _("period"), max_length=10, choices=ReportingPeriod.choices
    )
    time_of_day = models.TimeField(_("time"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting moment")
        verbose_name_plural = _("reporting moments")
        ordering = ["election", "period", "time_of_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "period", "time_of_day"],
                name="reporting_moment_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.time_of_day:%H:%M}"


class OverallStatus(models.TextChoices):
    NORMAL = "normal", _("normal")
    DEGRADED = "degraded", _("degraded")
    DISRUPTED = "disrupted", _("disrupted")


class StatusReport(models.Model):
    """One carrier's report for one reporting moment (`due_at`)."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="status_reports"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("organisation"),
    )
    due_at = models.DateTimeField(_("reporting moment"))
    overall_status = models.CharField(
        _("overall status"), max_length=10, choices=OverallStatus.choices
    )
    # Base stations (telecom) or post offices (postal) out of service now.
    sites_out = models.PositiveIntegerField(_("sites out of service"), default=0)
    # Postal firms only: election mail since the previous report.
    mail_accepted = models.PositiveIntegerField(
        _("election mail accepted"), null=True, blank=True
    )
    mail_delivered = models.PositiveIntegerField(
        _("election mail delivered"), null=True, blank=True
    )
    mail_delayed = models.PositiveIntegerField(
        _("election mail delayed"), null=True, blank=True
    )
    open_incidents = models.PositiveIntegerField(_("open incidents"), default=0)
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-due_at", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "election", "due_at"],
                name="status_report_once_per_moment",
            ),
        ]
        indexes = [
            models.Index(fields=["election", "due_at"], name="status_report_moment")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.due_at:%Y-%m-%d %H:%M}"
