"""A backup is a PostgreSQL dump plus the media folder (README "Backups");
the dump, restored into an empty database, holds the same rows."""

import datetime
import io
import shutil
import subprocess

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from demo.scale_data import scale_data_generate
from tests.conftest import need
from tests.demo.test_scale_data import TINY
from tests.factories import VN

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _digests(cursor, tables: list[str]) -> dict[str, tuple]:
    """Each table's row count and a hash of all its rows, in a fixed order."""
    found = {}
    for table in tables:
        cursor.execute(
            f"SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608 (names from the catalogue)
        )
        found[table] = cursor.fetchone()
    return found


def _admin(settings_dict) -> psycopg2.extensions.connection:
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
    )
    admin.autocommit = True
    return admin


def _tool(name: str, *args: str, settings_dict) -> None:
    subprocess.run(
        [
            name,
            "--host",
            settings_dict["HOST"] or "127.0.0.1",
            "--port",
            str(settings_dict["PORT"] or 5432),
            "--username",
            settings_dict["USER"],
            *args,
        ],
        check=True,
        capture_output=True,
        env={"PGPASSWORD": settings_dict["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
    )


def test_a_dump_restored_into_an_empty_database_has_the_same_rows(tmp_path):
    need(connection.vendor == "postgresql", "the backup is a PostgreSQL dump")
    need(
        shutil.which("pg_dump") and shutil.which("pg_restore"),
        "pg_dump and pg_restore (Debian's postgresql-client) are not installed",
    )
    call_command("load_seed", stdout=io.StringIO())
    scale_data_generate(
        spec=TINY, seed=5, now=datetime.datetime(2021, 5, 20, 9, tzinfo=VN)
    )
    settings_dict = connection.settings_dict
    tables = sorted(
        t
        for t in connection.introspection.table_names()
        if t.split("_")[0]
        in ("contacts", "incidents", "readiness", "auth", "django", "axes")
    )
    with connection.cursor() as cursor:
        before = _digests(cursor, tables)
    assert before["contacts_contact"][0] > 0 and before["incidents_incident"][0] > 0

    dump = tmp_path / "backup.dump"
    _tool(
        "pg_dump",
        "--format=custom",
        f"--file={dump}",
        settings_dict["NAME"],
        settings_dict=settings_dict,
    )
    restored = f"{settings_dict['NAME']}_restored"
    admin = _admin(settings_dict)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
            cursor.execute(f'CREATE DATABASE "{restored}"')
        _tool(
            "pg_restore",
            "--no-owner",
            f"--dbname={restored}",
            str(dump),
            settings_dict=settings_dict,
        )
        copy = psycopg2.connect(
            dbname=restored,
            user=settings_dict["USER"],
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            password=settings_dict["PASSWORD"] or None,
        )
        try:
            with copy.cursor() as cursor:
                after = _digests(cursor, tables)
        finally:
            copy.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        admin.close()

    assert after == before
