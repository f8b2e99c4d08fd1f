"""The log of who read election officials' phone numbers (personal data).

Every page, export and API read that shows the phones of the accepted
contact lists writes one PhoneAccess row (contacts.services.access_log);
the Department reads them at /personal-data/access-log/
(contacts.views.access_log). The log is itself the record: it has no
HistoricalRecords (tests/test_audit_trail.py, NOT_AUDITED) and its rows
are never changed.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.registry import Organisation, User


class PhoneAccessKind(models.TextChoices):
    """Where the phone numbers were shown. Must stay in sync with the calls
    of contacts.services.access_log.phone_access_record."""

    DIRECTORY_SEARCH = "directory_search", _("directory search")
    EXPORT_CSV = "export_csv", _("directory export (.csv)")
    EXPORT_XLSX = "export_xlsx", _("directory export (.xlsx)")
    PRINT_SHEET = "print_sheet", _("print sheet")
    CONTACT_LIST = "contact_list", _("contact list page")
    CONTACT_LIST_CHANGES = "contact_list_changes", _("contact list changes")
    API_DIRECTORY = "api_directory", _("API directory read")
    ROLL_CALL = "roll_call", _("reachability check page")
    ROLL_CALL_EXPORT = "roll_call_export", _("reachability check export (.xlsx)")
    ARCHIVE = "archive", _("close-out archive download")


class PhoneAccess(models.Model):
    """One request that showed phone numbers: who, for which organisation,
    when, where, and the districts whose lists it showed. The districts are
    a many-to-many so that a request costs one INSERT here and one bulk
    INSERT of its districts, whatever their number."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    # The user's organisation at the time (a user may move later).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=30, choices=PhoneAccessKind.choices)
    districts = models.ManyToManyField(
        Organisation, related_name="+", blank=True, verbose_name=_("districts")
    )
    # Given before an export (contacts.forms_access_log.ExportPurposeForm).
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access to phone numbers")
        verbose_name_plural = _("accesses to phone numbers")
        ordering = ["-at", "-pk"]
        indexes = [
            # Used by contacts.selectors.access_log.phone_accesses (newest
            # first, by user).
            models.Index(fields=["-at", "-id"], name="phoneaccess_at_idx"),
            models.Index(fields=["user", "-at"], name="phoneaccess_user_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
