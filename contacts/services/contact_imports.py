"""Importing a contact-list file into a district's draft, in three steps:
the upload stores the file (`contact_import_upload`); the plan parses and
checks it once and keeps the plan of changes the preview shows
(`contact_import_plan`, contacts.services.kept_plans); "Confirm the import"
applies the kept plan, every row or none (`contact_import_apply`), without
reading the file again (if the draft changed since, the kept rows are
planned again). Re-exported by contacts.services.contact_lists, where the
views, the demo loader and the tests import it from.

Between the upload and the confirmation the officer may say how the file is
read (`contact_import_choose`): another sheet of the workbook, or which of
the file's columns holds what its header does not name. The column choice
is remembered for the district (ImportColumns) and applied to its next
imports that lack those columns and have those headers; the preview says
so. Either choice plans the file again.

Sized for 50,000-row files (docs/performance.md, "Contact-list import"):

- the draft is read with two plain queries into small objects, not model
  instances with a prefetch: once by the plan, and again inside the
  confirmation's transaction, so that rows are written against the draft as
  it is then (a fingerprint of the draft tells whether the plan still holds);
- an import that changes nothing writes nothing;
- new and changed bodies and contacts are written with one statement per
  table and kind of change (COPY on PostgreSQL), with the audit-trail rows
  that django-simple-history's bulk_create_with_history and
  bulk_update_with_history would write ("+" for a new row, "~" for a changed
  one, the request's user). Building 140,000 model instances and compiling
  their INSERTs took most of the time before. The COPY text is formatted
  while the database stores the rows before it (_CopyText). The columns
  are the models' and their audit models' own (_draft_row,
  _history_fields); tests/contacts/test_services_contact_import_writer.py
  compares what is written with what django-simple-history writes;
- the plan and the confirmation run with the garbage collector paused
  (contacts.importers.bulk).
"""

import datetime
import functools
import hashlib
import json
import operator
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, make_dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import SET_NULL, ForeignObjectRel, Model, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from contacts.importers import ContactRow, ParseResult, RowError, parse_contact_file
from contacts.importers.bulk import without_cyclic_gc
from contacts.importers.mapping import (
    as_column_map,
    choice_problems,
    page_language,
    remembered_after,
)
from contacts.importers.units import UnitNames, unit_name_parts
from contacts.importers.vocabulary import (
    COLUMNS_BY_KEY,
    FileColumn,
    unit_not_in_name_message,
)
from contacts.models import (
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactImport,
    ContactList,
    ContactPosition,
    ElectionBody,
    ImportColumns,
    ImportStatus,
    UnitLevel,
    User,
)
from contacts.names import unit_in_sentence
from contacts.phones import format_national
from contacts.selectors.units import district_unit
from contacts.services.closure import election_ensure_open
from contacts.services.kept_plans import KeptPlan, plan_forget, plan_keep, plan_read

# The columns an import changes in a draft body or contact (a moved body
# changes unit and level; a renamed person, the name).
BODY_FIELDS = ("unit_id", "level", "polling_areas", "location")
CONTACT_FIELDS = ("full_name", "position", "phones", "email", "note")


@functools.cache
def _combining_marks() -> dict[int, None]:
    """The combining marks of the Basic Multilingual Plane, for str.translate
    (built once, about 20 ms)."""
    return dict.fromkeys(
        code for code in range(0x10000) if unicodedata.combining(chr(code))
    )


@functools.lru_cache(maxsize=65536)  # body names repeat on every row of a body
def _fold(text: str) -> str:
    """Case- and diacritics-insensitive form, for matching names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    if decomposed.isascii():
        stripped = decomposed
    elif max(decomposed) < "\U00010000":
        stripped = decomposed.translate(_combining_marks())
    else:
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def draft_touch(contact_list: ContactList, now: datetime.datetime) -> None:
    """Record that the draft changed (the list pages show it)."""
    ContactList.objects.filter(pk=contact_list.pk).update(draft_changed_at=now)
    contact_list.draft_changed_at = now


# --- Units a district may name -----------------------------------------------


@dataclass
class DistrictUnits:
    """The district's own unit and its communes, found by code or name."""

    district: AdministrativeUnit
    by_code: dict[str, AdministrativeUnit]
    # Names as officials write them: with or without "Xã", "TT", diacritics.
    by_name: UnitNames[AdministrativeUnit]

    @classmethod
    def load(cls, district: AdministrativeUnit) -> "DistrictUnits":
        units = [district, *district.children.filter(level=UnitLevel.COMMUNE)]
        return cls(
            district=district,
            by_code={u.code: u for u in units},
            by_name=UnitNames((u.name, u) for u in units),
        )

    def find(self, *, code: str, name: str) -> AdministrativeUnit | None:
        if code:
            return self.by_code.get(code.strip())
        return self.by_name.find(name)

    def find_listed(
        self, names: Sequence[str]
    ) -> tuple[AdministrativeUnit | None, list[str]]:
        """The unit of a body whose name lists units (ContactRow.named_units),
        and the names that should be the district's units and are not.

        A name written with its prefix ("xã Đông Hòa", "TT Rừng Thông") must
        be one of the district's units. Names in brackets without a prefix
        may be villages ("Tổ bầu cử số 1 (Đồng Lạc) - xã Đông Hòa"): when
        none of them is a unit they are left aside; when some are, all must
        be (a misspelt commune is not dropped).

        A body that covers several communes, such as the Election Board of
        a constituency of the district's council, is stored under the
        district (its level "district"). ElectionBody has one unit: putting
        the body under one of its communes would show it as that commune's
        alone, and a copy per commune would store and count its people
        twice. The district sets such a body up, its name keeps the
        communes, and each of them was checked here. An Election Team stays
        within one commune: one naming several is refused as a team outside
        a commune (body_level_error).
        """
        found: list[AdministrativeUnit] = []
        unfound: list[str] = []
        bare_found: list[AdministrativeUnit] = []
        bare_unfound: list[str] = []
        for name in names:
            unit = self.by_name.find(name)
            prefixed = bool(unit_name_parts(name)[0])
            if unit is not None:
                (found if prefixed else bare_found).append(unit)
            else:
                (unfound if prefixed else bare_unfound).append(name)
        if bare_found:
            found += bare_found
            unfound += bare_unfound
        if unfound:
            return None, unfound
        units = list(dict.fromkeys(found))
        if not units:
            return None, []
        if len(units) == 1:
            return units[0], []
        return self.district, []

    @functools.cached_property
    def by_pk(self) -> dict[int, AdministrativeUnit]:
        return {unit.pk: unit for unit in self.by_code.values()}

    def elsewhere(self, *, codes: set[str], names: set[str]) -> dict[str, set[str]]:
        """Communes of other districts, by code or folded name, and the
        names of the districts they belong to: by code anywhere, by name in
        the district's province (a name may be in several districts)."""
        where = Q(code__in=codes)
        if names and self.district.parent_id is not None:
            where |= Q(parent__parent_id=self.district.parent_id)
        query = (
            AdministrativeUnit.objects.filter(where, level=UnitLevel.COMMUNE)
            .exclude(parent_id=self.district.pk)
            .values_list("code", "name", "parent__name")
        )
        found: dict[str, set[str]] = defaultdict(set)
        for code, name, district in query:
            if code in codes:
                found[code].add(district)
            if _fold(name) in names:
                found[_fold(name)].add(district)
        return found


