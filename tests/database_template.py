"""The test database of every pytest process, built by the migrations once
per set of migrations, on SQLite (a newcomer's `make test`).

Applying the 60-odd migrations of the project and of Django's apps takes
about 8 s of a core; each pytest process (the serial session, every xdist
worker, every later run) did it again for an in-memory database that comes
out the same. The first process to need it migrates as usual and copies the
result into var/test-databases/<key>.sqlite3, the key a hash of every
migration file, of Django's and SQLite's versions; the next ones copy that
file into their in-memory database (SQLite's backup API, milliseconds). A
changed migration changes the key, so it is migrated again. PostgreSQL (CI)
and a file database are migrated as before.
"""

import hashlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import cast

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.test.utils import setup_databases, teardown_databases

FOLDER = settings.VAR_DIR / "test-databases"


def _key() -> str:
    digest = hashlib.sha256()
    for part in (django.__version__, sqlite3.sqlite_version, sys.version):
        digest.update(part.encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted(Path(config.path).glob("migrations/*.py")):
            digest.update(str(path.relative_to(config.path)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_creation() -> SQLiteCreation:
    return cast(SQLiteCreation, connection.creation)


def _in_memory() -> bool:
    if connection.vendor != "sqlite" or len(settings.DATABASES) != 1:
        return False
    return _sqlite_creation().is_in_memory_db(_test_name())


def _test_name() -> str:
    name = _sqlite_creation()._get_test_db_name()  # type: ignore[attr-defined]
    return str(name)  # (not in django-stubs)


def databases_setup(verbosity: int) -> list:
    """What django.test.utils.setup_databases does, from the kept copy where
    there is one; returns what `databases_teardown` needs."""
    if not _in_memory():
        return setup_databases(verbosity=verbosity, interactive=False)
    kept = FOLDER / f"{_key()}.sqlite3"
    if not kept.exists():
        databases = setup_databases(verbosity=verbosity, interactive=False)
        _keep(kept)
        return databases
    old_name = connection.settings_dict["NAME"]
    connection.close()
    test_name = _test_name()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    source = sqlite3.connect(kept)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    call_command("createcachetable", database=connection.alias)
    return [(connection, old_name, True)]


def _keep(kept: Path) -> None:
    """Copy the migrated database to `kept`, written aside and renamed, as
    two xdist workers may both be the first; older copies are removed."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    written = kept.with_suffix(f".{os.getpid()}.tmp")
    target = sqlite3.connect(written)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(written, kept)
    for old in FOLDER.glob("*.sqlite3"):
        if old != kept:
            old.unlink(missing_ok=True)


def databases_teardown(databases: list, verbosity: int) -> None:
    teardown_databases(databases, verbosity=verbosity)
