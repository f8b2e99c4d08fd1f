"""Server time of the pages people watch on polling day, at province and
at country scale, side by side: the province dashboard, a district's and a
carrier's home page, the live incident board, the Election Committee
report and its PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/python bench/pages.py --runs 15 [--reuse]

For each scale it creates (or with --reuse keeps) a PostgreSQL database
named bench_pages_<scale> on the server of DATABASE_URL, migrates it, loads
the Thanh Hóa case (`load_seed`, with `--all` for the country) and the
synthetic data (`generate_scale_data --scale <scale> --seed 1`), then
renders each page through Django's test client in a process of its own:
the time from request to response inside Django (no network), median and
95th percentile of RUNS after two warm-up requests, and the number of SQL
queries. The PDF is timed over fewer runs (--pdf-runs).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SCALES = ("province", "country")
# (label, who, path, headers)
PAGES = [
    ("province dashboard", "staff", "/dashboard/", {}),
    ("district home page", "district", "/", {}),
    ("carrier home page", "carrier", "/", {}),
    ("live board refresh (htmx)", "staff", "/incidents/", {"HX-Request": "true"}),
    ("Election Committee report", "observer", "/report/", {}),
]
PDF = ("report PDF", "observer", "/report/report.pdf", {})


def database_url(base: str, scale: str) -> str:
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/bench_pages_{scale}"))


def prepare(scale: str, url: str, reuse: bool) -> float | None:
    """Create and fill the database; returns the generation time, or None
    when an existing one was kept."""
    import psycopg2

    name = urlparse(url).path.lstrip("/")
    admin = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reuse:
            _migrate(url)  # migrations added since it was made
            return None
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}

    def manage(*args: str) -> None:
        subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True
        )

    manage("migrate", "--noinput", "-v0")
    start = time.perf_counter()
    manage("load_seed", *(["--all"] if scale == "country" else []), "-v0")
    manage("generate_scale_data", "--scale", scale, "--seed", "1")
    return time.perf_counter() - start


def _migrate(url: str) -> None:
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def measure(runs: int, pdf_runs: int, first_round: bool) -> None:
    """In a process of its own (its DATABASE_URL): print one JSON line per page."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    from contacts.models import Membership, OrganisationKind
    from demo.users import demo_users_ensure
    from incidents.models import Incident
    from tests.pages import PAGES as EVERY_PAGE
    from tests.pages import logins_move, objects_find

    setup_test_environment()  # lets the test client's host in
    demo = {u.username: u for u in demo_users_ensure(password="bench-password-1")}
    users = {
        "staff": demo["staff"],
        "observer": demo["observer"],
        # The busiest district and carrier officers the generator made.
        "district": _busiest(Membership, OrganisationKind.DISTRICT),
        "carrier": _busiest(Membership, OrganisationKind.TELECOM),
    }
    scale = {
        "organisations": Membership.objects.values("organisation").distinct().count(),
        "incidents": Incident.objects.count(),
    }
    print(json.dumps({"scale": scale}), flush=True)
    for label, who, path, headers in [*PAGES, *([PDF] if first_round else [])]:
        is_pdf = (label, who, path, headers) == PDF
        row = _timed(
            users[who],
            path,
            headers,
            runs=pdf_runs if is_pdf else runs,
            warm_up=1 if is_pdf else 2,  # a PDF takes seconds; one is enough
        )
        print(json.dumps({"page": label, **row}), flush=True)
    # Every page people read (tests/pages.py), opened by the demo logins,
    # the district and telecom ones moved to the busiest organisations.
    objects = objects_find()
    logins_move(demo, objects)
    for label, who, path, headers in EVERY_PAGE:
        url = path(objects)
        # An export is a file of every row (the country's directory is
        # 400,000 contacts): timed once, not as a page.
        is_file = url.endswith((".xlsx", ".csv"))
        if is_file and not first_round:
            continue
        row = _timed(
            demo[who],
            url,
            headers,
            runs=1 if is_file else runs,
            warm_up=0 if is_file else 2,
        )
        print(json.dumps({"every page": label, **row}), flush=True)


