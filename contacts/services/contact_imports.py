"""Importing a contact-list file into a district's draft: the plan of changes
that the preview shows, then "Confirm the import", which applies every row or
none. Re-exported by contacts.services.contact_lists, where the views, the
demo loader and the tests import it from.

Sized for 50,000-row files (docs/performance.md, "Contact-list import"):

- the draft is read with two plain queries into small objects, not model
  instances with a prefetch: once by `import_plan`, and again inside
  `contact_list_import`'s transaction, so that rows are compared with the
  draft as it is when they are written;
- an import that changes nothing writes nothing;
- new and changed bodies and contacts are written with one statement per
  table and kind of change (COPY on PostgreSQL), with the audit-trail rows
  that django-simple-history's bulk_create_with_history and
  bulk_update_with_history would write ("+" for a new row, "~" for a changed
  one, the request's user). Building 140,000 model instances and compiling
  their INSERTs took most of the time before. The COPY text is formatted
  while the database stores the rows before it (_CopyText);
- `import_plan` and `contact_list_import` run with the garbage collector
  paused (contacts.importers.bulk).
"""

import datetime
import functools
import operator
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.importers import ContactRow, RowError
from contacts.importers.bulk import without_cyclic_gc
from contacts.models import (
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactImport,
    ContactList,
    ElectionBody,
    ImportStatus,
    UnitLevel,
)
from contacts.selectors.units import district_unit
from contacts.services.closure import election_ensure_open

BODY_FIELDS = ("polling_areas", "location")
CONTACT_FIELDS = ("position", "phones", "email", "note")


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


# --- The plan ------------------------------------------------------------------


class RowAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class RowPlan:
    row: ContactRow
    action: str
    unit: AdministrativeUnit
    # The row's body in the draft: _body_key(kind, unit id, name).
    key: tuple = ()


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


@without_cyclic_gc
def import_plan(
    *, contact_list: ContactList, rows: list[ContactRow], unit_column: str
) -> ImportPlan:
    """Compare parsed rows with the draft (four queries, whatever the size)."""
    units = DistrictUnits.load(district_unit(contact_list.organisation))
    bodies = _Draft.load(contact_list).bodies
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
        key = _body_key(row.body_kind, unit.pk, row.body_name)
        action = _row_action(row, bodies.get(key))
        plan.rows.append(RowPlan(row=row, unit=unit, action=action, key=key))
    return plan


def _body_key(kind: str, unit_id: int, name: str) -> tuple:
    return (kind, unit_id, _fold(name))


def _row_action(row: ContactRow, body: "_Body | None") -> str:
    if body is None:
        return RowAction.CREATE
    contact = body.contacts.get(_fold(row.full_name))
    if contact is None:
        return RowAction.CREATE
    changed = _body_differs(body, row) or _contact_differs(contact, row)
    return RowAction.UPDATE if changed else RowAction.UNCHANGED


def _body_differs(body: "_Body", row: ContactRow) -> bool:
    return body.polling_areas != row.polling_areas or body.location != row.location


def _contact_differs(contact: "_Contact", row: ContactRow) -> bool:
    return (
        contact.position != row.position
        or contact.phones != " ".join(row.phones)
        or contact.email != row.email
        or contact.note != row.note
    )


# --- The draft, read without model instances ---------------------------------------


class _Body:
    """A draft ElectionBody's columns (and its contacts by folded name). The
    uid is as the database stores it (text on SQLite, uuid on PostgreSQL)."""

    __slots__ = (
        "id",
        "uid",
        "contact_list_id",
        "kind",
        "level",
        "unit_id",
        "name",
        "polling_areas",
        "location",
        "contacts",
    )
    COLUMNS = __slots__[:-1]

    def __init__(
        self, id, uid, contact_list_id, kind, level, unit_id, name, areas, location
    ) -> None:
        self.id, self.uid, self.contact_list_id = id, uid, contact_list_id
        self.kind, self.level, self.unit_id, self.name = kind, level, unit_id, name
        self.polling_areas, self.location = areas, location
        self.contacts: dict[str, _Contact] = {}


class _Contact:
    """A draft Contact's columns."""

    __slots__ = (
        "id",
        "uid",
        "body_id",
        "full_name",
        "position",
        "phones",
        "email",
        "note",
    )
    COLUMNS = __slots__

    def __init__(self, id, uid, body_id, full_name, position, phones, email, note):
        self.id, self.uid, self.body_id = id, uid, body_id
        self.full_name, self.position, self.phones = full_name, position, phones
        self.email, self.note = email, note


@dataclass
class _Draft:
    bodies: dict[tuple, _Body]

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
                by_id[contact.body_id].contacts[_fold(contact.full_name)] = contact
        return cls(bodies=bodies)


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list query as the database driver returns them."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Applying the plan ---------------------------------------------------------------


