"""Benchmark: a contact-list import through its pages, as the officer waits
for it: upload (POST), preview (GET), "Confirm the import" (POST).

Usage (from the project root):

    .venv/bin/python bench/import_preview_confirm.py [--rows 5000] [--repeat 5]

SQLite in a throwaway file, or the database of --database-url / DATABASE_URL
(a throwaway test database named after it), with config.settings.test and
media in a temporary folder. Loads the Thanh Hóa seed and the demo users;
each run writes a new file (bench/generate_contacts_xlsx.py, a seed of its
own, so no run finds the phone numbers of another in the parser's caches)
and imports it into an empty contact list with Django's test client, logged
in as the district's demo user. Prints each request's wall and CPU time
(this process's: the test client runs the views in it, and SQLite too) and
their medians. bench/import_contacts.py times the services alone at a
larger scale.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.import_contacts import (  # noqa: E402
    UPLOADER,
    _configure,
    _fresh_contact_list,
    _is_sqlite,
    _load_seed,
)

STEPS = ("upload", "preview", "confirm")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-import-pages-"))
    _configure(args.database_url)
    from django.conf import settings

    if _is_sqlite():
        settings.DATABASES["default"]["TEST"]["NAME"] = str(work / "bench.sqlite3")
    settings.MEDIA_ROOT = work / "media"
    from django.db import connections
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        _load_seed()
        runs = [_run(work, args.rows, run) for run in range(1, args.repeat + 1)]
        _report(args, runs)
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, rows: int, run: int) -> dict[str, tuple[float, float]]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from bench.generate_contacts_xlsx import write_contacts_xlsx
    from contacts.models import Contact, ContactImport, User

    path = write_contacts_xlsx(work / f"run-{run}.xlsx", rows=rows, seed=run)
    contact_list = _fresh_contact_list(run)
    client = Client()
    client.force_login(User.objects.get(username=UPLOADER))
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    url = reverse("contacts:import_upload", args=[contact_list.pk])
    times: dict[str, tuple[float, float]] = {}
    with _timed(times, "upload"):
        response = client.post(url, {"file": upload})
    assert response.status_code == 302, response.status_code
    with _timed(times, "preview"):
        response = client.get(response["Location"])
    assert b'id="import-errors"' not in response.content
    contact_import = ContactImport.objects.get(contact_list=contact_list)
    with _timed(times, "confirm"):
        response = client.post(
            reverse("contacts:import_apply", args=[contact_import.pk])
        )
    assert "/imports/" not in response["Location"], "the confirmation was refused"
    saved = Contact.objects.filter(body__contact_list=contact_list).count()
    assert saved == rows, saved
    line = ", ".join(f"{s} {times[s][0]:.2f} s ({times[s][1]:.2f} CPU)" for s in STEPS)
    print(f"run {run}: {line}", file=sys.stderr, flush=True)
    return times


class _timed:
    def __init__(self, times: dict, step: str) -> None:
        self.times, self.step = times, step

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        self.times[self.step] = (
            time.perf_counter() - self.wall,
            time.process_time() - self.cpu,
        )


def _report(args, runs: list[dict]) -> None:
    from django.db import connection

    print(
        f"Contact-list import through its pages, {args.rows:,} rows, "
        f"{connection.vendor}; median of {len(runs)} runs\n"
    )
    print("| Request | Wall time (s) | CPU time (s) |")
    print("|---|---:|---:|")
    for step in STEPS:
        wall = statistics.median(r[step][0] for r in runs)
        cpu = statistics.median(r[step][1] for r in runs)
        print(f"| {step} | {wall:.2f} | {cpu:.2f} |")
    wall = statistics.median(sum(r[s][0] for s in STEPS) for r in runs)
    cpu = statistics.median(sum(r[s][1] for s in STEPS) for r in runs)
    print(f"| all three | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
