"""Changes to districts' contact lists: editing the draft, importing,
submitting, and the Department's review. Each public function is one
transaction."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import (
    Contact,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    Organisation,
    User,
    VersionStatus,
)
from contacts.selectors.contact_lists import (
    BODY_COMPARED,
    CONTACT_COMPARED,
    coverage_of,
)
from contacts.selectors.units import district_unit
from contacts.services.closure import election_ensure_open

# The import lives in its own module; these names stay importable from here
# (contacts.views.contact_lists, demo.contacts, the tests).
from contacts.services.contact_imports import (
    BODY_FIELDS,
    CONTACT_FIELDS,
    Change,
    DistrictUnits,
    FileLayout,
    ImportMode,
    ImportPlan,
    Removal,
    RowAction,
    RowPlan,
    already_done_message,
    body_level_error,
    columns_asked,
    columns_changed_message,
    contact_import_apply,
    contact_import_choose,
    contact_import_discard,
    contact_import_plan,
    contact_import_preview,
    contact_import_upload,
    contact_list_import,
    draft_changed_message,
    draft_touch,
    import_choice,
    import_layout,
    import_plan,
    team_needs_commune_message,
    unit_in_other_district_message,
    unit_not_in_district_message,
)
from contacts.services.notices import contact_list_notices_enqueue
from contacts.services.submission import unchanged_submission

__all__ = [
    "BODY_FIELDS",
    "CONTACT_FIELDS",
    "Change",
    "DistrictUnits",
    "FileLayout",
    "ImportMode",
    "ImportPlan",
    "Removal",
    "RowAction",
    "RowPlan",
    "already_done_message",
    "body_level_error",
    "body_delete",
    "body_save",
    "contact_import_apply",
    "contact_import_choose",
    "contact_import_discard",
    "contact_import_plan",
    "contact_import_preview",
    "contact_import_upload",
    "contact_list_accept",
    "contact_list_get_or_create",
    "contact_list_import",
    "draft_changed_message",
    "columns_asked",
    "columns_changed_message",
    "contact_list_return",
    "contact_list_submit",
    "import_choice",
    "import_layout",
    "import_plan",
    "team_needs_commune_message",
    "unit_in_other_district_message",
    "unit_not_in_district_message",
]


def contact_list_get_or_create(
    *, election: Election, organisation: Organisation
) -> ContactList:
    contact_list, _created = ContactList.objects.get_or_create(
        election=election, organisation=organisation
    )
    return contact_list


# --- Editing the draft by hand -------------------------------------------------


@transaction.atomic
def body_save(
    *,
    contact_list: ContactList,
    body: ElectionBody,
    contacts: list[Contact],
    removed_contacts: list[Contact],
    now: datetime.datetime | None = None,
) -> ElectionBody:
    """Save a draft body with its new or changed contacts, and remove the
    removed ones; the body must keep at least one contact.

    The forms have checked each field; this checks what spans objects: the
    unit must be the district or one of its communes, and a team belongs to
    a commune.
    """
    election_ensure_open(contact_list.election_id)
    now = now or timezone.now()
    district = district_unit(contact_list.organisation)
    unit = body.unit
    if unit.pk != district.pk and unit.parent_id != district.pk:
        raise ValidationError(
            {"unit": unit_not_in_district_message(unit.name, district)}
        )
    if error := body_level_error(body.kind, unit):
        raise ValidationError({"unit": error})
    body.contact_list, body.version = contact_list, None
    body.level = unit.level
    body.full_clean(exclude=["uid"], validate_unique=False)
    _check_unique_in_draft(body)
    body.save()
    for contact in removed_contacts:
        if contact.pk and contact.body_id == body.pk:
            contact.delete()
    for contact in contacts:
        contact.body = body
        contact.full_clean(exclude=["body", "uid"])
        contact.save()
    if not body.contacts.exists():
        raise ValidationError(_("Add at least one contact person."))
    draft_touch(contact_list, now)
    return body


def _check_unique_in_draft(body: ElectionBody) -> None:
    clash = ElectionBody.objects.filter(
        contact_list=body.contact_list,
        version=None,
        kind=body.kind,
        unit=body.unit,
        name__iexact=body.name,
    ).exclude(pk=body.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _(
                    "This list already has a body of this kind with this name "
                    "in this unit."
                )
            }
        )


@transaction.atomic
def body_delete(*, body: ElectionBody, now: datetime.datetime | None = None) -> None:
    election_ensure_open(body.contact_list.election_id)
    if body.version_id is not None:
        raise ValidationError(_("A submitted version cannot be changed."))
    contact_list = body.contact_list
    body.delete()
    draft_touch(contact_list, now or timezone.now())


# --- Submission and review -----------------------------------------------------


@transaction.atomic
def contact_list_submit(
    *, contact_list: ContactList, by: User, now: datetime.datetime | None = None
) -> ContactListVersion:
    """Freeze the draft as a new version awaiting review.

    1. Lock the list row so two submissions cannot take the same number;
       one that waited for the lock reads what the first one made.
    2. A draft that is the latest version as it was is refused
       (contacts.services.submission): a second press of the button, or a
       returned list sent back unchanged, makes no version to review.
    3. A version still awaiting review is superseded by this one.
    4. Copy the draft's bodies and contacts (same uids) into the version.
    5. Record the coverage at the time of submission.
    """
    election_ensure_open(contact_list.election_id)
    now = now or timezone.now()
    contact_list = ContactList.objects.select_for_update().get(pk=contact_list.pk)
    draft = list(
        ElectionBody.objects.filter(
            contact_list=contact_list, version=None
        ).prefetch_related("contacts")
    )
    if not draft:
        raise ValidationError(
            _("The list is empty: add the election bodies before submitting.")
        )
    last = contact_list.versions.order_by("-number").first()
    if last is not None and _content(draft) == _content(
        ElectionBody.objects.filter(version=last).prefetch_related("contacts")
    ):
        raise unchanged_submission(
            number=last.number, returned=last.status == VersionStatus.RETURNED
        )
    contact_list.versions.filter(status=VersionStatus.SUBMITTED).update(
        status=VersionStatus.SUPERSEDED
    )
    coverage = coverage_of(contact_list=contact_list, version=None)
    version = ContactListVersion.objects.create(
        contact_list=contact_list,
        number=(last.number + 1) if last else 1,
        status=VersionStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=by,
        communes_covered=coverage.covered,
        communes_total=coverage.total,
    )
    _freeze(draft, version)
    contact_list.latest_version = version
    contact_list.save(update_fields=["latest_version"])
    contact_list_notices_enqueue(version=version, event="submitted", by=by, now=now)
    return version


def _content(bodies: Iterable[ElectionBody]) -> dict:
    """What the Department reviews of a list, body by body: the fields the
    changes page compares (contacts.selectors.contact_list_diff), so a
    submission is refused exactly when that page would show no change."""
    return {
        body.uid: (
            [getattr(body, f) for f in BODY_COMPARED],
            {
                c.uid: [getattr(c, f) for f in CONTACT_COMPARED]
                for c in body.contacts.all()
            },
        )
        for body in bodies
    }


def _freeze(draft: list[ElectionBody], version: ContactListVersion) -> None:
    copies = [body.frozen_for(version.pk) for body in draft]
    # Frozen copies are not edits: the version row itself is the audit record.
    ElectionBody.objects.bulk_create(copies, batch_size=1000)
    contacts = [
        Contact(
            body=copy,
            uid=c.uid,
            full_name=c.full_name,
            position=c.position,
            phones=c.phones,
            email=c.email,
            note=c.note,
        )
        for body, copy in zip(draft, copies, strict=True)
        for c in body.contacts.all()
    ]
    Contact.objects.bulk_create(contacts, batch_size=1000)


def _claim_for_review(version: ContactListVersion) -> ContactListVersion:
    version = ContactListVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.SUBMITTED:
        raise ValidationError(_("This version is no longer awaiting review."))
    if version.claimed_by_id is not None:
        # Deciding ends whoever's claim on it (readiness.services.review_claims).
        version.claimed_by, version.claimed_at = None, None
        ContactListVersion.objects.filter(pk=version.pk).update(
            claimed_by=None, claimed_at=None
        )
    return version


@transaction.atomic
def contact_list_accept(
    *,
    version: ContactListVersion,
    by: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ContactListVersion:
    """Accept a submitted version; it becomes the list in force. A list that
    does not cover every commune needs a recorded reason."""
    election_ensure_open(version.contact_list.election_id)
    version = _claim_for_review(version)
    reason = reason.strip()
    if version.communes_covered < version.communes_total and not reason:
        raise ValidationError(
            _(
                "Only %(covered)s of %(total)s communes have an Election Team with "
                "a phone number. Give the reason for accepting it anyway, or "
                "return the list."
            )
            % {"covered": version.communes_covered, "total": version.communes_total}
        )
    version.status = VersionStatus.ACCEPTED
    version.reviewed_by, version.reviewed_at = by, now or timezone.now()
    version.incomplete_coverage_reason = reason
    version.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "incomplete_coverage_reason",
        ]
    )
    ContactList.objects.filter(pk=version.contact_list_id).update(
        accepted_version=version
    )
    contact_list_notices_enqueue(
        version=version, event="accepted", by=by, now=version.reviewed_at
    )
    return version


@transaction.atomic
def contact_list_return(
    *,
    version: ContactListVersion,
    by: User,
    comment: str,
    now: datetime.datetime | None = None,
) -> ContactListVersion:
    """Send a submitted version back to the district with a comment."""
    election_ensure_open(version.contact_list.election_id)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the district must fix.")})
    version = _claim_for_review(version)
    version.status = VersionStatus.RETURNED
    version.reviewed_by, version.reviewed_at = by, now or timezone.now()
    version.review_comment = comment.strip()
    version.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"]
    )
    contact_list_notices_enqueue(
        version=version, event="returned", by=by, now=version.reviewed_at
    )
    return version
