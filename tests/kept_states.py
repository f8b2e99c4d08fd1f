"""Database states a test worker makes once and puts back for each later test
that needs them, on SQLite (a newcomer's `make test`).

The shared world of tests/conftest.py is built by about 900 tests, the demo
of the browser tests by 40; made by their factories and services each time,
they were a third of the suite's time. The first test of a worker that needs
one makes it for real and the rows it wrote are kept; a later test gets the
same rows back (plain INSERTs, a few milliseconds) and a deep copy of the
Python objects made with them, as Django's `setUpTestData` gives each test.

Two ways to put a state back:

- `kept_change`: inside a test's transaction (pytest-django's `db`), the rows
  the making added or removed, when the database is as it was before the
  making (same row count and highest row id in every table); otherwise the
  state is made for real.
- `kept_whole`: for tests that commit (`transactional_db`, the live server),
  whose database is emptied after each test: every table is emptied and
  filled as it was once the state was made.

A state is kept per day (rows are stamped with the time, and some dates
follow today's), or per instant under a stopped clock (time_machine with
tick=False); a clock moved and running makes it for real, and so does
PostgreSQL (CI). Files the making wrote under MEDIA_ROOT (an import's
spreadsheet) are kept too and written again with the rows.
"""

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

T = TypeVar("T")

# sqlite_sequence has no key of its own: it is put back whole.
_SEQUENCES = "sqlite_sequence"


@dataclass
class _Change:
    before: tuple  # the database's fingerprint before the making
    removed: dict[str, list[int]]  # table -> rowids
    added: dict[str, tuple[list[str], list[tuple]]]  # table -> columns, rows
    sequences: list[tuple]
    files: dict[Path, bytes]
    made: Any


@dataclass
class _Whole:
    tables: dict[str, tuple[list[str], list[tuple]]]
    files: dict[Path, bytes]
    made: Any


_changes: dict[str, _Change] = {}
_wholes: dict[str, _Whole] = {}


def _clock() -> str | None:
    """The time a kept state is good for: today, or the instant a stopped
    clock shows; None where none is kept (PostgreSQL, a running moved clock)."""
    if connection.vendor != "sqlite":
        return None
    if not time_machine.escape_hatch.is_travelling():
        return f"on {timezone.localdate()}"
    # time_machine tells whether its clock ticks only in its traveller.
    travellers = getattr(time_machine, "traveller_stack", None)
    if not travellers or getattr(travellers[-1], "_tick", True):
        return None
    return f"at {timezone.now().isoformat()}"


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _files_written(before: set[Path]) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in _media_files() - before}


def _files_put(files: dict[Path, bytes]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@contextlib.contextmanager
def _raw_cursor():
    """A cursor of sqlite3 itself: "?" placeholders, no query logging."""
    cursor = connection.connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def _table_names(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in cursor.fetchall()]


def _fingerprint(cursor, tables: list[str]) -> tuple:
    """Row count and highest rowid of every table, and the id sequences."""
    parts = " UNION ALL ".join(
        f'SELECT count(*), max(rowid) FROM "{table}"' for table in tables
    )
    cursor.execute(parts)
    counts = tuple(cursor.fetchall())
    return counts, tuple(_sequences(cursor))


def _sequences(cursor) -> list[tuple]:
    cursor.execute(f"SELECT name, seq FROM {_SEQUENCES} ORDER BY name")
    return cursor.fetchall()


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(f'PRAGMA table_info("{table}")')
    return [column[1] for column in cursor.fetchall()]


def _stored(columns: list[str]) -> str:
    """The columns as stored: `+column` has no declared type, so the
    connection's converters (dates, times, booleans) leave it as it is and
    it goes back unchanged."""
    return ", ".join(f'+"{column}"' for column in columns)


def _rows(cursor, table: str) -> tuple[list[str], list[tuple]]:
    columns = _columns(cursor, table)
    cursor.execute(f'SELECT {_stored(columns)} FROM "{table}"')
    return columns, cursor.fetchall()


def _rows_with_rowid(cursor, table: str) -> dict[int, tuple]:
    columns = _columns(cursor, table)
    cursor.execute(f'SELECT rowid, {_stored(columns)} FROM "{table}"')
    return {row[0]: row[1:] for row in cursor.fetchall()}


def _insert(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _sequences_put(cursor, sequences: list[tuple]) -> None:
    cursor.execute(f"DELETE FROM {_SEQUENCES}")
    cursor.executemany(f"INSERT INTO {_SEQUENCES} (name, seq) VALUES (?, ?)", sequences)


def kept_change(key: str, make: Callable[[], T]) -> T:
    """What `make()` returns, with the rows it writes, inside the test's
    transaction; made once per worker where it can be put back."""
    clock = _clock()
    if clock is None or not connection.in_atomic_block:
        return make()
    key = f"{key} {clock}"
    connection.ensure_connection()
    with _raw_cursor() as cursor:
        tables = _table_names(cursor)
        before = _fingerprint(cursor, tables)
        kept = _changes.get(key)
        if kept is not None and kept.before == before:
            for table, rowids in kept.removed.items():
                cursor.executemany(
                    f'DELETE FROM "{table}" WHERE rowid = ?',
                    [(rowid,) for rowid in rowids],
                )
            for table, (columns, rows) in kept.added.items():
                _insert(cursor, table, columns, rows)
            _sequences_put(cursor, kept.sequences)
            _files_put(kept.files)
            return copy.deepcopy(kept.made)
        if kept is not None:
            return make()
        rows_before = {table: _rows_with_rowid(cursor, table) for table in tables}
        files_before = _media_files()
        made = make()
        kept_made = copy.deepcopy(made)
        removed: dict[str, list[int]] = {}
        added: dict[str, tuple[list[str], list[tuple]]] = {}
        for table in _table_names(cursor):
            old = rows_before.get(table, {})
            now = _rows_with_rowid(cursor, table)
            gone = [rowid for rowid, row in old.items() if now.get(rowid) != row]
            new = [row for rowid, row in now.items() if old.get(rowid) != row]
            if gone:
                removed[table] = gone
            if new:
                added[table] = (_columns(cursor, table), new)
        _changes[key] = _Change(
            before,
            removed,
            added,
            _sequences(cursor),
            _files_written(files_before),
            kept_made,
        )
        return made


def kept_whole(key: str, make: Callable[[], T]) -> T:
    """What `make()` returns, the database being exactly as `make()` left it
    the first time; for a test that commits, outside any transaction."""
    clock = _clock()
    if clock is None or connection.in_atomic_block:
        return make()
    key = f"{key} {clock}"
    kept = _wholes.get(key)
    if kept is None:
        files_before = _media_files()
        made = make()
        with _raw_cursor() as cursor:
            tables = {table: _rows(cursor, table) for table in _table_names(cursor)}
            tables[_SEQUENCES] = _rows(cursor, _SEQUENCES)
        _wholes[key] = _Whole(tables, _files_written(files_before), copy.deepcopy(made))
        return made
    connection.ensure_connection()
    with _raw_cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            for table, (columns, rows) in kept.tables.items():
                cursor.execute(f'DELETE FROM "{table}"')
                _insert(cursor, table, columns, rows)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
    _files_put(kept.files)
    # Content types were made anew by the flush after the last test, with
    # other ids than the ones just put back.
    ContentType.objects.clear_cache()
    return copy.deepcopy(kept.made)