@without_cyclic_gc
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
    election_ensure_open(contact_import.contact_list.election_id)
    now = now or timezone.now()
    if not plan.is_valid:
        raise ValidationError(_("The file has errors; nothing was saved."))
    claimed = ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.APPLIED, applied_at=now)
    if claimed != 1:
        raise ValidationError(_("This file has already been imported or discarded."))
    contact_list = contact_import.contact_list
    counts = {action: plan.count(action) for action in vars(RowAction).values()}
    if counts[RowAction.CREATE] or counts[RowAction.UPDATE]:
        bodies = _Draft.load(contact_list).bodies
        writer = _Writer(history_date=timezone.now())
        _apply_bodies(contact_list, plan, bodies, writer)
        _apply_contacts(plan, bodies, writer)
    ContactImport.objects.filter(pk=contact_import.pk).update(
        created_count=counts[RowAction.CREATE],
        updated_count=counts[RowAction.UPDATE],
        unchanged_count=counts[RowAction.UNCHANGED],
    )
    if counts[RowAction.CREATE] or counts[RowAction.UPDATE]:
        draft_touch(contact_list, now)
    contact_import.refresh_from_db()
    return contact_import


def _apply_bodies(
    contact_list: ContactList, plan: ImportPlan, bodies: dict, writer: "_Writer"
) -> None:
    """Every row counts here, unchanged ones too: the first row of a new body
    gives its columns, and the last row of a changed body wins."""
    new: dict[tuple, _Body] = {}
    changed: dict[tuple, _Body] = {}
    for item in plan.rows:
        row = item.row
        key = item.key or _body_key(row.body_kind, item.unit.pk, row.body_name)
        body = bodies.get(key)
        if body is None and key not in new:
            new[key] = _Body(
                None,
                writer.new_uid(),
                contact_list.pk,
                row.body_kind,
                item.unit.level,
                item.unit.pk,
                row.body_name,
                row.polling_areas,
                row.location,
            )
        elif body is not None and _body_differs(body, row):
            body.polling_areas, body.location = row.polling_areas, row.location
            changed[key] = body
    if new:
        writer.create(ElectionBody, list(new.values()))
        bodies.update(new)
    if changed:
        writer.update(ElectionBody, list(changed.values()), BODY_FIELDS)


def _apply_contacts(plan: ImportPlan, bodies: dict, writer: "_Writer") -> None:
    """Rows the plan found unchanged are skipped; a contact is matched by its
    folded name among the contacts the body had before the import."""
    new: list[_Contact] = []
    changed: list[_Contact] = []
    for item in plan.rows:
        if item.action == RowAction.UNCHANGED:
            continue
        row = item.row
        body = bodies[item.key or _body_key(row.body_kind, item.unit.pk, row.body_name)]
        phones = " ".join(row.phones)
        contact = body.contacts.get(_fold(row.full_name)) if body.contacts else None
        if contact is None:
            new.append(
                _Contact(
                    None,
                    writer.new_uid(),
                    body.id,
                    row.full_name,
                    row.position,
                    phones,
                    row.email,
                    row.note,
                )
            )
        elif _contact_differs(contact, row):
            contact.position, contact.phones = row.position, phones
            contact.email, contact.note = row.email, row.note
            changed.append(contact)
    if new:
        writer.create(Contact, new)
    if changed:
        writer.update(Contact, changed, CONTACT_FIELDS)


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

    def create(self, model: _Written, items: list) -> None:
        if self.postgresql:
            # Take the ids from the table's sequence first, then COPY them in.
            for item, id in zip(items, self._next_ids(model, len(items)), strict=True):
                item.id = id
            columns = items[0].COLUMNS
        else:
            columns = items[0].COLUMNS[1:]  # all but the id
        values = operator.attrgetter(*columns)
        self._insert(model._meta.db_table, columns, [values(item) for item in items])
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

    def _history(self, model: _Written, items: list, history_type: str) -> None:
        """What bulk_history_create writes: every tracked column, the date,
        no change reason, the type, and the request's user (middleware)."""
        history = model.history.model
        user = history.get_default_history_user(None)
        tail = (self.history_date, None, history_type, user.pk if user else None)
        columns = items[0].COLUMNS
        values = operator.attrgetter(*columns)
        rows = [(*values(item), *tail) for item in items]
        self._insert(
            history._meta.db_table,
            (
                *columns,
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            ),
            rows,
        )

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


def contact_import_discard(*, contact_import: ContactImport) -> None:
    election_ensure_open(contact_import.contact_list.election_id)
    ContactImport.objects.filter(
        pk=contact_import.pk, status=ImportStatus.UPLOADED
    ).update(status=ImportStatus.DISCARDED)
