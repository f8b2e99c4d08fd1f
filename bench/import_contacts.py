"""Benchmark: importing a 50,000-row contact list, ours against django-import-export.

Usage (from the project root, after `pip install -r requirements-bench.txt`):

    .venv/bin/python bench/import_contacts.py [--rows 50000] [--repeat 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_contacts \\
        .venv/bin/python bench/import_contacts.py

The database comes from --database-url or DATABASE_URL (SQLite by default),
with config.settings.test. The script creates a throwaway test database
(named as Django's test runner would, e.g. test_bench_contacts), loads the
Thanh Hóa seed and the demo users, writes the spreadsheet once
(bench/generate_contacts_xlsx.py) and then imports it in a fresh subprocess
per contender, each into an empty contact list (a new election for the demo
district):

- ours: what the import's pages run, upload to confirmation:
  contact_import_upload → contact_import_plan (parse, check, plan kept: what
  the upload page waits for) → contact_import_apply (the kept plan applied:
  what "Confirm the import" waits for), then the same file again (every row
  unchanged);
- django-import-export: bench/contact_resource.py, reading the file with
  import-export's XLSX format (openpyxl into a tablib Dataset), one
  transaction, dry_run=False, bulk inserts (use_bulk, batch_size 1000);
- floor: bench/import_floor.py, the same file read with calamine and the same
  rows written with our writer, nothing validated (phones stored as typed, so
  only the counts are compared, not the digest).

--contenders picks some of them (e.g. `--contenders ours,floor`); --xlsx
imports a file written before instead of generating one; --profile writes a
cProfile of ours' first import.

--layout officials writes the file in a district's own layout instead
(bench/generate_contacts_xlsx.py, write_officials_xlsx: title block,
two-level header, section rows, body names carrying their communes, dotted
phones, footer; no unit column) and runs ours alone: the yardsticks read
the template's columns only. --preview-rows N (with --layout officials)
also times the preview of an N-row file in that layout as the officer
waits for it: from the upload to the totals shown, through the services
the upload and preview views call (contact_import_upload →
contact_import_plan → contact_import_preview → the totals).

Wall time and peak RSS come from a run without tracemalloc (tracing slows
Python allocations down several times); the peak of Python allocations comes
from a second run with tracemalloc on. The script prints a Markdown table and
warns when the two contenders did not produce the same rows.
"""

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DISTRICT_ORG = "district-380"  # the demo district; the file is for its units
UPLOADER = "district"  # its demo user (demo.users.DEMO_USERS)
CONTENDERS = {
    "ours": "ours (contact_import_upload → contact_import_plan → contact_import_apply)",
    "ie": "django-import-export 4.4 (ModelResource, use_bulk, batch_size 1000)",
    "floor": "floor: calamine read + the same rows written, no validation",
}
# Not a contender: the preview of an officials'-layout file (--preview-rows).
PREVIEW = "preview"
# The targets of the officials' layout (the scale issue).
TARGET_ROWS_PER_SECOND = 10_000
TARGET_PREVIEW_SECONDS = 5.0


# --- Django set-up -------------------------------------------------------------


