"""Incident reports and live-board refreshes under concurrent load, beside
a bare Django view that inserts one row (the ceiling), all on one
gunicorn server with PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
      .venv/bin/python bench/incident_load.py --users 20 --seconds 30

The database named in DATABASE_URL is dropped and created again (its name
must start with "bench"). The script migrates it, loads the Thanh Hóa
case, logs the demo users in (sessions are made beforehand, so the slow
password hash is not measured), then runs locust (bench/locustfile.py) on
loopback against gunicorn with the production settings, one scenario after
another for the same time each:

1. ceiling: POST to a view that inserts one row, no session, no template;
2. reports: open the report form, send it (one in ten critical, which also
   writes the districts' notices to the outbox and wakes the worker
   through Redis);
3. board: Department staff's live board refresh (htmx), over every
   incident the second scenario reported.

It prints a Markdown table and checks that the database holds exactly the
reports the server accepted.
"""

import argparse
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
# (locust user class, [(row label, request name), ...])
SCENARIOS = [
    ("Ceiling", [("bare view inserting one row", "ceiling: insert one row")]),
    (
        "Reporter",
        [
            ("report form opened", "report form"),
            ("incident report sent", "report sent"),
        ],
    ),
    ("BoardWatcher", [("live board refresh (htmx)", "live board refresh")]),
]


def server_env(args) -> dict:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "PYTHONPATH": str(ROOT),
    }


def recreate_database(url: str) -> None:
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(
            f"Refusing to drop {name!r}: the database's name must start with 'bench'."
        )
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True
    )


def prepare(env: dict, config_path: Path) -> None:
    """Migrate, seed, and write the clients' sessions and units."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.load_urls import CEILING_TABLE
    from contacts.selectors import election_current
    from contacts.services import demo_users_ensure
    from incidents.forms import PICKER, units_of_province

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {CEILING_TABLE} (id bigserial primary key, at timestamptz)"
        )
    users = {u.username: u for u in demo_users_ensure(password="bench-password-1")}

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    reporters = [
        users[n] for n in ("telecom", "telecom2", "postal", "district", "district2")
    ]
    province = election_current().province
    moment = timezone.localtime() - datetime.timedelta(hours=1)
    config = {
        "reporter_sessions": [session(u) for u in reporters for _ in range(10)],
        "staff_session": session(users["staff"]),
        "units": [
            str(pk) for pk in units_of_province(province).values_list("pk", flat=True)
        ],
        "moment": moment.strftime(PICKER),
    }
    config_path.write_text(json.dumps(config), encoding="utf-8")
    connection.close()


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            sys.exit("gunicorn did not start")
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not answer")


def run_locust(args, env: dict, scenario: str, prefix: str) -> dict:
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{args.seconds}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            prefix,
            scenario,
        ],
        cwd=ROOT,
        env=env,
        check=False,  # locust exits 1 when any request failed: reported below
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent clients")
    parser.add_argument("--seconds", type=int, default=30, help="per scenario")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database whose name starts with 'bench'."
        )

    recreate_database(url)
    env = server_env(args)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    config = work / "config.json"
    prepare(env, config)
    env["BENCH_LOAD_CONFIG"] = str(config)

    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    rows = []
    try:
        wait_until_up(f"http://127.0.0.1:{args.port}", server)
        for scenario, requests in SCENARIOS:
            stats = run_locust(args, env, scenario, str(work / scenario))
            rows += [(label, stats[name]) for label, name in requests]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    from django.db import connection

    from incidents.models import Incident

    reported = Incident.objects.count()
    distinct = Incident.objects.values("description").distinct().count()
    sent = dict(rows)["incident report sent"]
    accepted = int(sent["Request Count"]) - int(sent["Failure Count"])
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print(
        f"\n{args.users} concurrent clients, {args.seconds} s per scenario, "
        f"gunicorn with {args.workers} sync workers, {connection.vendor}; "
        f"the board shows 50 of the {reported:,} incidents reported\n"
    )
    print("| scenario | requests | errors | requests/s | median | p95 | p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, row in rows:
        print(
            f"| {label} | {int(row['Request Count']):,} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.0f} | {row['50%']} ms | {row['95%']} ms | "
            f"{row['99%']} ms |"
        )
    print(
        f"\nReports accepted (HTTP 302) within the run: {accepted:,}; incidents in "
        f"the database: {reported:,}, of which sent twice: {reported - distinct:,}."
    )
    # Requests in flight when the clients stop are saved but not counted.
    if reported < accepted or reported != distinct:
        sys.exit("The database does not hold exactly the reports sent.")


if __name__ == "__main__":
    main()
