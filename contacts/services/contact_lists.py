"""Changes to districts' contact lists: editing the draft, importing,
submitting, and the Department's review. Each public function is one
transaction."""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contacts.importers import ContactRow, RowError
from contacts.models import (
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactImport,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    ImportStatus,
    Organisation,
    UnitLevel,
    User,
    VersionStatus,
)
from contacts.selectors.contact_lists import coverage_of

BODY_FIELDS = ("polling_areas", "location")
CONTACT_FIELDS = ("position", "phones", "email", "note")


def _fold(text: str) -> str:
    """Case- and diacritics-insensitive form, for matching names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).split()
    )


def contact_list_get_or_create(
    *, election: Election, organisation: Organisation
) -> ContactList:
    contact_list, _created = ContactList.objects.get_or_create(
        election=election, organisation=organisation
    )
    return contact_list


# --- Units a district may name -----------------------------------------------


@dataclass
class DistrictUnits:
    """The district's own unit and its communes, found by code or name."""

    district: AdministrativeUnit
    by_code: dict[str, AdministrativeUnit]
    by_name: dict[str, AdministrativeUnit]

    @classmethod
    def load(cls, district: AdministrativeUnit) -> "DistrictUnits":
        units = [district, *district.children.filter(level=UnitLevel.COMMUNE)]
        return cls(
            district=district,
            by_code={u.code: u for u in units},
            by_name={_fold(u.name): u for u in units},
        )

    def find(self, *, code: str, name: str) -> AdministrativeUnit | None:
        if code:
            return self.by_code.get(code.strip())
        return self.by_name.get(_fold(name))


def unit_not_in_district_message(value: str, district: AdministrativeUnit) -> str:
    return _("“%(value)s” is not %(district)s or one of its communes.") % {
        "value": value,
        "district": district.name,
    }


def team_needs_commune_message() -> str:
    return _("An Election Team belongs to a commune, ward or township, not a district.")


def body_level_error(kind: str, unit: AdministrativeUnit) -> str | None:
    if kind == BodyKind.TEAM and unit.level != UnitLevel.COMMUNE:
        return team_needs_commune_message()
    return None


# --- Editing the draft by hand -------------------------------------------------


def _touch_draft(contact_list: ContactList, now: datetime.datetime) -> None:
    ContactList.objects.filter(pk=contact_list.pk).update(draft_changed_at=now)
    contact_list.draft_changed_at = now


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
    now = now or timezone.now()
    district = contact_list.organisation.unit
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
    _touch_draft(contact_list, now)
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
    if body.version_id is not None:
        raise ValidationError(_("A submitted version cannot be changed."))
    contact_list = body.contact_list
    body.delete()
    _touch_draft(contact_list, now or timezone.now())


# --- Import --------------------------------------------------------------------


class RowAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class RowPlan:
    row: ContactRow
    action: str
    unit: AdministrativeUnit


@dataclass
class ImportPlan:
    """What confirming an import would do, row by row."""

    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def import_plan(
    *, contact_list: ContactList, rows: list[ContactRow], unit_column: str
) -> ImportPlan:
    """Compare parsed rows with the draft (three queries, whatever the size)."""
    units = DistrictUnits.load(contact_list.organisation.unit)
    bodies = _draft_bodies_by_key(contact_list)
    plan = ImportPlan()
    for row in rows:
        unit = units.find(code=row.unit_code, name=row.unit_name)
        if unit is None:
            value = row.unit_code or row.unit_name
            plan.errors.append(
                RowError(
                    row.row_number,
                    unit_column,
                    unit_not_in_district_message(value, units.district),
                )
            )
            continue
        if error := body_level_error(row.body_kind, unit):
            plan.errors.append(RowError(row.row_number, unit_column, error))
            continue
        plan.rows.append(
            RowPlan(row=row, unit=unit, action=_row_action(row, unit, bodies))
        )
    return plan


def _body_key(kind: str, unit_id: int, name: str) -> tuple:
    return (kind, unit_id, _fold(name))


def _draft_bodies_by_key(contact_list: ContactList) -> dict[tuple, ElectionBody]:
    q = ElectionBody.objects.filter(
        contact_list=contact_list, version=None
    ).prefetch_related("contacts")
    bodies = {}
    for body in q:
        body.contacts_by_name = {_fold(c.full_name): c for c in body.contacts.all()}
        bodies[_body_key(body.kind, body.unit_id, body.name)] = body
    return bodies


def _row_values(row: ContactRow) -> tuple[dict, dict]:
    body = {"polling_areas": row.polling_areas, "location": row.location}
    contact = {
        "position": row.position,
        "phones": " ".join(row.phones),
        "email": row.email,
        "note": row.note,
    }
    return body, contact