def _configure(database_url: str | None, database_name: str | None = None) -> None:
    """Settings from config.settings.test; `database_name` points a child
    process at the test database its parent created."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    database["CONN_MAX_AGE"] = 0
    if database_name:
        database["NAME"] = database_name
    django.setup()


def _is_sqlite() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


# --- The parent: database, file, subprocesses, table ------------------------------


def parent(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-contacts-"))
    _configure(args.database_url)
    from django.conf import settings

    if _is_sqlite():
        # The test runner's default is an in-memory database, which the
        # subprocesses could not see.
        settings.DATABASES["default"]["TEST"]["NAME"] = str(work / "bench.sqlite3")
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        database_name = connection.settings_dict["NAME"]
        database = _database_description(connection)
        _load_seed()
        connections.close_all()
        started = time.perf_counter()
        path = Path(args.xlsx) if args.xlsx else _generate(work, args.rows, args.layout)
        generated = time.perf_counter() - started
        results = _run_all(args, path, database_name)
        if args.layout == "officials":
            preview = None
            if args.preview_rows:
                # Another seed: no run finds this file's numbers in a cache.
                small = _generate(work, args.preview_rows, args.layout, seed=7)
                preview = _run_preview(args, small, database_name)
            _print_officials_report(args, path, generated, database, results, preview)
        else:
            _print_report(args, path, generated, database, results)
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


def _database_description(connection) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file)"
    return connection.vendor


def _load_seed() -> None:
    from demo.users import demo_users_ensure
    from readiness.services import seed_case_load

    seed_case_load()
    demo_users_ensure(password="bench-not-a-secret")


def _generate(work: Path, rows: int, layout: str = "template", seed: int = 0) -> Path:
    from bench.generate_contacts_xlsx import (
        DEFAULT_SEED,
        write_contacts_xlsx,
        write_officials_xlsx,
    )

    write = write_officials_xlsx if layout == "officials" else write_contacts_xlsx
    path = work / f"contacts-{layout}-{rows}.xlsx"
    return write(path, rows=rows, seed=seed or DEFAULT_SEED)


def _run_all(args, path: Path, database_name: str) -> dict[str, dict]:
    results: dict[str, dict] = {}
    run = 0
    for contender in args.contenders.split(","):
        timed = []
        for _ in range(args.repeat):
            run += 1
            timed.append(_child(args, contender, path, database_name, run, False))
        traced = None
        if not args.no_tracemalloc:
            run += 1
            traced = _child(args, contender, path, database_name, run, True)
        results[contender] = {"timed": timed, "traced": traced}
    return results


def _run_preview(args, path: Path, database_name: str) -> list[dict]:
    """The preview, timed `args.repeat` times, each in a fresh process into
    an empty contact list (runs numbered after the imports' runs)."""
    return [
        _child(args, PREVIEW, path, database_name, 100 + run, False)
        for run in range(1, args.repeat + 1)
    ]


def _child(args, contender, path, database_name, run, trace) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        contender,
        "--file",
        str(path),
        "--database-name",
        database_name,
        "--run",
        str(run),
    ]
    if args.database_url:
        command += ["--database-url", args.database_url]
    if trace:
        command.append("--trace")
    if args.profile:
        command += ["--profile", args.profile]
    label = f"{contender}{' (tracemalloc)' if trace else ''}"
    print(f"… run {run}: {label}", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"run {run} ({label}) failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The children: one import each ------------------------------------------------


class _QueryCounter:
    """Counts SQL statements and the time spent executing them
    (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class _GcTimer:
    """Time spent in the cyclic garbage collector (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase, info) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM). getrusage's ru_maxrss would do on a
    fresh process, but Linux carries it over execve from the forked parent,
    so a child of a large parent reports at least the parent's size."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh_contact_list(run: int):
    """An empty contact list of the demo district: a new election each run."""
    from contacts.models import AdministrativeUnit, ContactList, Election, Organisation

    polling_day = datetime.date(2030, 1, 1) + datetime.timedelta(days=7 * run)
    election = Election.objects.create(
        name=f"Benchmark run {run}",
        province=AdministrativeUnit.objects.get(code="38"),
        polling_day=polling_day,
        before_starts_on=polling_day - datetime.timedelta(days=100),
        after_ends_on=polling_day + datetime.timedelta(days=20),
    )
    organisation = Organisation.objects.get(code=DISTRICT_ORG)
    return ContactList.objects.create(election=election, organisation=organisation)