def unit_not_in_district_message(value: str, district: AdministrativeUnit) -> str:
    return _("“%(value)s” is not %(district)s or one of its communes.") % {
        "value": value,
        "district": unit_in_sentence(district),
    }


def unit_in_other_district_message(
    value: str, district: AdministrativeUnit, other: str
) -> str:
    return _(
        "“%(value)s” is not %(district)s or one of its communes: it is in "
        "%(other)s. Move the row to that district's list, or correct the unit."
    ) % {"value": value, "district": unit_in_sentence(district), "other": other}


def team_needs_commune_message() -> str:
    return _("An Election Team belongs to a commune, ward or township, not a district.")


def body_level_error(kind: str, unit: AdministrativeUnit) -> str | None:
    if kind == BodyKind.TEAM and unit.level != UnitLevel.COMMUNE:
        return team_needs_commune_message()
    return None


# --- The plan ------------------------------------------------------------------


class RowAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


class ImportMode(TextChoices):
    """What confirming does with the draft's bodies and people the file does
    not name (chosen on the preview, contacts.forms.ImportConfirmForm)."""

    ADD_UPDATE = (
        "add_update",
        gettext_lazy("Add and update only: keep what the file does not name"),
    )
    WHOLE_LIST = (
        "whole_list",
        gettext_lazy("This file is the whole list: remove what it no longer has"),
    )


@dataclass
class Change:
    """A value confirming a row would change, as the preview shows it."""

    label: str
    old: str
    new: str


@dataclass
class RowPlan:
    row: ContactRow
    action: str
    unit: AdministrativeUnit
    # The row's body in the draft: _body_key(kind, unit id, name).
    key: tuple = ()
    # The draft body and person the row keeps or changes; None for new ones.
    body_id: int | None = None
    contact_id: int | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass
class Removal:
    """A draft body (with everyone in it; `full_name` empty) or a person the
    file no longer names: removed on confirming in ImportMode.WHOLE_LIST."""

    body_id: int
    contact_id: int | None
    unit_name: str
    body_name: str
    full_name: str = ""
    position: str = ""
    people: int = 1  # the people it takes away


@dataclass
class FileLayout:
    """How the file was read, as the preview shows it: the sheet (and the
    workbook's sheets), each column with what it holds, the headers of the
    columns ignored, and what the import needs that no column holds."""

    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    columns: list[FileColumn] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, parsed: ParseResult) -> "FileLayout":
        return cls(
            sheet=parsed.sheet,
            sheets=list(parsed.sheets),
            columns=list(parsed.columns),
            ignored=list(parsed.ignored_columns),
            missing_keys=list(parsed.missing_keys),
        )

    def column(self, key: str) -> FileColumn | None:
        """The first column read as `key`."""
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class ImportPlan:
    """What confirming an import would do, row by row, and what a whole-list
    import would remove."""

    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    # Of the units and draft the plan was made against: a whole-list
    # confirmation must be made against the draft the preview showed.
    fingerprint: str = ""
    layout: FileLayout = field(default_factory=FileLayout)
    # Of the sheet and columns the file was read with (import_choice): a
    # confirmation must be of the rows the preview showed.
    choice: str = ""

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def removed_people(self) -> int:
        return sum(r.people for r in self.removals)

    @property
    def removed_bodies(self) -> int:
        return sum(1 for r in self.removals if r.contact_id is None)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@without_cyclic_gc
def import_plan(
    *, contact_list: ContactList, rows: list[ContactRow], unit_column: str
) -> ImportPlan:
    """Compare parsed rows with the draft (four queries, whatever the size;
    one more when a row names a unit outside the district)."""
    units, draft = _plan_inputs(contact_list)
    return _plan(rows, units, draft.bodies, unit_column)


def _plan_inputs(contact_list: ContactList) -> tuple[DistrictUnits, "_Draft"]:
    """What a plan is made against: the units rows may name, and the draft."""
    units = DistrictUnits.load(district_unit(contact_list.organisation))
    return units, _Draft.load(contact_list)


# A row the plan placed: the row, its unit and its body's key.
_Placed = tuple[ContactRow, AdministrativeUnit, tuple]


def _plan(
    rows: list[ContactRow],
    units: DistrictUnits,
    bodies: dict,
    unit_column: str,
    layout: FileLayout | None = None,
) -> ImportPlan:
    """1. Find each row's unit (a unit of another district is an error
    naming the district it belongs to, at the cell the unit was read from
    when the file's `layout` is known).
    2. Match the file's bodies with the draft's (_match_bodies), then its
    people (_match_people).
    3. Say what each row changes, and what the file no longer names."""
    plan = ImportPlan()
    placed: list[_Placed] = []
    unknown: list[tuple[ContactRow, str, str]] = []  # row, code, name
    where = _UnitPlaces(unit_column, layout)
    for row in rows:
        if row.named_units and not (row.unit_code or row.unit_name):
            unit, unfound = units.find_listed(row.named_units)
            unknown += [(row, "", name) for name in unfound]
            if unit is None and not unfound:
                message = unit_not_in_name_message(row.body_name)
                plan.errors.append(where.error(row, message))
            if unit is None:
                continue
        else:
            unit = units.find(code=row.unit_code, name=row.unit_name)
            if unit is None:
                unknown.append((row, row.unit_code, row.unit_name))
                continue
        if error := body_level_error(row.body_kind, unit):
            plan.errors.append(where.error(row, error))
            continue
        placed.append((row, unit, _body_key(row.body_kind, unit.pk, row.body_name)))
    if unknown:
        plan.errors = _all_errors(
            plan.errors, _unknown_unit_errors(unknown, units, where)
        )
    matched = _match_bodies({key for _row, _unit, key in placed}, bodies)
    people = _match_people(placed, matched)
    for row, unit, key in placed:
        body = matched.get(key)
        contact = people.get(id(row))
        plan.rows.append(_row_plan(row, unit, key, body, contact, units))
    plan.removals = _removals(bodies, plan.rows, units)
    return plan