def _row_action(row: ContactRow, unit: AdministrativeUnit, bodies: dict) -> str:
    body = bodies.get(_body_key(row.body_kind, unit.pk, row.body_name))
    if body is None:
        return RowAction.CREATE
    contact = body.contacts_by_name.get(_fold(row.full_name))
    if contact is None:
        return RowAction.CREATE
    body_values, contact_values = _row_values(row)
    changed = any(getattr(body, k) != v for k, v in body_values.items()) or any(
        getattr(contact, k) != v for k, v in contact_values.items()
    )
    return RowAction.UPDATE if changed else RowAction.UNCHANGED


@transaction.atomic
def contact_list_import(
    *,
    contact_import: ContactImport,
    plan: ImportPlan,
    now: datetime.datetime | None = None,
) -> ContactImport:
    """Apply a checked plan to the draft: every row, or none.

    1. Refuse a plan with errors, or an import already applied.
    2. Create missing bodies, update changed ones (with audit rows).
    3. Create missing contacts, update changed ones (with audit rows).
    4. Record the counts on the import and mark the draft changed.
    """
    now = now or timezone.now()
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was saved."))
    claimed = ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.APPLIED, applied_at=now)
    if claimed != 1:
        raise ValidationError(_("This file has already been imported or discarded."))
    contact_list = contact_import.contact_list
    bodies = _draft_bodies_by_key(contact_list)
    _apply_bodies(contact_list, plan, bodies)
    _apply_contacts(plan, bodies)
    ContactImport.objects.filter(pk=contact_import.pk).update(
        created_count=plan.count(RowAction.CREATE),
        updated_count=plan.count(RowAction.UPDATE),
        unchanged_count=plan.count(RowAction.UNCHANGED),
    )
    if plan.count(RowAction.CREATE) or plan.count(RowAction.UPDATE):
        _touch_draft(contact_list, now)
    contact_import.refresh_from_db()
    return contact_import


def _apply_bodies(contact_list: ContactList, plan: ImportPlan, bodies: dict) -> None:
    new, changed = {}, {}
    for item in plan.rows:
        key = _body_key(item.row.body_kind, item.unit.pk, item.row.body_name)
        values, _contact = _row_values(item.row)
        body = bodies.get(key)
        if body is None and key not in new:
            new[key] = ElectionBody(
                contact_list=contact_list,
                kind=item.row.body_kind,
                level=item.unit.level,
                unit=item.unit,
                name=item.row.body_name,
                **values,
            )
        elif body is not None and any(getattr(body, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(body, k, v)
            changed[key] = body
    created = bulk_create_with_history(
        list(new.values()), ElectionBody, batch_size=1000
    )
    for key, body in zip(new, created, strict=True):
        body.contacts_by_name = {}
        bodies[key] = body
    if changed:
        bulk_update_with_history(
            list(changed.values()), ElectionBody, BODY_FIELDS, batch_size=1000
        )


def _apply_contacts(plan: ImportPlan, bodies: dict) -> None:
    new, changed = [], []
    for item in plan.rows:
        if item.action == RowAction.UNCHANGED:
            continue
        body = bodies[_body_key(item.row.body_kind, item.unit.pk, item.row.body_name)]
        _body, values = _row_values(item.row)
        contact = body.contacts_by_name.get(_fold(item.row.full_name))
        if contact is None:
            new.append(Contact(body=body, full_name=item.row.full_name, **values))
        elif any(getattr(contact, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(contact, k, v)
            changed.append(contact)
    bulk_create_with_history(new, Contact, batch_size=1000)
    if changed:
        bulk_update_with_history(changed, Contact, CONTACT_FIELDS, batch_size=1000)


def contact_import_discard(*, contact_import: ContactImport) -> None:
    ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.DISCARDED)


# --- Submission and review -----------------------------------------------------


@transaction.atomic
def contact_list_submit(
    *, contact_list: ContactList, by: User, now: datetime.datetime | None = None
) -> ContactListVersion:
    """Freeze the draft as a new version awaiting review.

    1. Lock the list row so two submissions cannot take the same number.
    2. A version still awaiting review is superseded by this one.
    3. Copy the draft's bodies and contacts (same uids) into the version.
    4. Record the coverage at the time of submission.
    """
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
    contact_list.versions.filter(status=VersionStatus.SUBMITTED).update(
        status=VersionStatus.SUPERSEDED
    )
    last = contact_list.versions.order_by("-number").first()
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
    return version


def _freeze(draft: list[ElectionBody], version: ContactListVersion) -> None:
    copies = []
    for body in draft:
        copy = ElectionBody(
            contact_list_id=body.contact_list_id,
            version=version,
            uid=body.uid,
            kind=body.kind,
            level=body.level,
            unit_id=body.unit_id,
            name=body.name,
            polling_areas=body.polling_areas,
            location=body.location,
        )
        copies.append(copy)
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
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the district must fix.")})
    version = _claim_for_review(version)
    version.status = VersionStatus.RETURNED
    version.reviewed_by, version.reviewed_at = by, now or timezone.now()
    version.review_comment = comment.strip()
    version.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"]
    )
    return version