def child(args: argparse.Namespace) -> None:
    _configure(args.database_url, args.database_name)
    from django.db import connection

    contact_list = _fresh_contact_list(args.run)
    counter = _QueryCounter()
    result = {"contender": args.child, "trace": args.trace}
    result["rss_before_mib"] = _rss_mib()
    gc_timer = _GcTimer()
    gc.callbacks.append(gc_timer)
    if args.trace:
        tracemalloc.start()
    with connection.execute_wrapper(counter):
        if args.child == PREVIEW:
            result.update(_preview(contact_list, Path(args.file)))
        elif args.child == "ours" and args.profile and not args.trace:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            result.update(_ours(contact_list, Path(args.file)))
            profiler.disable()
            profiler.dump_stats(args.profile)
        elif args.child == "ours":
            result.update(_ours(contact_list, Path(args.file)))
        elif args.child == "floor":
            result.update(_floor(contact_list, Path(args.file)))
        else:
            result.update(_import_export(contact_list, Path(args.file)))
    gc.callbacks.remove(gc_timer)
    result["gc_seconds"] = gc_timer.seconds
    if args.trace:
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    result["max_rss_mib"] = _peak_rss_mib()
    result["ru_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["queries"] = counter.count
    result["sql_seconds"] = counter.seconds
    if args.child == "ours" and not args.trace:
        again = _QueryCounter()
        with connection.execute_wrapper(again):
            result["reimport"] = _ours(contact_list, Path(args.file))
        result["reimport"].update(queries=again.count, sql_seconds=again.seconds)
        result["breakdown"] = _breakdown(Path(args.file))
    if args.child != PREVIEW:
        result.update(_outcome(contact_list))
    print(json.dumps(result))


def _ours(contact_list, path: Path) -> dict:
    """The import's pages: upload, plan (the preview's), confirmation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.models import ContactList, User
    from contacts.services import contact_lists as services

    contact_list = ContactList.objects.select_related("organisation__unit").get(
        pk=contact_list.pk
    )
    started = time.perf_counter()
    cpu_started = time.process_time()
    contact_import = services.contact_import_upload(
        contact_list=contact_list,
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        by=User.objects.get(username=UPLOADER),
    )
    uploaded_at = time.perf_counter()
    plan = services.contact_import_plan(contact_import=contact_import)
    planned_at = time.perf_counter()
    planned_cpu = time.process_time()
    if plan.errors:
        raise SystemExit(f"the file has errors: {plan.errors[:3]}")
    done = services.contact_import_apply(contact_import=contact_import)
    finished = time.perf_counter()
    return {
        "rows": len(plan.rows),
        "seconds": finished - started,
        # This process's CPU time: steadier than wall time on a shared machine.
        "cpu_seconds": time.process_time() - cpu_started,
        "plan_cpu_seconds": planned_cpu - cpu_started,
        "phases": {
            "upload": uploaded_at - started,
            "plan": planned_at - uploaded_at,
            "apply": finished - planned_at,
        },
        "created": done.created_count,
        "updated": done.updated_count,
        "unchanged": done.unchanged_count,
    }


def _preview(contact_list, path: Path) -> dict:
    """What the officer waits for between choosing the file and seeing the
    preview's totals: the upload view (store, then parse, check, plan and
    keep the plan) and the preview view (the kept plan read back, compared
    with the draft, counted)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.models import ContactList, User
    from contacts.services import contact_lists as services

    contact_list = ContactList.objects.select_related("organisation__unit").get(
        pk=contact_list.pk
    )
    content = path.read_bytes()
    user = User.objects.get(username=UPLOADER)
    started = time.perf_counter()
    cpu_started = time.process_time()
    contact_import = services.contact_import_upload(
        contact_list=contact_list,
        upload=SimpleUploadedFile(path.name, content),
        by=user,
    )
    services.contact_import_plan(contact_import=contact_import)
    uploaded_at = time.perf_counter()
    plan = services.contact_import_preview(contact_import=contact_import)
    totals = {
        "created": plan.count(services.RowAction.CREATE),
        "updated": plan.count(services.RowAction.UPDATE),
        "unchanged": plan.count(services.RowAction.UNCHANGED),
    }
    shown_at = time.perf_counter()
    if plan.errors:
        raise SystemExit(f"the file has errors: {plan.errors[:3]}")
    return {
        "rows": len(plan.rows),
        "seconds": shown_at - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "phases": {"upload": uploaded_at - started, "preview": shown_at - uploaded_at},
        **totals,
    }


def _floor(contact_list, path: Path) -> dict:
    from bench.import_floor import import_floor

    started = time.perf_counter()
    bodies, contacts = import_floor(contact_list=contact_list, path=str(path))
    return {
        "rows": contacts,
        "seconds": time.perf_counter() - started,
        "created": contacts,
        "updated": 0,
        "unchanged": 0,
    }