def _body_key(kind: str, unit_id: int, name: str) -> tuple:
    return (kind, unit_id, _fold(name))


class _UnitPlaces:
    """Where a row's unit was read, for its errors: the file's unit code
    column for a row with a code, else its unit name column, else the body
    name the unit was read from; the language's "Unit code" header without
    a letter when the file's columns are not known."""

    def __init__(self, unit_column: str, layout: FileLayout | None) -> None:
        self.unit_column = unit_column
        self.columns = {
            key: layout.column(key) if layout else None
            for key in ("unit_code", "unit_name", "body_name")
        }

    def error(self, row: ContactRow, message: str) -> RowError:
        columns = self.columns
        if row.unit_code:
            column = columns["unit_code"]
        else:
            column = columns["unit_name"] or columns["body_name"]
        if column is None:
            return RowError(row.row_number, self.unit_column, message)
        return RowError(row.row_number, column.header, message, column.letter)


def _match_bodies(keys: set[tuple], bodies: dict) -> dict[tuple, "_Body"]:
    """The draft body each of the file's bodies is: the one of the same kind,
    unit and name; else a body moved to another unit: the draft's only body
    of that kind and name, when the file too has only one so named (a "Tổ
    bầu cử số 1" in every commune is not a move)."""
    matched = {key: bodies[key] for key in keys if key in bodies}
    in_draft = Counter((kind, name) for kind, _unit, name in bodies)
    in_file = Counter((kind, name) for kind, _unit, name in keys)
    by_name = {(kind, name): body for (kind, _unit, name), body in bodies.items()}
    for key in keys - matched.keys():
        name = (key[0], key[2])
        if in_draft[name] == 1 and in_file[name] == 1:
            matched[key] = by_name[name]
    return matched


def _match_people(placed: list[_Placed], matched: dict) -> dict[int, "_Contact"]:
    """The draft person each row is (by id of the row): the one of its body
    with the same name; else, where the file names one new person in a
    position of a body that has one person in that position the file no
    longer names, that person renamed (a new Tổ trưởng replaces the old,
    rather than making two)."""
    found: dict[int, _Contact] = {}
    named: set[int] = set()
    newcomers: dict[tuple, dict[str, list[ContactRow]]] = defaultdict(dict)
    for row, _unit, key in placed:
        body = matched.get(key)
        if body is None:
            continue
        contact = body.contacts.get(_fold(row.full_name))
        if contact is not None:
            found[id(row)] = contact
            named.add(contact.id)
        else:
            by_name = newcomers[(body.id, row.position)]
            by_name.setdefault(_fold(row.full_name), []).append(row)
    if newcomers:
        bodies = {body.id: body for body in matched.values()}
        for (body_id, position), by_name in newcomers.items():
            left = [
                c
                for c in bodies[body_id].contacts.values()
                if c.position == position and c.id not in named
            ]
            if len(by_name) == 1 and len(left) == 1:
                for row in next(iter(by_name.values())):
                    found[id(row)] = left[0]
    return found


def _row_plan(
    row: ContactRow,
    unit: AdministrativeUnit,
    key: tuple,
    body: "_Body | None",
    contact: "_Contact | None",
    units: DistrictUnits,
) -> RowPlan:
    if body is None:
        return RowPlan(row=row, action=RowAction.CREATE, unit=unit, key=key)
    changes = _body_changes(body, row, unit, units)
    if contact is None:
        return RowPlan(
            row=row,
            action=RowAction.CREATE,
            unit=unit,
            key=key,
            body_id=body.id,
            changes=changes,
        )
    changes += _contact_changes(contact, row)
    return RowPlan(
        row=row,
        action=RowAction.UPDATE if changes else RowAction.UNCHANGED,
        unit=unit,
        key=key,
        body_id=body.id,
        contact_id=contact.id,
        changes=changes,
    )


def _body_changes(
    body: "_Body", row: ContactRow, unit: AdministrativeUnit, units: DistrictUnits
) -> list[Change]:
    changes = []
    if body.unit_id != unit.pk:
        old = units.by_pk.get(body.unit_id)
        changes.append(Change(_("Unit"), old.name if old else "", unit.name))
    if body.polling_areas != row.polling_areas:
        changes.append(
            Change(_("Polling areas"), body.polling_areas, row.polling_areas)
        )
    if body.location != row.location:
        changes.append(Change(_("Working location"), body.location, row.location))
    return changes


def _body_differs(body: "_Body", row: ContactRow, unit: AdministrativeUnit) -> bool:
    return (
        body.unit_id != unit.pk
        or body.polling_areas != row.polling_areas
        or body.location != row.location
    )


def _contact_changes(contact: "_Contact", row: ContactRow) -> list[Change]:
    changes = []
    if _fold(contact.full_name) != _fold(row.full_name):
        changes.append(Change(_("Full name"), contact.full_name, row.full_name))
    if contact.position != row.position:
        changes.append(
            Change(
                _("Position"),
                _position_label(contact.position),
                _position_label(row.position),
            )
        )
    phones = " ".join(row.phones)
    if contact.phones != phones:
        changes.append(
            Change(_("Phone numbers"), _national(contact.phones), _national(phones))
        )
    if contact.email != row.email:
        changes.append(Change(_("E-mail"), contact.email, row.email))
    if contact.note != row.note:
        changes.append(Change(_("Note"), contact.note, row.note))
    return changes


def _contact_differs(contact: "_Contact", row: ContactRow) -> bool:
    """A person matched by name keeps the name as the draft writes it; a
    renamed one (matched by position) takes the file's."""
    return (
        _fold(contact.full_name) != _fold(row.full_name)
        or contact.position != row.position
        or contact.phones != " ".join(row.phones)
        or contact.email != row.email
        or contact.note != row.note
    )


def _position_label(value: str) -> str:
    return str(ContactPosition(value).label) if value in ContactPosition else value


def _national(phones: str) -> str:
    return "; ".join(format_national(p) for p in phones.split())


