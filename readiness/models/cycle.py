"""Polling-day situation reports and the archive made at close-out."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import Election, User


class SituationReport(models.Model):
    """What was going on at `as_of`, made from live data every N hours of
    polling day (Election.situation_report_every_hours). `figures` is the
    snapshot; the PDF and spreadsheet are rendered from it, so a report
    downloaded later says what it said when it was sent."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="situation_reports"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    as_of = models.DateTimeField(_("as of"))
    made_at = models.DateTimeField(_("made at"))
    # Staff may also make one on demand; null for the scheduled ones.
    made_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    figures = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["election", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "as_of"], name="situation_report_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["election", "number"], name="situation_report_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.as_of:%Y-%m-%d %H:%M}"


def archive_path(instance: "CycleArchive", filename: str) -> str:
    return f"archives/election-{instance.election_id}/{filename}"


class CycleArchive(models.Model):
    """The archive of a closed election: a zip of spreadsheets, plan
    versions, incidents with their timelines, the final report as PDF and
    a manifest of SHA-256 hashes (readiness.services.archive)."""

    election = models.OneToOneField(
        Election, on_delete=models.PROTECT, related_name="archive"
    )
    file = models.FileField(upload_to=archive_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")

    def __str__(self) -> str:
        return f"{self.election} ({self.sha256[:12]})"
