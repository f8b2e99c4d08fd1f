"""Which queries of the pages people read scan a big table from end to end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/python bench/explain_pages.py [--scale country] [--min-rows 20000]

Opens every page of tests/pages.py once, on the database bench/pages.py
filled for the scale (bench_pages_<scale> on DATABASE_URL's server), runs EXPLAIN on each query the page made, and
lists the sequential scans of tables with more than --min-rows rows, with
the query's own time. A scan of a whole table is right when the page needs
most of its rows (the dashboard counts every organisation's cells); it is a
missing index when the page needs a few.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import SCALES, database_url  # noqa: E402 (bench/pages.py)


def _seq_scans(plan: dict, big: dict[str, int]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child, big)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-rows", type=int, default=20_000)
    parser.add_argument("--full", action="store_true", help="print whole queries")
    parser.add_argument("--scale", choices=SCALES, default="country")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL server bench/pages.py used.")
    os.environ["DATABASE_URL"] = database_url(base, args.scale)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from demo.users import demo_users_ensure
    from tests.pages import PAGES, logins_move, objects_find

    setup_test_environment()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class "
            "WHERE relkind = 'r' AND reltuples > %s",
            [args.min_rows],
        )
        big = dict(cursor.fetchall())
    demo = {u.username: u for u in demo_users_ensure(password="bench-password-1")}
    objects = objects_find()
    logins_move(demo, objects)
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print(f"{args.scale} scale, tables of more than {args.min_rows:,} rows\n")
    print("| page | query time | sequential scans of big tables |")
    print("| --- | --- | --- |")
    for label, who, path, headers in PAGES:
        url = path(objects)
        if url.endswith((".xlsx", ".csv")):
            continue  # files of every row: they read whole tables by design
        client = Client()
        client.force_login(demo[who])
        client.get(url, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers=headers)
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            scans = _seq_scans(plan[0]["Plan"], big)
            if scans:
                print(
                    f"| {label} | {float(query['time']) * 1000:.0f} ms "
                    f"| {', '.join(f'{t} ({big[t]:,} rows)' for t in scans)}: "
                    f"`{sql if args.full else sql[:160] + '…'}` |"
                )


if __name__ == "__main__":
    main()