def _removals(bodies: dict, rows: list[RowPlan], units: DistrictUnits) -> list[Removal]:
    """The draft's bodies no row keeps, and the people of kept bodies no row
    keeps, in the draft's order."""
    kept_bodies = {item.body_id for item in rows}
    kept_people = {item.contact_id for item in rows}
    removals = []
    for body in bodies.values():
        unit = units.by_pk.get(body.unit_id)
        where = {
            "body_id": body.id,
            "unit_name": unit.name if unit else "",
            "body_name": body.name,
        }
        if body.id not in kept_bodies:
            people = len(body.everyone)
            removals.append(Removal(contact_id=None, people=people, **where))
            continue
        for contact in body.everyone:
            if contact.id not in kept_people:
                removals.append(
                    Removal(
                        contact_id=contact.id,
                        full_name=contact.full_name,
                        position=_position_label(contact.position),
                        **where,
                    )
                )
    return removals


def _unknown_unit_errors(
    rows: list[tuple[ContactRow, str, str]], units: DistrictUnits, where: _UnitPlaces
) -> list[RowError]:
    """A row naming no unit of the district (row, its unit's code, its
    unit's name); when it names a commune of another district, the error
    says which (one query)."""
    elsewhere = units.elsewhere(
        codes={code.strip() for _row, code, _name in rows if code},
        names={_fold(name) for _row, code, name in rows if not code},
    )
    errors = []
    for row, code, name in rows:
        value = code or name
        found = elsewhere.get(code.strip() or _fold(name))
        if found:
            others = ", ".join(unit_in_sentence(n) for n in sorted(found))
            message = unit_in_other_district_message(value, units.district, others)
        else:
            message = unit_not_in_district_message(value, units.district)
        errors.append(where.error(row, message))
    return errors


# --- The draft, read without model instances ---------------------------------------


def _draft_row(model: type[Model], **extra: type) -> type:
    """A class of small objects, one attribute per column of `model`'s table
    (the fields' attnames, in the model's order) and the `extra` ones: the
    draft is read and written by these, so every column the model has is
    read, compared by the fingerprint, written and kept in the audit rows
    (a test compares them with what bulk_create_with_history writes).

    Made with dataclasses for their generated __init__ (as fast as one
    written by hand). Given by name, as a new row is, a missing column
    takes the model field's default, as a new model instance would have it
    (the database driver adapts it as for any value).
    """
    fields = model._meta.concrete_fields
    columns: list[tuple[str, Any, Any]] = [
        (f.attname, object, _column_default(f)) for f in fields
    ]
    columns += [
        (name, kind, field(default_factory=kind)) for name, kind in extra.items()
    ]
    return make_dataclass(
        f"_{model.__name__}Row",
        columns,
        namespace={"COLUMNS": tuple(f.attname for f in fields)},
        slots=True,
        eq=False,
    )


def _column_default(model_field) -> Any:
    """The dataclass field's default: made for each new row when the model
    field's default is a callable (a uid) or a mutable value, else one value
    for all (None or "" for most columns: as fast as no default)."""
    if model_field.has_default() and callable(model_field.default):
        return field(default_factory=model_field.get_default)
    value = model_field.get_default()
    if type(value).__hash__ is None:  # dataclasses refuse mutable defaults
        return field(default_factory=model_field.get_default)
    return field(default=value)


class _Body(_draft_row(ElectionBody, contacts=dict, everyone=list)):  # type: ignore[misc]
    """A draft ElectionBody's columns, its contacts by folded name, and all
    of them (two names may fold alike). The uid is as the database stores
    it (text on SQLite, uuid on PostgreSQL)."""

    __slots__ = ()


class _Contact(_draft_row(Contact)):  # type: ignore[misc]
    """A draft Contact's columns."""

    __slots__ = ()


@dataclass
class _Draft:
    bodies: dict[tuple, _Body]

    @functools.cached_property
    def by_id(self) -> dict[int, _Body]:
        return {body.id: body for body in self.bodies.values()}

    @functools.cached_property
    def people(self) -> dict[int, _Contact]:
        return {c.id: c for body in self.bodies.values() for c in body.everyone}

    @classmethod
    def load(cls, contact_list: ContactList) -> "_Draft":
        """Two queries, read as plain rows (no converters: a uid stays as
        stored). The orders are those of the models' Meta.ordering, so that
        of two names that fold alike the same one wins as before."""
        bodies, by_id = {}, {}
        query: QuerySet = (
            ElectionBody.objects.filter(contact_list=contact_list, version=None)
            .order_by("unit__code", "kind", "name")
            .values_list(*_Body.COLUMNS)
        )
        for values in _raw_rows(query):
            body = _Body(*values)
            by_id[body.id] = body
            bodies[_body_key(body.kind, body.unit_id, body.name)] = body
        if by_id:
            query = (
                Contact.objects.filter(
                    body__contact_list=contact_list, body__version=None
                )
                .order_by("body_id", "position", "full_name")
                .values_list(*_Contact.COLUMNS)
            )
            for values in _raw_rows(query):
                contact = _Contact(*values)
                body = by_id[contact.body_id]
                body.contacts[_fold(contact.full_name)] = contact
                body.everyone.append(contact)
        return cls(bodies=bodies)


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list query as the database driver returns them."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- The import's steps: upload, plan, preview, confirmation ----------------------


def contact_import_upload(
    *, contact_list: ContactList, upload: UploadedFile, by: User
) -> ContactImport:
    """Store an uploaded file; nothing reaches the list until the officer
    confirms its plan."""
    contact_import = ContactImport(
        contact_list=contact_list,
        original_name=(upload.name or "")[:255],
        uploaded_by=by,
    )
    contact_import.file.save("upload", ContentFile(upload.read()), save=False)
    contact_import.save()
    return contact_import


@without_cyclic_gc
def contact_import_plan(*, contact_import: ContactImport) -> ImportPlan:
    """Parse and check the uploaded file, compare its rows with the draft,
    and keep the plan, so that the preview and the confirmation need not
    read the file again. The file is read with the sheet and columns chosen
    for this import; without a column choice, with the district's
    remembered one, which then becomes the import's (the preview says so)."""
    remembered = None if contact_import.column_map else _remembered(contact_import)
    parsed = _parse(contact_import, remembered)
    if parsed.remembered:
        _set(contact_import, column_map=parsed.mapped, columns_remembered=True)
    unit_column = _unit_column(parsed.language)
    layout = FileLayout.of(parsed)
    units, draft = _plan_inputs(contact_import.contact_list)
    plan = _plan(parsed.rows, units, draft.bodies, unit_column, layout)
    planned = {
        id(item.row): [item.unit.pk, item.body_id, item.contact_id]
        for item in plan.rows
    }
    plan.fingerprint = _fingerprint(units, draft)
    plan.layout = layout
    plan.choice = import_choice(contact_import)
    kept = KeptPlan(
        rows=parsed.rows,
        outcomes=[planned.get(id(row)) for row in parsed.rows],
        parse_errors=parsed.errors,
        plan_errors=plan.errors,
        unit_column=unit_column,
        language=str(get_language()),
        fingerprint=plan.fingerprint,
        file_layout=_layout_json(layout),
        choice=plan.choice,
    )
    plan_keep(contact_import=contact_import, kept=kept)
    plan.errors = _all_errors(parsed.errors, plan.errors)
    return plan


