"""Bulk inserts for the scale-data generator: COPY on PostgreSQL (ids
reserved from the sequence first, so that children can point at them),
bulk_create elsewhere (SQLite, for the tests), and the audit rows
(django-simple-history) waiting to be written."""

import copy
import datetime
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model

BATCH = 2000


@contextmanager
def _given_times(model: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the times set on the objects: auto_now(_add)
    would stamp them all with the moment of the run."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _add in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in stamped:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime.date | datetime.datetime):
        value = value.isoformat()
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[Model], objs: list[Model], *, ids: bool) -> None:
    """COPY the objects in; with `ids`, take their ids from the sequence
    first so that children can point at them."""
    concrete = list(model._meta.concrete_fields)
    if ids:
        for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
    else:
        concrete = [f for f in concrete if not f.primary_key]
    buffer = io.StringIO()
    for obj in objs:
        buffer.write("\t".join(_copy_text(getattr(obj, f.attname)) for f in concrete))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in concrete)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def insert(objs: list[Model], *, ids: bool = True) -> list[Model]:
    """Insert objects of one model in bulk; with `ids`, each gets its id."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor == "postgresql":
        _copy(model, objs, ids=ids)
    else:
        with _given_times(model):
            model._default_manager.bulk_create(objs, batch_size=BATCH)
    return objs


@dataclass
class Audit:
    """Historical rows waiting to be written, by model."""

    rows: dict[type[Model], list[Model]] = field(default_factory=dict)

    def add(
        self,
        obj: Model,
        at: datetime.datetime,
        *,
        user_id: int | None,
        kind: str = "+",
        **then: object,
    ) -> None:
        """Record `obj` as it was at `at` (its fields, changed by `then`)."""
        if then:
            obj = copy.copy(obj)
            for name, value in then.items():
                setattr(obj, name, value)
        history = type(obj).history.model
        row = history(
            history_date=at,
            history_type=kind,
            history_user_id=user_id,
            **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
        )
        self.rows.setdefault(history, []).append(row)

    def write(self) -> int:
        written = 0
        for rows in self.rows.values():
            written += len(insert(rows, ids=False))
        self.rows.clear()
        return written
