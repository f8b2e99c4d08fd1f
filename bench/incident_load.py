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
import datetime
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_harness import (  # noqa: E402 (after the path is set)
    bench_database_url,
    django_setup,
    gunicorn,
    manage,
    recreate_database,
    run_locust,
    server_env,
    session_of,
)

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


def prepare(env: dict, config_path: Path) -> None:
    """Migrate, seed, and write the clients' sessions and units."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    django_setup(env)
    from django.db import connection
    from django.utils import timezone

    from bench.load_urls import CEILING_TABLE
    from contacts.selectors import election_current
    from demo.users import demo_users_ensure
    from incidents.forms import PICKER, units_of_province

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {CEILING_TABLE} (id bigserial primary key, at timestamptz)"
        )
    users = {u.username: u for u in demo_users_ensure(password="bench-password-1")}
    reporters = [
        users[n] for n in ("telecom", "telecom2", "postal", "district", "district2")
    ]
    province = election_current().province
    moment = timezone.localtime() - datetime.timedelta(hours=1)
    config = {
        "reporter_sessions": [session_of(u) for u in reporters for _ in range(10)],
        "staff_session": session_of(users["staff"]),
        "units": [
            str(pk) for pk in units_of_province(province).values_list("pk", flat=True)
        ],
        "moment": moment.strftime(PICKER),
    }
    config_path.write_text(json.dumps(config), encoding="utf-8")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent clients")
    parser.add_argument("--seconds", type=int, default=30, help="per scenario")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = bench_database_url()

    recreate_database(url)
    env = server_env(args.port)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    config = work / "config.json"
    prepare(env, config)
    env["BENCH_LOAD_CONFIG"] = str(config)

    rows = []
    try:
        with gunicorn(env, port=args.port, workers=args.workers):
            for scenario, requests in SCENARIOS:
                stats = run_locust(
                    locustfile="locustfile.py",
                    env=env,
                    port=args.port,
                    users=args.users,
                    spawn_rate=args.users,
                    seconds=args.seconds,
                    prefix=str(work / scenario),
                    options=(scenario,),
                )
                rows += [(label, stats[name]) for label, name in requests]
    finally:
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
