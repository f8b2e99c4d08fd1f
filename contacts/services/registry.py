"""Changes to the registry. Each function is one transaction."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contacts.models import (
    FIRST_EDITION,
    AdministrativeUnit,
    Election,
    ElectionMilestone,
    Heartbeat,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)
from contacts.names import election_committee, peoples_committee, place_name
from contacts.permissions import CARRIER_KINDS, may_change_anything, membership_of
from contacts.seed import (
    CarrierRow,
    ElectionSpec,
    UnitRow,
    line_problem,
    parent_problem,
)
from contacts.selectors.units import province_areas
from contacts.services.closure import election_ensure_open

UNIT_FIELDS = ("name", "division_type", "level", "parent_id", "phone_area_code")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "LoadResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


M = TypeVar("M", bound=Model)


def create_missing(model: type[M], *, lookup: dict, values: dict) -> tuple[M, bool]:
    """Create the row if none matches `lookup`; leave an existing one as it is.

    Seeds use this for data the Department owns once loaded (organisations,
    deadlines): running the seed again must not undo their edits.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return model._default_manager.create(**lookup, **values), True


@transaction.atomic
def units_load(*, rows: list[UnitRow], edition: str = FIRST_EDITION) -> LoadResult:
    """Bring one edition of the administrative units in line with the
    official registry (contacts.models.AdministrativeUnit.edition).

    Rows come parents first (contacts.seed.read_units, read_units_file). Units
    are reference data: a changed name or parent in the registry updates the
    row; a second load of the same file writes nothing, not even audit rows.
    A parent neither in the rows nor in the edition raises ValidationError
    naming the line, and nothing is loaded.
    """
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(edition=edition)}
    ids = {code: u.pk for code, u in existing.items()}
    levels = {code: u.level for code, u in existing.items()}
    result = LoadResult()
    for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        to_create, to_update = [], []
        for row in (r for r in rows if r.level == level):
            _check_parent(row, ids, levels)
            values = {
                "name": row.name,
                "division_type": row.division_type,
                "level": row.level,
                "parent_id": ids[row.parent_code] if row.parent_code else None,
                "phone_area_code": row.phone_area_code,
            }
            unit = existing.get(row.code)
            if unit is None:
                to_create.append(
                    AdministrativeUnit(edition=edition, code=row.code, **values)
                )
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                to_update.append(unit)
            else:
                result.unchanged += 1
        created = bulk_create_with_history(
            to_create, AdministrativeUnit, batch_size=2000
        )
        ids.update({u.code: u.pk for u in created})
        levels.update({u.code: u.level for u in created})
        if to_update:
            bulk_update_with_history(
                to_update, AdministrativeUnit, UNIT_FIELDS, batch_size=2000
            )
        result.created += len(created)
        result.updated += len(to_update)
    return result


def _check_parent(row: UnitRow, ids: dict, levels: dict) -> None:
    if not row.parent_code:
        return
    if row.parent_code not in ids:
        problem: str | None = _(
            "the parent unit %(code)s is in neither the file nor this edition"
        ) % {"code": row.parent_code}
    else:
        problem = parent_problem(row.level, levels[row.parent_code])
    if problem:
        raise ValidationError(line_problem(row.line, problem))


def _district_name_en(unit: AdministrativeUnit) -> str:
    return f"People's Committee of {unit.name}"