@without_cyclic_gc
def contact_import_preview(*, contact_import: ContactImport) -> ImportPlan:
    """The plan the preview shows (and confirming would apply now): the
    kept one, planned again from its rows if the draft changed since. The
    file is read only for an import without a kept plan (or one kept for
    another choice of sheet or columns), or to write its errors in the
    page's language when they were written in the other."""
    kept = _kept_plan(contact_import)
    units, draft = _plan_inputs(contact_import.contact_list)
    if kept is None or (kept.has_errors and kept.language != get_language()):
        return _plan_file(contact_import, units, draft)
    return _plan_kept(kept, units, draft)


@without_cyclic_gc
@transaction.atomic
def contact_import_choose(
    *,
    contact_import: ContactImport,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> ImportPlan:
    """Read the import's file as the officer chose on the preview, plan it
    again and keep that plan:

    - `sheet`, another sheet of the workbook: its header is found anew (the
      columns chosen for the other sheet are dropped; the district's
      remembered ones apply);
    - else `columns` ({column key: column letter, "" for none}, the keys the
      preview asked about): which of the file's columns holds each. The
      choice is remembered for the district's next imports.

    A choice the file cannot take (a sheet or column it does not have, a
    column its header reads as something else, one column for two things)
    raises ValidationError, by the key it is about ("sheet" or the column
    key), and changes nothing. Choosing what is already chosen plans
    nothing again.
    """
    election_ensure_open(contact_import.contact_list.election_id)
    if contact_import.status != ImportStatus.UPLOADED:
        raise ValidationError(already_done_message())
    layout = import_layout(contact_import=contact_import)
    if sheet is not None and sheet != layout.sheet:
        if sheet not in layout.sheets:
            raise ValidationError({"sheet": not_a_sheet_message(sheet)})
        fields: dict[str, Any] = {"sheet": sheet, "column_map": {}}
    elif columns is not None:
        if unknown := sorted(set(columns) - COLUMNS_BY_KEY.keys()):
            raise ValidationError(
                _("The import reads no “%(value)s” column.") % {"value": unknown[0]}
            )
        if problems := choice_problems(layout.columns, columns, page_language()):
            raise ValidationError(problems)
        _remember(contact_import, layout.columns, columns)
        column_map = as_column_map(columns)
        if column_map == contact_import.column_map:
            # The same columns: now the officer's choice, no longer only
            # the remembered one.
            _set(contact_import, columns_remembered=False)
            return contact_import_preview(contact_import=contact_import)
        fields = {"column_map": column_map}
    else:
        return contact_import_preview(contact_import=contact_import)
    _set(contact_import, columns_remembered=False, **fields)
    return contact_import_plan(contact_import=contact_import)


def _set(contact_import: ContactImport, **fields: Any) -> None:
    ContactImport.objects.filter(pk=contact_import.pk).update(**fields)
    for name, value in fields.items():
        setattr(contact_import, name, value)


def import_layout(*, contact_import: ContactImport) -> FileLayout:
    """How the import's file is read now (the kept plan's, else the file's)."""
    kept = _kept_plan(contact_import)
    if kept is not None:
        return _layout_of(kept.file_layout)
    return FileLayout.of(_parse(contact_import))


def columns_asked(contact_import: ContactImport, layout: FileLayout) -> list[str]:
    """The column keys the preview asks the officer about, in the template's
    order: those the file lacks, and those read by a choice (to change it)."""
    asked = set(layout.missing_keys) | set(contact_import.column_map.values())
    return [key for key in COLUMNS_BY_KEY if key in asked]


def import_choice(contact_import: ContactImport) -> str:
    """A short fingerprint of the sheet and columns the import is read with."""
    text = json.dumps([contact_import.sheet, contact_import.column_map], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _kept_plan(contact_import: ContactImport) -> KeptPlan | None:
    """The kept plan, if it was made with the import's sheet and columns."""
    kept = plan_read(contact_import)
    if kept is None or kept.choice != import_choice(contact_import):
        return None
    return kept


def _remembered(contact_import: ContactImport) -> dict[str, str]:
    found = ImportColumns.objects.filter(
        organisation_id=contact_import.contact_list.organisation_id
    ).values_list("columns", flat=True)
    return next(iter(found), None) or {}


def _remember(
    contact_import: ContactImport,
    file_columns: list[FileColumn],
    columns: Mapping[str, str],
) -> None:
    """Keep the choice for the district (with its audit row)."""
    organisation_id = contact_import.contact_list.organisation_id
    remembered = ImportColumns.objects.filter(
        organisation_id=organisation_id
    ).first() or ImportColumns(organisation_id=organisation_id)
    after = remembered_after(remembered.columns, file_columns, columns)
    if after != remembered.columns:
        remembered.columns = after
        remembered.save()


@without_cyclic_gc
@transaction.atomic
def contact_import_apply(
    *,
    contact_import: ContactImport,
    mode: str = ImportMode.ADD_UPDATE,
    shown: str = "",
    shown_choice: str = "",
    now: datetime.datetime | None = None,
) -> ContactImport:
    """Confirm an import: apply its plan to the draft, every row or none.
    `shown` is the fingerprint of the plan the preview showed
    (ImportPlan.fingerprint), `shown_choice` that of the sheet and columns
    it was read with (ImportPlan.choice; "" when not known).

    1. Refuse an import of a closed election, or one already applied or
       discarded.
    2. Read the units and the draft in this transaction, and the kept plan.
       If they changed since the plan was made, plan its rows again against
       them, as the preview would show now; the file is not read. An import
       without a kept plan is planned from its file.
    3. Refuse if the file is read with another sheet or other columns than
       the preview showed; in ImportMode.WHOLE_LIST, also if the draft is
       no longer the one the preview showed: what is removed must be what
       was shown.
    4. Apply the plan (contact_list_import), then remove the kept plan.
    """
    election_ensure_open(contact_import.contact_list.election_id)
    if contact_import.status != ImportStatus.UPLOADED:
        raise ValidationError(already_done_message())
    if shown_choice and shown_choice != import_choice(contact_import):
        raise ValidationError(columns_changed_message())
    units, draft = _plan_inputs(contact_import.contact_list)
    kept = _kept_plan(contact_import)
    if kept is None:
        plan = _plan_file(contact_import, units, draft)
    else:
        plan = _plan_kept(kept, units, draft)
    if mode == ImportMode.WHOLE_LIST and shown != plan.fingerprint:
        raise ValidationError(draft_changed_message())
    done = contact_list_import(
        contact_import=contact_import, plan=plan, now=now, draft=draft, mode=mode
    )
    plan_forget(done)
    return done


def already_done_message() -> str:
    return _("This file has already been imported or discarded.")


def draft_changed_message() -> str:
    return _(
        "The list changed since this preview was shown; nothing was saved. "
        "Check what the import will remove now, then confirm again."
    )


def columns_changed_message() -> str:
    return _(
        "The sheet or the columns the file is read with changed since this "
        "preview was shown; nothing was saved. Check the preview again, then "
        "confirm."
    )


def not_a_sheet_message(value: str) -> str:
    return _("The file has no sheet “%(value)s”; choose one of its sheets.") % {
        "value": value
    }


def _parse(
    contact_import: ContactImport, remembered: Mapping[str, str] | None = None
) -> ParseResult:
    """The stored file, read with the import's sheet and column choice."""
    with contact_import.file.open("rb") as f:
        return parse_contact_file(
            content=f.read(),
            filename=contact_import.original_name,
            column_map=contact_import.column_map or None,
            sheet=contact_import.sheet or None,
            remembered=remembered,
        )


def _unit_column(language: str) -> str:
    """The column named in a unit's error, in the file's language."""
    return _("Unit code") if language == "en" else "Mã đơn vị hành chính"


def _all_errors(parse_errors: list[RowError], plan_errors: list) -> list[RowError]:
    return sorted([*parse_errors, *plan_errors], key=lambda e: e.row_number)


def _plan_file(
    contact_import: ContactImport, units: DistrictUnits, draft: "_Draft"
) -> ImportPlan:
    """Plan the stored file, keeping nothing."""
    parsed = _parse(contact_import)
    layout = FileLayout.of(parsed)
    unit_column = _unit_column(parsed.language)
    plan = _plan(parsed.rows, units, draft.bodies, unit_column, layout)
    plan.errors = _all_errors(parsed.errors, plan.errors)
    plan.fingerprint = _fingerprint(units, draft)
    plan.layout = layout
    plan.choice = import_choice(contact_import)
    return plan


def _plan_kept(kept: KeptPlan, units: DistrictUnits, draft: "_Draft") -> ImportPlan:
    """The kept plan, with the units, bodies and people it names; planned
    again from its rows when the units or the draft are not those it was
    made against."""
    fingerprint = _fingerprint(units, draft)
    layout = _layout_of(kept.file_layout)
    if kept.fingerprint != fingerprint:
        plan = _plan(kept.rows, units, draft.bodies, kept.unit_column, layout)
    else:
        plan = _plan_outcomes(kept, units, draft.bodies)
    plan.errors = _all_errors(kept.parse_errors, plan.errors)
    plan.fingerprint = fingerprint
    plan.layout = layout
    plan.choice = kept.choice
    return plan


def _layout_json(layout: FileLayout) -> dict:
    return {
        "sheet": layout.sheet,
        "sheets": layout.sheets,
        "columns": [[c.letter, c.header, c.key] for c in layout.columns],
        "ignored": layout.ignored,
        "missing_keys": layout.missing_keys,
    }


def _layout_of(data: dict) -> FileLayout:
    return FileLayout(
        sheet=data["sheet"],
        sheets=data["sheets"],
        columns=[FileColumn(*column) for column in data["columns"]],
        ignored=data["ignored"],
        missing_keys=data["missing_keys"],
    )


def _plan_outcomes(kept: KeptPlan, units: DistrictUnits, bodies: dict) -> ImportPlan:
    """The plan from the kept matches (the draft is the one they were made
    against): what each row changes is compared again, not matched again."""
    plan = ImportPlan(errors=list(kept.plan_errors))
    by_id = {body.id: body for body in bodies.values()}
    people = {c.id: c for body in bodies.values() for c in body.everyone}
    for row, outcome in zip(kept.rows, kept.outcomes, strict=True):
        if outcome is not None:
            unit_pk, body_id, contact_id = outcome
            unit = units.by_pk[unit_pk]
            key = _body_key(row.body_kind, unit_pk, row.body_name)
            body = by_id[body_id] if body_id is not None else None
            contact = people[contact_id] if contact_id is not None else None
            plan.rows.append(_row_plan(row, unit, key, body, contact, units))
    plan.removals = _removals(bodies, plan.rows, units)
    return plan


def _fingerprint(units: DistrictUnits, draft: "_Draft") -> str:
    """Everything a plan depends on: the units a row may name and the draft
    rows it is compared with (those the draft's lookups hold). The same
    fingerprint at the confirmation means the same plan. Sorted by id: the
    draft's query order leaves ties between equal names."""
    body_values = operator.attrgetter(*_Body.COLUMNS)
    contact_values = operator.attrgetter(*_Contact.COLUMNS)
    bodies = draft.bodies.values()
    parts = (
        sorted((u.pk, u.code, u.name, u.level) for u in units.by_code.values()),
        sorted(body_values(body) for body in bodies),
        sorted(contact_values(c) for body in bodies for c in body.contacts.values()),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- Applying the plan ---------------------------------------------------------------


@without_cyclic_gc
@transaction.atomic
def contact_list_import(
    *,
    contact_import: ContactImport,
    plan: ImportPlan,
    now: datetime.datetime | None = None,
    draft: "_Draft | None" = None,
    mode: str = ImportMode.ADD_UPDATE,
) -> ContactImport:
    """Apply a checked plan to the draft: every row, or none. `draft` is the
    draft as read in this transaction, if the caller has read it (the plan's
    bodies and people are found in it by id).

    1. Refuse a plan with errors, or an import already applied.
    2. Create missing bodies, update changed or moved ones (with audit rows).
    3. Create missing contacts, update changed or renamed ones (with audit
       rows).
    4. In ImportMode.WHOLE_LIST, remove the plan's removals (with audit
       rows).
    5. Record the counts on the import and mark the draft changed.
    """
    election_ensure_open(contact_import.contact_list.election_id)
    now = now or timezone.now()
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was saved."))
    claimed = ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.APPLIED, applied_at=now)
    if claimed != 1:
        raise ValidationError(already_done_message())
    contact_list = contact_import.contact_list
    counts = {action: plan.count(action) for action in vars(RowAction).values()}
    removals = plan.removals if mode == ImportMode.WHOLE_LIST else []
    writes = bool(counts[RowAction.CREATE] or counts[RowAction.UPDATE] or removals)
    if writes:
        loaded = draft or _Draft.load(contact_list)
        writer = _Writer(history_date=timezone.now())
        new = _apply_bodies(contact_list, plan, loaded, writer)
        _apply_contacts(plan, loaded, new, writer)
        _apply_removals(removals, loaded, writer)
    ContactImport.objects.filter(pk=contact_import.pk).update(
        created_count=counts[RowAction.CREATE],
        updated_count=counts[RowAction.UPDATE],
        unchanged_count=counts[RowAction.UNCHANGED],
        removed_count=sum(r.people for r in removals),
    )
    if writes:
        draft_touch(contact_list, now)
    contact_import.refresh_from_db()
    return contact_import


def _apply_bodies(
    contact_list: ContactList, plan: ImportPlan, draft: "_Draft", writer: "_Writer"
) -> dict[tuple, "_Body"]:
    """Every row counts here, unchanged ones too: the first row of a new body
    gives its columns, and the last row of a changed body wins. The new
    bodies, by key."""
    new: dict[tuple, _Body] = {}
    changed: dict[int, _Body] = {}
    for item in plan.rows:
        row, unit = item.row, item.unit
        if item.body_id is not None:
            body = draft.by_id[item.body_id]
            if _body_differs(body, row, unit):
                body.unit_id, body.level = unit.pk, unit.level
                body.polling_areas, body.location = row.polling_areas, row.location
                changed[body.id] = body
            continue
        key = item.key or _body_key(row.body_kind, unit.pk, row.body_name)
        if key not in new:
            new[key] = _Body(
                uid=writer.new_uid(),
                contact_list_id=contact_list.pk,
                kind=row.body_kind,
                level=unit.level,
                unit_id=unit.pk,
                name=row.body_name,
                polling_areas=row.polling_areas,
                location=row.location,
            )
    if new:
        writer.create(ElectionBody, list(new.values()))
    if changed:
        writer.update(ElectionBody, list(changed.values()), BODY_FIELDS)
    return new


def _apply_contacts(
    plan: ImportPlan, draft: "_Draft", new_bodies: dict, writer: "_Writer"
) -> None:
    """Rows the plan found unchanged are skipped; a row's person is the one
    the plan matched (by name, or by position for a renamed one)."""
    new: list[_Contact] = []
    changed: dict[int, _Contact] = {}
    for item in plan.rows:
        if item.action == RowAction.UNCHANGED:
            continue
        row = item.row
        phones = " ".join(row.phones)
        if item.contact_id is None:
            if item.body_id is not None:
                body_id = item.body_id
            else:
                key = item.key or _body_key(row.body_kind, item.unit.pk, row.body_name)
                body_id = new_bodies[key].id
            new.append(
                _Contact(
                    uid=writer.new_uid(),
                    body_id=body_id,
                    full_name=row.full_name,
                    position=row.position,
                    phones=phones,
                    email=row.email,
                    note=row.note,
                )
            )
            continue
        contact = draft.people[item.contact_id]
        if _contact_differs(contact, row):
            if _fold(contact.full_name) != _fold(row.full_name):
                contact.full_name = row.full_name
            contact.position, contact.phones = row.position, phones
            contact.email, contact.note = row.email, row.note
            changed[contact.id] = contact
    if new:
        writer.create(Contact, new)
    if changed:
        writer.update(Contact, list(changed.values()), CONTACT_FIELDS)


def _apply_removals(
    removals: list[Removal], draft: "_Draft", writer: "_Writer"
) -> None:
    """The people first, then their bodies (a body's contacts go with it)."""
    people: list[_Contact] = []
    bodies: list[_Body] = []
    for removal in removals:
        body = draft.by_id[removal.body_id]
        if removal.contact_id is None:
            bodies.append(body)
            people.extend(body.everyone)
        else:
            people.append(draft.people[removal.contact_id])
    if people:
        writer.delete(Contact, people)
    if bodies:
        writer.delete(ElectionBody, bodies)


# --- Writing rows and their audit trail --------------------------------------------


# The two models the import writes.
_Written = type[ElectionBody] | type[Contact]


class _Writer:
    """Inserts and updates draft rows with their django-simple-history rows.

    The SQL is built from model metadata (quoted table and column names);
    every value is a parameter or goes through COPY's escaping.

    PostgreSQL gets COPY (about five times faster than INSERTs;
    docs/conventions.md, "PostgreSQL"); SQLite gets executemany, one prepared
    statement for all the rows. New rows' ids are read back by their uids,
    which are made here as the model field's default would make them.
    """

    def __init__(self, *, history_date: datetime.datetime) -> None:
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            self.history_date: str | None = history_date.isoformat()
        else:
            self.history_date = connection.ops.adapt_datetimefield_value(history_date)
        self._uids: list[str] = []

    def new_uid(self) -> str:
        """A uid as the model field's default (uuid.uuid4) makes it, in hex
        (both databases read it so). Made 1,000 at a time: uuid4 costs about
        2 µs a uid, mostly building the UUID object."""
        if not self._uids:
            self._uids = _random_uids(1000)
        return self._uids.pop()

    def columns(self, model: _Written) -> list[str]:
        """The columns a new row of `model` is written with: every one the
        model has, but the id on SQLite (the database gives it)."""
        return [f.column for f in self._fields(model)]

    def _fields(self, model: _Written) -> list:
        fields = model._meta.concrete_fields
        return [f for f in fields if self.postgresql or not f.primary_key]

    def create(self, model: _Written, items: list) -> None:
        if self.postgresql:
            # Take the ids from the table's sequence first, then COPY them in.
            for item, id in zip(items, self._next_ids(model, len(items)), strict=True):
                item.id = id
        fields = self._fields(model)
        values = operator.attrgetter(*(f.attname for f in fields))
        rows = [values(item) for item in items]
        self._insert(model._meta.db_table, [f.column for f in fields], rows)
        if not self.postgresql:
            ids = self._ids_by_uid(model, items)
            for item in items:
                item.id = ids[item.uid]
        self._history(model, items, "+")

    def _next_ids(self, model: _Written, count: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            # The sequence is looked up once, in the CTE: called on each row,
            # pg_get_serial_sequence took nine tenths of the time (130 ms
            # for 50,000 ids, 23 ms this way).
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT "
                "pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                [table, count],
            )
            return [id for (id,) in cursor.fetchall()]

    def _ids_by_uid(self, model: _Written, items: list) -> dict:
        """SQLite: the new rows' ids by uid, from the ids of all the draft's
        rows (one query, rather than a long IN list)."""
        if model is ElectionBody:
            list_id = items[0].contact_list_id
            query: QuerySet = ElectionBody.objects.filter(
                contact_list_id=list_id, version=None
            )
        else:
            list_id = ElectionBody.objects.get(pk=items[0].body_id).contact_list_id
            query = Contact.objects.filter(
                body__contact_list_id=list_id, body__version=None
            )
        return dict(_raw_rows(query.order_by().values_list("uid", "id")))

    def update(self, model: _Written, items: list, fields: tuple) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        rows = [[*(getattr(item, f) for f in fields), item.id] for item in items]
        with connection.cursor() as cursor:
            if self.postgresql:
                self._update_from_values(cursor, table, fields, rows)
            else:
                sets = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in fields)
                sql = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608
                cursor.executemany(sql, rows)
        self._history(model, items, "~")

    def _update_from_values(self, cursor, table: str, fields: tuple, rows) -> None:
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(f)} = v.{qn(f)}" for f in fields)
        names = ", ".join(qn(f) for f in fields)
        placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            values = ", ".join([placeholder] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) "  # noqa: S608
                f"AS v({names}, id) WHERE {table}.id = v.id::bigint",
                [value for row in batch for value in row],
            )

    def delete(self, model: _Written, items: list) -> None:
        """Remove rows, with the audit rows django-simple-history writes for
        a deletion ("-", the row as it was). Rows of other tables that may
        point at them are let go first as their on_delete says (a roll
        call's contact: SET_NULL); any other reference stops the import
        at the database's foreign-key check."""
        self._history(model, items, "-")
        ids = [item.id for item in items]
        referrers = {
            relation.field.name: relation.related_model._base_manager
            for relation in model._meta.get_fields(include_hidden=True)
            if isinstance(relation, ForeignObjectRel)
            and relation.related_model is not None
            and relation.on_delete is SET_NULL
        }
        table = connection.ops.quote_name(model._meta.db_table)
        for start in range(0, len(ids), 500):  # SQLite's parameter limit
            batch = ids[start : start + 500]
            for name, manager in referrers.items():
                manager.filter(**{f"{name}__in": batch}).update(**{name: None})
            marks = ", ".join(["%s"] * len(batch))
            with connection.cursor() as cursor:
                sql = f"DELETE FROM {table} WHERE id IN ({marks})"  # noqa: S608
                cursor.execute(sql, batch)

    def history_columns(self, model: _Written) -> list[str]:
        """The columns of `model`'s audit rows written: all but their own id."""
        return [f.column for f in _history_fields(model)]

    def _history(self, model: _Written, items: list, history_type: str) -> None:
        """What bulk_history_create writes: every tracked column, the date,
        no change reason, the type, and the request's user (middleware).
        The columns are the audit table's: one the row does not have and
        that is not among these four stops the import."""
        history = model.history.model
        user = history.get_default_history_user(None)
        audit = {
            "history_date": self.history_date,
            "history_change_reason": None,
            "history_type": history_type,
            "history_user_id": user.pk if user else None,
        }
        fields = _history_fields(model)
        tracked = [f for f in fields if f.attname not in audit]
        added = [f for f in fields if f.attname in audit]
        values = operator.attrgetter(*(f.attname for f in tracked))
        tail = tuple(audit[f.attname] for f in added)
        rows = [(*values(item), *tail) for item in items]
        columns = [f.column for f in (*tracked, *added)]
        self._insert(history._meta.db_table, columns, rows)

    def _insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence]
    ) -> None:
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgresql:
                _copy(cursor, f"COPY {qn(table)} ({names}) FROM STDIN", rows)
            else:
                values = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({values})"  # noqa: S608
                cursor.executemany(sql, rows)