def _import_export(contact_list, path: Path) -> dict:
    from import_export.formats.base_formats import XLSX

    from bench.contact_resource import ContactResource

    started = time.perf_counter()
    dataset = XLSX().create_dataset(path.read_bytes())
    loaded_at = time.perf_counter()
    outcome = ContactResource(contact_list=contact_list).import_data(
        dataset,
        dry_run=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    finished = time.perf_counter()
    if outcome.has_errors() or outcome.has_validation_errors():
        errors = [e.error for _, row in outcome.row_errors() for e in row][:3]
        invalid = [r.error_dict for r in outcome.invalid_rows][:3]
        raise SystemExit(f"import-export reported errors: {errors} {invalid}")
    return {
        "rows": len(dataset),
        "seconds": finished - started,
        "phases": {"load": loaded_at - started, "import_data": finished - loaded_at},
        "created": outcome.totals["new"],
        "updated": outcome.totals["update"],
        "unchanged": outcome.totals["skip"],
    }


def _breakdown(path: Path) -> dict:
    """Parts of parse_contact_file measured alone: reading the sheet with
    calamine, and normalising every phone number."""
    import python_calamine

    from contacts.importers.layout import find_header
    from contacts.phones import normalise_phone, split_phones

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    read = time.perf_counter() - started
    header = find_header(cells, lambda value: str(value).strip())
    assert header is not None, "no header in the benchmark's file"
    columns = [index for index, key in header.keys.items() if key == "phones"]
    numbers = []
    for row in cells[header.last + 1 :]:
        for column in columns:
            value = row[column] if column < len(row) else ""
            # Numbers only: the footer's place and date sit in a phone column.
            if isinstance(value, str) and not any(c.isalpha() for c in value):
                numbers += split_phones(value)
    started = time.perf_counter()
    for number in numbers:
        normalise_phone(number)
    return {
        "calamine_read": read,
        "phone_numbers": len(numbers),
        "phone_normalise": time.perf_counter() - started,
    }


def _outcome(contact_list) -> dict:
    """What the import left in the database, and a digest to compare."""
    from contacts.models import Contact, ElectionBody

    bodies = ElectionBody.objects.filter(contact_list=contact_list, version=None)
    contacts = Contact.objects.filter(body__in=bodies)
    rows = sorted(
        contacts.values_list(
            "body__kind",
            "body__unit__code",
            "body__name",
            "body__polling_areas",
            "body__location",
            "full_name",
            "position",
            "phones",
            "email",
            "note",
        )
    )
    return {
        "bodies": bodies.count(),
        "contacts": len(rows),
        "body_history": ElectionBody.history.filter(
            contact_list_id=contact_list.pk
        ).count(),
        "contact_history": Contact.history.filter(
            body_id__in=bodies.values("pk")
        ).count(),
        "digest": hashlib.sha256(repr(rows).encode()).hexdigest()[:16],
    }


# --- The report ---------------------------------------------------------------------


def _print_report(args, path, generated, database, results) -> None:
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print(f"Contact-list import, {args.rows:,} rows — {database}\n")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"file {path.stat().st_size / 2**20:.1f} MB, generated in {generated:.1f} s; "
        f"best of {args.repeat} run(s) for the wall time.\n"
    )
    print(
        "| Contender | Rows | Wall time (s) | Rows/s | Python peak, tracemalloc "
        "(MiB) | Peak RSS (MiB) | SQL statements | of which SQL (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for contender, label in CONTENDERS.items():
        if contender not in results:
            continue
        timed, traced = results[contender]["timed"], results[contender]["traced"]
        best = min(timed, key=lambda r: r["seconds"])
        peak = f"{traced['tracemalloc_peak_mib']:.0f}" if traced else "–"
        rss = max(r["max_rss_mib"] for r in timed)
        print(
            f"| {label} | {best['rows']:,} | {best['seconds']:.1f} | "
            f"{best['rows'] / best['seconds']:,.0f} | {peak} | "
            f"{rss:.0f} (from {best['rss_before_mib']:.0f}) | {best['queries']:,} | "
            f"{best['sql_seconds']:.1f} |"
        )
    if "ours" not in results:
        _print_details(results)
        return
    ours = min(results["ours"]["timed"], key=lambda r: r["seconds"])
    again = ours["reimport"]
    print(
        f"| ours, the same file again (all {again['unchanged']:,} rows unchanged) | "
        f"{again['rows']:,} | {again['seconds']:.1f} | "
        f"{again['rows'] / again['seconds']:,.0f} | | | {again['queries']:,} | "
        f"{again['sql_seconds']:.1f} |"
    )
    _print_details(results)


def _print_details(results) -> None:
    best = {
        name: min(r["timed"], key=lambda r: r["seconds"]) for name, r in results.items()
    }
    ours = best.get("ours")
    if ours:
        p, b, again = ours["phases"], ours["breakdown"], ours["reimport"]["phases"]
        print(
            f"\nOurs: upload {p['upload']:.1f} s, plan {p['plan']:.1f} s (parse, "
            f"check and keep; calamine read alone {b['calamine_read']:.1f} s; "
            f"{b['phone_numbers']:,} phone numbers normalised alone "
            f"{b['phone_normalise']:.1f} s), confirmation {p['apply']:.1f} s; "
            f"re-import plan {again['plan']:.1f} s, confirmation "
            f"{again['apply']:.1f} s. First import: "
            f"{ours['sql_seconds']:.1f} s executing SQL (COPY not counted), "
            f"{ours['gc_seconds']:.1f} s in the garbage collector."
        )
        cpu = [
            (round(r["cpu_seconds"], 2), round(r["plan_cpu_seconds"], 2))
            for r in results["ours"]["timed"]
        ]
        print(f"Ours, CPU time of the process (whole import, plan) per run: {cpu}")
    if "ie" in best:
        ie = best["ie"]
        print(
            f"import-export: load (openpyxl → tablib) {ie['phases']['load']:.1f} s, "
            f"import_data {ie['phases']['import_data']:.1f} s; "
            f"{ie['sql_seconds']:.1f} s executing SQL, {ie['gc_seconds']:.1f} s in "
            "the garbage collector."
        )
    if ours:
        for name, label in (("ie", "import-export"), ("floor", "the floor")):
            if name in best:
                ratio = best[name]["seconds"] / ours["seconds"]
                print(f"ours against {label}: {ratio:.2f} × its speed")
    for name in results:
        times = [round(r["seconds"], 1) for r in results[name]["timed"]]
        if len(times) > 1:
            print(f"{name}: median {statistics.median(times):.1f} s of {times}")
    keys = ("bodies", "contacts", "body_history", "contact_history", "digest")
    print(
        "\nRows written: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{k} {r[k]}" for k in keys)
            for name, r in best.items()
        )
    )
    for name, r in best.items():
        if not ours or name == "ours":
            continue
        # The floor stores phone numbers as typed: its digest differs.
        for key in keys[:-1] if name == "floor" else keys:
            if ours[key] != r[key]:
                print(f"WARNING: {key} differs: ours {ours[key]}, {name} {r[key]}")