@transaction.atomic
def province_organisations_ensure(
    *, province: AdministrativeUnit, carriers: list[CarrierRow]
) -> LoadResult:
    """Create the Department, the provincial Election Committee, one district
    organisation per district-level unit and the listed carriers, where
    missing. Existing organisations keep the Department's edits."""
    result = LoadResult()
    # A two-tier structure has no district: its communes are the areas.
    districts = list(province_areas(province.pk).order_by("code"))
    fixed = [
        (
            "so-tttt-" + province.code,
            OrganisationKind.DEPARTMENT,
            f"Sở Thông tin và Truyền thông {place_name(province)}",
            f"Department of Information and Communications, {province.name}",
            province,
        ),
        (
            "uybc-" + province.code,
            OrganisationKind.OBSERVER,
            election_committee(province),
            f"Election Committee, {province.name}",
            province,
        ),
    ]
    for code, kind, name, name_en, unit in fixed:
        _, created = create_missing(
            Organisation,
            lookup={"code": code},
            values={"kind": kind, "name": name, "name_en": name_en, "unit": unit},
        )
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
    for unit in districts:
        _, created = create_missing(
            Organisation,
            lookup={"code": f"district-{unit.code}"},
            values={
                "kind": OrganisationKind.DISTRICT,
                "name": peoples_committee(unit),
                "name_en": _district_name_en(unit),
                "unit": unit,
            },
        )
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
    for row in carriers:
        org, created = create_missing(
            Organisation,
            lookup={"code": row.code},
            values={
                "kind": row.kind,
                "name": row.name,
                "name_en": row.name_en,
                "note": row.note,
            },
        )
        if created:
            org.served_units.set(_served_districts(row.serves, districts))
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
    return result


def _served_districts(
    serves: str, districts: list[AdministrativeUnit]
) -> list[AdministrativeUnit]:
    """`serves` is "all" or district codes separated by spaces or semicolons."""
    if serves.strip().lower() == "all":
        return districts
    codes = set(serves.replace(";", " ").split())
    return [d for d in districts if d.code in codes]


@transaction.atomic
def organisation_served_areas_set(
    *,
    organisation: Organisation,
    election: Election,
    units: Iterable[AdministrativeUnit],
    by: User,
) -> None:
    """Set which areas of `election`'s structure a carrier serves (after a
    change of its network, or a move to a newer edition of the structure).

    1. Only a Department editor may (PermissionDenied), only for a carrier,
       only while the election is open.
    2. Every unit must be directly under the election's province in its
       edition (ValidationError otherwise).
    3. Areas of other provinces or editions stay: they keep the carrier's
       access to earlier cycles' lists and incidents.
    4. The change is in the organisation's history, by `by`.
    """
    if not may_change_anything(membership_of(by)):
        raise PermissionDenied
    if organisation.kind not in CARRIER_KINDS:
        raise ValidationError(_("Only a postal or telecom firm serves areas."))
    election_ensure_open(election)
    areas = province_areas(election.province_id)
    chosen = {unit.pk for unit in units}
    if chosen - set(areas.filter(pk__in=chosen).values_list("pk", flat=True)):
        raise ValidationError(
            _("Choose areas of the current election's province and structure.")
        )
    kept = set(
        organisation.served_units.exclude(parent_id=election.province_id).values_list(
            "pk", flat=True
        )
    )
    organisation._history_user = by
    organisation.served_units.set(kept | chosen)


@transaction.atomic
def election_ensure(*, spec: ElectionSpec) -> tuple[Election, LoadResult]:
    """Create the election and its calendar where missing."""
    province = AdministrativeUnit.objects.get(
        edition=spec.edition, code=spec.province_code
    )
    election, created = create_missing(
        Election,
        lookup={"province": province, "polling_day": spec.polling_day},
        values={
            "name": spec.name,
            "name_en": spec.name_en,
            "before_starts_on": spec.before_starts_on,
            "after_ends_on": spec.after_ends_on,
        },
    )
    result = LoadResult(created=int(created), unchanged=int(not created))
    for m in spec.milestones:
        _, created = create_missing(
            ElectionMilestone,
            lookup={"election": election, "code": m.code},
            values={
                "name": m.name,
                "name_en": m.name_en,
                "days_from_polling": m.days_from_polling,
                "date": spec.polling_day + datetime.timedelta(days=m.days_from_polling),
            },
        )
        result.add(LoadResult(created=int(created), unchanged=int(not created)))
    return election, result


def heartbeat_record(*, name: str, now: datetime.datetime | None = None) -> Heartbeat:
    now = now or timezone.now()
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen_at": now}
    )
    return heartbeat