def _history_fields(model: _Written) -> list:
    fields = model.history.model._meta.concrete_fields
    return [f for f in fields if not f.primary_key]


def _random_uids(count: int) -> list[str]:
    """`count` version-4 UUIDs in hex, as uuid.uuid4().hex makes them: random
    bits, with the version (4) and the RFC 4122 variant (8, 9, a or b) set in
    the 13th and 17th digits. One os.urandom call for them all."""
    digits = os.urandom(16 * count).hex()
    uids = []
    for start in range(0, 32 * count, 32):
        uid = digits[start : start + 32]
        variant = "89ab"[int(uid[16], 16) & 3]
        uids.append(f"{uid[:12]}4{uid[13:16]}{variant}{uid[17:]}")
    return uids


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy(cursor, sql: str, rows: Sequence[Sequence]) -> None:
    """COPY … FROM STDIN in text format."""
    raw = cursor.cursor
    if not hasattr(raw, "copy_expert"):  # psycopg 3
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    raw.copy_expert(sql, _CopyText(rows))


class _CopyText:
    """The file psycopg2's copy_expert reads: each read formats the next
    1,000 rows. The database stores rows while the next ones are formatted
    (on the other CPU), instead of waiting for the whole text, and the text
    never sits in memory whole."""

    def __init__(self, rows: Sequence[Sequence]) -> None:
        self.rows = rows
        self.start = 0

    def read(self, size: int = -1) -> str:
        batch = self.rows[self.start : self.start + 1000]
        self.start += len(batch)
        return _copy_text(batch) if batch else ""


def _copy_text(rows: Sequence[Sequence]) -> str:
    """Rows in COPY's text format. Text rarely holds a tab, newline or
    backslash: one search over all of it decides whether to escape."""
    texts = "".join(value for row in rows for value in row if type(value) is str)
    escape = _COPY_SPECIAL.search(texts) is not None
    lines = []
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("\\N")
            elif type(value) is str:
                cells.append(value.translate(_COPY_ESCAPES) if escape else value)
            else:
                cells.append(str(value))
        lines.append("\t".join(cells))
    lines.append("")
    return "\n".join(lines)


@transaction.atomic
def contact_import_discard(*, contact_import: ContactImport) -> None:
    election_ensure_open(contact_import.contact_list.election_id)
    ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.DISCARDED)
    plan_forget(contact_import)
