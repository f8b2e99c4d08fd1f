"""Election-body contact lists (obligation D2): drafts, versions, bodies
and contacts."""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from contacts.models.registry import (
    AdministrativeUnit,
    Election,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)


class BodyKind(models.TextChoices):
    COMMITTEE = "committee", _("Election Committee")
    BOARD = "board", _("Election Board")
    TEAM = "team", _("Election Team")


class ContactPosition(models.TextChoices):
    CHAIR = "chair", _("chair")
    VICE_CHAIR = "vice_chair", _("vice-chair")
    SECRETARY = "secretary", _("secretary")
    MEMBER = "member", _("member")
    ON_DUTY = "on_duty", _("on-duty officer")


class SubmissionState(models.TextChoices):
    """Where an organisation's submission stands; readiness reuses it for
    the compliance status of every obligation."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")


def list_state(
    *,
    latest_status: str | None,
    latest_submitted_at: datetime.datetime | None,
    draft_changed_at: datetime.datetime | None,
) -> str:
    """A contact list's SubmissionState from its latest version (None when
    never submitted) and when its draft last changed: ContactList.state,
    and the compliance matrix reading plain rows (no model instances for a
    country's 700 lists)."""
    if latest_status is None:
        return (
            SubmissionState.DRAFT if draft_changed_at else SubmissionState.NOT_STARTED
        )
    if latest_status in (VersionStatus.SUBMITTED, VersionStatus.SUPERSEDED):
        return SubmissionState.SUBMITTED
    if latest_status == VersionStatus.RETURNED:
        # Once the district edits after a return, it is drafting again (as
        # readiness counts a returned plan section).
        if (
            draft_changed_at is not None
            and latest_submitted_at is not None
            and draft_changed_at > latest_submitted_at
        ):
            return SubmissionState.DRAFT
        return SubmissionState.RETURNED
    return SubmissionState.ACCEPTED


class ContactList(models.Model):
    """A district's list of its election bodies for one election (D2).

    The district edits a draft (bodies and contacts whose `version` is
    empty). Submitting freezes a copy as a ContactListVersion; the version
    the Department accepted last stays in force for everyone else while a
    new draft is edited.
    """

    election = models.ForeignKey(
        Election,
        on_delete=models.PROTECT,
        related_name="contact_lists",
        verbose_name=_("election"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contact_lists",
        limit_choices_to={"kind": OrganisationKind.DISTRICT},
        verbose_name=_("district"),
    )
    accepted_version = models.ForeignKey(
        "ContactListVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version in force"),
    )
    latest_version = models.ForeignKey(
        "ContactListVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest version"),
    )
    draft_changed_at = models.DateTimeField(
        _("draft last changed"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact list")
        verbose_name_plural = _("contact lists")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "organisation"],
                name="contact_list_one_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.election}"

    @property
    def state(self) -> str:
        """The review state of the latest submission (needs latest_version
        loaded with select_related to stay query-free)."""
        latest = self.latest_version
        return list_state(
            latest_status=latest.status if latest else None,
            latest_submitted_at=latest.submitted_at if latest else None,
            draft_changed_at=self.draft_changed_at,
        )

    @property
    def has_unsubmitted_changes(self) -> bool:
        latest = self.latest_version
        if self.draft_changed_at is None:
            return False
        return latest is None or self.draft_changed_at > latest.submitted_at


class VersionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    ACCEPTED = "accepted", _("accepted")
    SUPERSEDED = "superseded", _("superseded by a later submission")


class ContactListVersion(models.Model):
    """A frozen copy of a contact list, as submitted, and its review."""

    contact_list = models.ForeignKey(
        ContactList, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    # Set when staff accept a list that does not cover every commune.
    incomplete_coverage_reason = models.TextField(
        _("reason for accepting incomplete coverage"), blank=True
    )
    communes_covered = models.PositiveIntegerField(_("communes covered"), default=0)
    communes_total = models.PositiveIntegerField(
        _("communes in the district"), default=0
    )
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
        verbose_name = _("contact list version")
        verbose_name_plural = _("contact list versions")
        ordering = ["contact_list", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_list", "number"], name="contact_list_version_unique"
            ),
        ]
        indexes = [
            # Used by the review queue: submitted versions, oldest first.
            models.Index(
                fields=["status", "submitted_at"], name="version_review_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_list.organisation} v{self.number}"


class ElectionBody(models.Model):
    """An Election Committee, Board or Team, in a draft or a frozen version.

    `uid` stays the same across versions so that two versions can be
    compared (contacts.selectors.contact_list_diff).
    """

    contact_list = models.ForeignKey(
        ContactList, on_delete=models.CASCADE, related_name="bodies"
    )
    version = models.ForeignKey(
        ContactListVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bodies",
        help_text=_("Empty for the draft."),
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=BodyKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="election_bodies",
        verbose_name=_("administrative unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    polling_areas = models.CharField(
        _("polling areas"),
        max_length=300,
        blank=True,
        help_text=_("For an Election Team: the polling area(s) it runs."),
    )
    location = models.CharField(_("working location"), max_length=300, blank=True)

    history = HistoricalRecords()

    # Set by contacts.api.directory for its serializer: the version in force
    # the body belongs to, and its commune (None for a district's own body).
    in_force: "ContactListVersion"
    commune: "AdministrativeUnit | None"

    class Meta:
        verbose_name = _("election body")
        verbose_name_plural = _("election bodies")
        ordering = ["unit__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_list", "kind", "unit", "name"],
                condition=Q(version__isnull=True),
                name="body_unique_in_draft",
            ),
            models.UniqueConstraint(
                fields=["version", "uid"],
                condition=Q(version__isnull=False),
                name="body_unique_in_version",
            ),
        ]
        indexes = [
            models.Index(
                fields=["contact_list", "version"], name="body_by_list_version"
            ),
            models.Index(fields=["version", "unit"], name="body_by_version_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    def frozen_for(self, version_id: int) -> "ElectionBody":
        """The copy a submitted version keeps of this draft body (same uid,
        so versions can be compared body by body); its contacts are copied
        by the caller."""
        return ElectionBody(
            contact_list_id=self.contact_list_id,
            version_id=version_id,
            uid=self.uid,
            kind=self.kind,
            level=self.level,
            unit_id=self.unit_id,
            name=self.name,
            polling_areas=self.polling_areas,
            location=self.location,
        )


class Contact(models.Model):
    """A person of an election body and how to reach them."""

    body = models.ForeignKey(
        ElectionBody, on_delete=models.CASCADE, related_name="contacts"
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(
        pgettext_lazy("job title", "position"),
        max_length=12,
        choices=ContactPosition.choices,
    )
    # E.164 numbers separated by spaces (contacts.phones normalises them);
    # a text column keeps search by digits simple on SQLite and PostgreSQL.
    phones = models.CharField(_("phone numbers"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["body", "position", "full_name"]
        indexes = [
            # Coverage counts the communes whose teams have someone with a
            # phone: read from the index alone, a page of 50 districts' drafts
            # needs no scan of a country's 546,000 contacts.
            models.Index(
                fields=["body"], condition=Q(phones__gt=""), name="contact_with_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def phone_list(self) -> list[str]:
        return self.phones.split()


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("awaiting confirmation")
    APPLIED = "applied", _("applied")
    DISCARDED = "discarded", _("discarded")


def import_upload_path(instance: "ContactImport", filename: str) -> str:
    # A generated name: the user's file name is kept only as data.
    return f"contact-imports/{uuid.uuid4().hex}"


def import_plan_path(instance: "ContactImport", filename: str) -> str:
    return f"contact-imports/plans/{uuid.uuid4().hex}.json"


class ContactImport(models.Model):
    """An uploaded spreadsheet between its preview and its confirmation.

    Nothing reaches the list until the officer confirms. The file is parsed
    and checked once, on upload; the plan of changes is kept in `plan_file`
    for the preview and the confirmation, which applies every row in one
    transaction (contacts.services.contact_imports).
    """

    contact_list = models.ForeignKey(
        ContactList, on_delete=models.CASCADE, related_name="imports"
    )
    file = models.FileField(upload_to=import_upload_path)
    # The parsed rows and what confirming would do with each; removed once
    # the import is applied or discarded (contacts.services.kept_plans).
    plan_file = models.FileField(upload_to=import_plan_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # People removed by a whole-list import (with the bodies they were in).
    removed_count = models.PositiveIntegerField(default=0)
    # How the file is read, as the officer chose on the preview: the
    # workbook's sheet ("" for the one found with the best header), and the
    # columns read by a choice rather than by their header ({column letter:
    # column key}); `columns_remembered` when that choice is the district's
    # remembered one (ImportColumns), not made on this import.
    sheet = models.TextField(_("sheet"), blank=True, default="")
    column_map = models.JSONField(_("columns chosen"), default=dict, blank=True)
    columns_remembered = models.BooleanField(default=False)

    # The plan is a working file, not part of the import's record.
    history = HistoricalRecords(excluded_fields=["plan_file"])

    class Meta:
        verbose_name = _("contact list import")
        verbose_name_plural = _("contact list imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ImportColumns(models.Model):
    """Which of a district's own column headers hold what the import reads
    ({header folded by contacts.importers.vocabulary.fold: column key}), as
    its officers chose on an import's preview: read so again in its next
    imports that lack the column and have that header
    (contacts.services.contact_imports)."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="import_columns",
        verbose_name=_("organisation"),
    )
    columns = models.JSONField(_("columns"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("remembered import columns")
        verbose_name_plural = _("remembered import columns")

    def __str__(self) -> str:
        return str(self.organisation)