def _print_officials_report(args, path, generated, database, results, preview):
    """The officials' layout: ours' import against its target, and the
    preview's wait."""
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print(
        f"Contact-list import in the officials' layout, {args.rows:,} rows — "
        f"{database}\n"
    )
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; file "
        f"{path.stat().st_size / 2**20:.1f} MB, generated in {generated:.1f} s; "
        f"best of {args.repeat} run(s) for the wall time.\n"
    )
    timed = results["ours"]["timed"]
    best = min(timed, key=lambda r: r["seconds"])
    rate = best["rows"] / best["seconds"]
    again = best["reimport"]
    print(
        "| Import | Rows | Wall time (s) | Rows/s | Peak RSS (MiB) | SQL statements "
        "| of which SQL (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| ours, first import | {best['rows']:,} | {best['seconds']:.1f} | "
        f"{rate:,.0f} | {max(r['max_rss_mib'] for r in timed):.0f} | "
        f"{best['queries']:,} | {best['sql_seconds']:.1f} |"
    )
    print(
        f"| ours, the same file again (all {again['unchanged']:,} rows unchanged) | "
        f"{again['rows']:,} | {again['seconds']:.1f} | "
        f"{again['rows'] / again['seconds']:,.0f} | | {again['queries']:,} | "
        f"{again['sql_seconds']:.1f} |"
    )
    if preview:
        shown = min(preview, key=lambda r: r["seconds"])
        print(
            f"| preview of {shown['rows']:,} rows: upload to totals shown | "
            f"{shown['rows']:,} | {shown['seconds']:.1f} | "
            f"{shown['rows'] / shown['seconds']:,.0f} | "
            f"{max(r['max_rss_mib'] for r in preview):.0f} | {shown['queries']:,} | "
            f"{shown['sql_seconds']:.1f} |"
        )
    _print_details({"ours": results["ours"]})
    verdict = "met" if rate >= TARGET_ROWS_PER_SECOND else "NOT met"
    print(
        f"\nTarget {TARGET_ROWS_PER_SECOND:,} rows/s for the import: {verdict} "
        f"({rate:,.0f} rows/s)."
    )
    if preview:
        shown = min(preview, key=lambda r: r["seconds"])
        verdict = "met" if shown["seconds"] < TARGET_PREVIEW_SECONDS else "NOT met"
        runs = "; ".join(
            f"{r['seconds']:.2f} s (upload and plan {r['phases']['upload']:.2f}, "
            f"preview {r['phases']['preview']:.2f}; CPU {r['cpu_seconds']:.2f})"
            for r in preview
        )
        print(
            f"Target under {TARGET_PREVIEW_SECONDS:.0f} s for the preview of "
            f"{shown['rows']:,} rows: {verdict}. Runs: {runs}."
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs each")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the tracemalloc runs"
    )
    # Used by the parent to start each contender.
    parser.add_argument(
        "--child", choices=[*CONTENDERS, PREVIEW], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--database-name", help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--xlsx", help="import this file instead of generating one")
    parser.add_argument(
        "--contenders", default=",".join(CONTENDERS), help="e.g. ours,floor"
    )
    parser.add_argument("--profile", help="cProfile file for ours' first import")
    parser.add_argument(
        "--layout",
        choices=("template", "officials"),
        default="template",
        help="the file's layout; officials runs ours alone",
    )
    parser.add_argument(
        "--preview-rows",
        type=int,
        default=0,
        help="with --layout officials: also time the preview of a file this long",
    )
    args = parser.parse_args(argv)
    if args.layout == "officials" and not args.child:
        args.contenders = "ours"
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