def _timed(user, path: str, headers: dict, *, runs: int, warm_up: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    times = []
    for i in range(runs + warm_up):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code)
        if i >= warm_up:
            times.append(elapsed)
    return {
        "times": times,
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def _busiest(membership_model, kind):
    from django.db.models import Count

    membership = (
        membership_model.objects.filter(organisation__kind=kind)
        .annotate(n=Count("organisation__incidents"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    return membership.user


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep existing databases")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of scales")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--later-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.runs, args.pdf_runs, not args.later_round)
        return
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it).")
    results, sizes, every = {}, {}, {}
    urls = {}
    for scale in SCALES:
        urls[scale] = database_url(base, scale)
        took = prepare(scale, urls[scale], args.reuse)
        if took is not None:
            print(f"{scale}: load_seed and generate_scale_data took {took:.0f} s")
    # Rounds alternate the scales, so that a noisy neighbour slows both
    # alike and the ratio stays honest; the PDF and the exports are made in
    # the first only.
    runs = max(1, math.ceil(args.runs / args.rounds))
    for round_ in range(args.rounds):
        for scale in SCALES:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    "--runs",
                    str(runs),
                    "--pdf-runs",
                    str(args.pdf_runs),
                    *(["--later-round"] if round_ else []),
                ],
                env=os.environ | {"DATABASE_URL": urls[scale]},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rows = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
            sizes[scale] = rows[0]["scale"]
            for row in rows[1:]:
                table = results if "page" in row else every
                label = row.get("page") or row["every page"]
                kept = table.setdefault(scale, {}).setdefault(label, row)
                if kept is not row:
                    kept["times"] += row["times"]
    for table in (results, every):
        for pages in table.values():
            for row in pages.values():
                row["median"] = statistics.median(row["times"])
                row["p95"] = _p95(row["times"])
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print_table(results, sizes, args)
    print_every_page(every, args)


def _runs(args) -> str:
    runs = max(1, math.ceil(args.runs / args.rounds))
    return f"{runs * args.rounds} runs in {args.rounds} rounds alternating the scales"


def print_table(results: dict, sizes: dict, args) -> None:
    for scale in SCALES:
        print(
            f"{scale}: {sizes[scale]['organisations']:,} organisations with members, "
            f"{sizes[scale]['incidents']:,} incidents"
        )
    print(
        f"\nmedian and p95 of {_runs(args)} ({args.pdf_runs} for the PDF), "
        "server time inside Django\n"
    )
    print(
        "| page | province median | province p95 | country median | country p95 "
        "| country / province | queries (province, country) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, *_ in [*PAGES, PDF]:
        p, c = results["province"][label], results["country"][label]
        print(
            f"| {label} | {p['median'] * 1000:.0f} ms | {p['p95'] * 1000:.0f} ms "
            f"| {c['median'] * 1000:.0f} ms | {c['p95'] * 1000:.0f} ms "
            f"| {c['median'] / p['median']:.2f} | {p['queries']}, {c['queries']} |"
        )


def print_every_page(every: dict, args) -> None:
    print(
        f"\nEvery page people read (tests/pages.py), median and p95 of {_runs(args)}, "
        "the slowest at country scale first\n"
    )
    print(
        "| page | province median | country median | country p95 "
        "| queries (province, country) | country HTML |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    country = every["country"]
    for label in sorted(country, key=lambda k: -country[k]["median"]):
        p, c = every["province"][label], country[label]
        print(
            f"| {label} | {p['median'] * 1000:.0f} ms | {c['median'] * 1000:.0f} ms "
            f"| {c['p95'] * 1000:.0f} ms | {p['queries']}, {c['queries']} "
            f"| {c['bytes'] / 1024:.0f} KiB |"
        )


if __name__ == "__main__":
    main()
