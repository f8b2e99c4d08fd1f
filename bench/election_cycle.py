"""The election cycle's operations at the scale of one province: a
reachability roll-call of every contact, its reminder and the delivery of
its SMS, the carriers' status-report reminder tick, a polling-day
situation report and its PDF, close-out with its archive, the archive's
verification, the copy to the next election and the anonymisation after
the retention period.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
      .venv/bin/python bench/election_cycle.py [--seed 1] [--keep]

Drops and makes a PostgreSQL database of its own, bench_election_cycle, on
the server of DATABASE_URL (dropped again at the end unless --keep),
migrates it, loads the Thanh Hóa 2021 case (`load_seed`) and generates
the province (`scale_data_generate` with SCALES["province"], 5–14 teams
per covered commune instead of 4–12: 27 districts, ~4,500 Election Teams
and ~19,500 contacts in the lists, 16 carriers with rosters, 400
incidents), plus 12 Department staff and 8 Election
Committee observers (a quarter of them reading English) to receive the
situation report. It then calls the services one after the other, the
clock set by `now=` along the 2021 calendar (polling day 23/05/2021):

1. roll_call_start (the request) and roll_calls_prepare_pending (the
   worker: every contact with a mobile number), 21/05 09:00; half the
   entries then confirmed (an UPDATE standing for the replies);
2. roll_calls_remind_due at the reminder time, 21/05 15:00;
3. outbox_deliver of every pending roll-call SMS, in the batches of
   contacts.tasks.deliver_due_messages (outbox_due_ids: 100), to the
   logging SMS backend (its lines go to stderr, as a worker's do);
4. status_reports_remind_missed at 23/05 14:31, with half the carriers
   missing at each reporting moment of the last day;
5. situation_report_make at 23/05 15:00 (by Department staff), and
   situation_report_pdf of it;
6. election_close on 13/06 (the archive), and archive_verify of its zip;
7. cycle_copy to an election on 15/03/2026;
8. election_anonymise_all 90 days (PERSONAL_DATA_RETENTION_DAYS) and one
   day after the close-out.

For each: wall time, SQL statements (counted by an execute wrapper) and
peak Python allocations (tracemalloc). The peak is taken in a first run of
the operation inside a transaction that is rolled back (for the delivery,
over its first MEMORY_BATCHES batches); the time and the queries in the
run that is kept, which therefore finds templates and caches warm, as a
running web or Celery process does.
"""

import argparse
import contextlib
import dataclasses
import datetime
import io
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
DATABASE = "bench_election_cycle"
# Delivery's peak memory is per batch: measured over this many batches.
MEMORY_BATCHES = 10
STAFF, OBSERVERS = 12, 8


@dataclass
class Measured:
    label: str
    size: str
    seconds: float
    queries: int
    peak: int | None  # bytes


class QueryCounter:
    """Counts SQL statements without keeping them (CaptureQueriesContext
    keeps at most 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def database_url(base: str) -> str:
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database name).")
    return urlunparse(urlparse(base)._replace(path=f"/{DATABASE}"))


def recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg2

    admin = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    from django.utils import timezone

    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


def measure(label: str, size, fn, *, memory_fn=None) -> tuple[object, Measured]:
    """Peak memory in a rolled-back run of `memory_fn` (default: `fn`),
    then time and queries of `fn`, kept. `size` is a text or a function of
    fn's result."""
    from django.db import connection, transaction

    peak = None
    if memory_fn is not False:
        with transaction.atomic():
            tracemalloc.start()
            (memory_fn or fn)()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            transaction.set_rollback(True)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    text = size(result) if callable(size) else size
    return result, Measured(label, text, seconds, counter.count, peak)


def build(seed: int, now: datetime.datetime):
    """The province, and the people who receive situation reports."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from contacts.models import Membership, MembershipRole, Organisation, User
    from demo.scale_data import SCALES, scale_data_generate

    # The province spec with a few more Election Teams per commune (9.5
    # instead of 8 on average): its lists in every state leave some communes
    # and districts uncovered, and this brings the covered ones to Thanh
    # Hóa's ~4,500 teams and ~20,000 contacts.
    spec = dataclasses.replace(SCALES["province"], teams_per_commune=(5, 14))
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seed", verbosity=0, stdout=io.StringIO())
    start = time.perf_counter()
    counts = scale_data_generate(spec=spec, seed=seed, now=now)
    generated = time.perf_counter() - start
    users, memberships = [], []
    for code, count in (("so-tttt-38", STAFF), ("uybc-38", OBSERVERS)):
        organisation = Organisation.objects.get(code=code)
        for i in range(count):
            user = User(
                username=f"bench-{code}-{i}",
                full_name=f"Cán bộ {i}",
                email=f"bench-{code}-{i}@example.invalid",
                language="en" if i % 4 == 3 else "vi",
                password=make_password(None),
            )
            users.append(user)
            memberships.append((user, organisation))
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(user=u, organisation=o, role=MembershipRole.EDITOR)
        for u, o in memberships
    )
    return counts, generated


def staff_editor():
    from contacts.models import User

    return User.objects.get(username="scale-so-tttt-38")


def election_now():
    from contacts.selectors import election_current

    return election_current()


def roll_call(results: list, polling: datetime.date) -> dict:
    from contacts.models import MessageStatus, OutboundMessage
    from contacts.phones import phone_type
    from contacts.services.outbox import outbox_deliver, outbox_due_ids
    from incidents.models import RollCallAudience, RollCallEntry
    from incidents.services.roll_calls import (
        roll_call_start,
        roll_calls_prepare_pending,
        roll_calls_remind_due,
    )

    started = local(polling - datetime.timedelta(days=2), 9)
    remind = local(polling - datetime.timedelta(days=2), 15)
    by = staff_editor()

    def start():
        return roll_call_start(
            election=election_now(),
            audience=RollCallAudience.CONTACTS,
            by=by,
            now=started,
        )

    call, row = measure("roll-call start (the web request)", "one roll-call row", start)
    results.append(row)

    def prepare() -> int:
        return roll_calls_prepare_pending(now=started)

    def prepare_cold() -> int:
        # A worker's first roll-call: no number typed yet (phone_type caches
        # per process, and the rolled-back run filled the cache).
        phone_type.cache_clear()
        return prepare()

    _asked, row = measure(
        "roll-call preparation (the worker: every contact with a mobile)",
        "",
        prepare_cold,
        memory_fn=prepare,
    )
    entries = RollCallEntry.objects.filter(roll_call=call)
    asks = OutboundMessage.objects.filter(
        dedupe_key__startswith=f"roll-call:{call.pk}:"
    )
    figures = {"entries": entries.count(), "asks": asks.count()}
    row.size = f"{figures['entries']:,} entries, {figures['asks']:,} SMS rows"
    results.append(row)
    # Of which: typing every number (phone_type, cold), timed alone.
    phones = list(entries.values_list("phone", flat=True))
    phone_type.cache_clear()
    typing = time.perf_counter()
    for phone in phones:
        phone_type(phone)
    figures["typing"] = time.perf_counter() - typing

    # Half the people confirm before the reminder (their replies).
    half = list(entries.order_by("pk").values_list("pk", flat=True)[::2])
    RollCallEntry.objects.filter(pk__in=half).update(
        confirmed_at=started + datetime.timedelta(hours=1), confirmed_via="reply"
    )
    figures["confirmed"] = len(half)
    reminded, row = measure(
        "roll-call reminder (remind_due)",
        lambda n: f"{n:,} SMS rows ({len(half):,} of the entries confirmed)",
        lambda: roll_calls_remind_due(now=remind),
    )
    figures["reminders"] = reminded
    results.append(row)

    def deliver(max_batches=None) -> int:
        """deliver_due_messages' loop, at the bench's clock."""
        sent = batches = 0
        while due := outbox_due_ids(now=remind):
            outcome = outbox_deliver(message_ids=due, now=remind)
            sent += sum(status == "sent" for status in outcome.values())
            batches += 1
            if max_batches and batches >= max_batches:
                break
        return sent

    pending = OutboundMessage.objects.filter(
        status=MessageStatus.PENDING, next_attempt_at__lte=remind
    ).count()
    sent, row = measure(
        "delivery of the roll-call SMS (batches of 100)",
        "",
        deliver,
        memory_fn=lambda: deliver(MEMORY_BATCHES),
    )
    per_thousand = row.seconds / max(sent, 1) * 1000
    row.size = (
        f"{sent:,} of {pending:,} sent; {per_thousand:.2f} s and "
        f"{row.queries / max(sent, 1) * 1000:,.0f} queries per 1,000"
    )
    figures |= {"sent": sent, "per_thousand": per_thousand}
    results.append(row)
    left = OutboundMessage.objects.filter(
        kind="roll-call", status=MessageStatus.PENDING
    ).count()
    cancelled = OutboundMessage.objects.filter(
        kind="roll-call", status=MessageStatus.CANCELLED
    ).count()
    figures |= {"left": left, "cancelled": cancelled}
    assert not OutboundMessage.objects.filter(
        kind="roll-call", attempts__gt=1
    ).exists(), "a roll-call SMS was attempted twice"
    return figures


def status_tick(results: list, polling: datetime.date) -> dict:
    """Half the carriers missing at every moment of the last day."""
    from django.conf import settings

    from incidents.models import StatusReport
    from incidents.selectors.status_reports import (
        reporting_moments_between,
        status_report_carriers,
    )
    from incidents.services.status_reports import (
        REMIND_WITHIN,
        status_reports_remind_missed,
    )

    grace = datetime.timedelta(minutes=settings.STATUS_REPORT_GRACE_MINUTES)
    now = local(polling, 14) + grace + datetime.timedelta(minutes=1)
    election = election_now()
    moments = reporting_moments_between(
        election=election, after=now - REMIND_WITHIN, until=now - grace
    )
    carriers = list(status_report_carriers())
    missing = [c.pk for c in carriers[1::2]]
    times = [m.at for m in moments]
    StatusReport.objects.filter(
        election=election, due_at__in=times, organisation_id__in=missing
    ).delete()
    filed = StatusReport.objects.filter(election=election, due_at__in=times).count()
    unreported = len(times) * len(carriers) - filed
    made, row = measure(
        "status-report reminder tick",
        lambda n: (
            f"{len(carriers)} carriers × {len(times)} moments, {unreported} "
            f"missing: {n} messages"
        ),
        lambda: status_reports_remind_missed(now=now),
    )
    results.append(row)
    return {"moments": len(times), "carriers": len(carriers), "missing": unreported}


def situation(results: list, polling: datetime.date) -> dict:
    from contacts.models import OutboundMessage
    from readiness.services.situation_reports import situation_report_make
    from readiness.situation_files import situation_report_pdf

    by = staff_editor()
    at = local(polling, 15)
    report, row = measure(
        "situation report made and sent",
        "",
        lambda: situation_report_make(election=election_now(), by=by, now=at),
    )
    messages = OutboundMessage.objects.filter(
        dedupe_key__startswith=f"situation-report:{report.pk}:"
    ).count()
    row.size = f"{messages} messages (staff and observers, e-mail)"
    results.append(row)
    pdf, row = measure(
        "situation report PDF",
        lambda content: f"{len(content) / 1024:,.0f} KiB",
        lambda: situation_report_pdf(report, "vi"),
    )
    results.append(row)
    return {"messages": messages}


def close_and_verify(results: list, election_id: int) -> dict:
    import zipfile

    from contacts.models import Election
    from readiness.services.archive import archive_verify
    from readiness.services.closeout import election_close

    by = staff_editor()
    election = Election.objects.get(pk=election_id)
    closed_at = local(election.after_ends_on + datetime.timedelta(days=1), 9)
    archive, row = measure(
        "close-out with its archive",
        "",
        lambda: election_close(
            election=Election.objects.get(pk=election_id), by=by, now=closed_at
        ),
    )
    path = archive.file.path
    with zipfile.ZipFile(path) as z:
        files = [i for i in z.infolist() if not i.is_dir()]
        unpacked = sum(i.file_size for i in files)
    row.size = (
        f"zip {archive.size / 1024 / 1024:.1f} MiB, {len(files)} files "
        f"({unpacked / 1024 / 1024:.1f} MiB unpacked)"
    )
    results.append(row)
    problems, row = measure(
        "archive verified (archive_verify)",
        lambda p: f"{len(files)} files, {len(p)} problems",
        lambda: archive_verify(path),
    )
    results.append(row)
    return {"closed_at": closed_at, "files": len(files), "problems": len(problems)}


def copy(results: list, election_id: int, closed_at: datetime.datetime) -> dict:
    from contacts.models import Election
    from readiness.services.cycles import cycle_copy

    by = staff_editor()
    day = datetime.date(2026, 3, 15)

    def run():
        return cycle_copy(
            source=Election.objects.get(pk=election_id),
            name="Bầu cử đại biểu Quốc hội khóa XVI và HĐND các cấp",
            name_en="Election of the 16th National Assembly and People's Councils",
            polling_day=day,
            before_starts_on=datetime.date(2025, 12, 1),
            after_ends_on=datetime.date(2026, 4, 5),
            by=by,
            now=closed_at + datetime.timedelta(days=1),
        )

    result, row = measure("copy to the next election (cycle_copy)", "", run)
    row.size = (
        f"{result.contact_lists} lists, {result.bodies:,} bodies, "
        f"{result.contacts:,} contacts; {row.queries / max(result.contact_lists, 1):.0f} "
        "queries per list"
    )
    results.append(row)
    return {"lists": result.contact_lists, "contacts": result.contacts}


def anonymise(results: list, election_id: int, closed_at: datetime.datetime) -> dict:
    from contacts.models import Election
    from contacts.services.anonymisation import retention
    from readiness.services.anonymisation import election_anonymise_all

    by = staff_editor()
    now = closed_at + retention() + datetime.timedelta(days=1)
    done, row = measure(
        "anonymisation (election_anonymise_all)",
        "",
        lambda: election_anonymise_all(
            election=Election.objects.get(pk=election_id), by=by, now=now
        ),
    )
    c, i = done.contacts, done.incidents
    changed = {
        "contacts": c.contacts,
        "contact history": c.contact_history,
        "shifts": i.shifts,
        "shift history": i.shift_history,
        "roll-call entries": i.roll_call_entries,
        "messages": i.messages,
    }
    row.size = f"{sum(changed.values()):,} rows changed"
    results.append(row)
    return changed


def print_results(args, counts, generated, results, facts) -> None:
    from django.db import connection

    from contacts.models import ContactList, Election, Organisation, OrganisationKind
    from incidents.selectors.status_reports import status_report_carriers

    version = connection.cursor().connection.server_version
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    districts = Organisation.objects.filter(kind=OrganisationKind.DISTRICT).count()
    carriers = status_report_carriers().count()
    election = Election.objects.order_by("polling_day").first()  # 2021's
    lists = ContactList.objects.filter(election=election).count()
    print(
        f"PostgreSQL {version // 10000}.{version % 10000}, seed {args.seed}; "
        f"generated in {generated:.0f} s: {districts} districts ({lists} with a "
        f"contact list), {carriers} carriers, "
        f"{counts.teams_in_drafts:,} Election Teams and "
        f"{counts.contacts_in_drafts:,} contacts in the districts' drafts, "
        f"{counts.shifts:,} shifts, {counts.incidents} incidents; "
        f"{STAFF} Department staff and {OBSERVERS} observers receive the situation "
        "report.\n"
    )
    print("| operation | what it did | wall time | queries | peak Python memory |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        peak = f"{r.peak / 1024 / 1024:.1f} MiB" if r.peak is not None else ""
        print(f"| {r.label} | {r.size} | {r.seconds:.2f} s | {r.queries:,} | {peak} |")
    rc, ac = facts["roll_call"], facts["anonymised"]
    print(
        f"\nRoll-call: {rc['entries']:,} entries (one per mobile number; typing "
        f"their numbers with phone_type, cold, takes {rc['typing']:.2f} s of the "
        f"preparation), "
        f"{rc['confirmed']:,} confirmed before the reminder, {rc['reminders']:,} "
        f"reminded; delivery sent {rc['sent']:,} SMS, {rc['cancelled']:,} "
        f"cancelled, {rc['left']:,} still pending. Anonymisation changed: "
        + ", ".join(f"{k} {v:,}" for k, v in ac.items())
        + "."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    url = database_url(os.environ.get("DATABASE_URL", ""))
    recreate(url)
    os.environ["DATABASE_URL"] = url
    # Writers nudge delivery after commit: no worker here, and no task left
    # in a Redis queue that another benchmark's worker would pick up.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    media = tempfile.mkdtemp(prefix="bench-election-cycle-")
    import django

    django.setup()
    from django.db import connections
    from django.test.utils import override_settings

    from contacts.seed import read_election

    polling = read_election().polling_day
    try:
        with override_settings(MEDIA_ROOT=media):
            counts, generated = build(args.seed, now=local(polling, 16))
            election_id = election_now().pk
            results: list[Measured] = []
            facts = {"roll_call": roll_call(results, polling)}
            facts["status"] = status_tick(results, polling)
            facts["situation"] = situation(results, polling)
            closed = close_and_verify(results, election_id)
            facts["copy"] = copy(results, election_id, closed["closed_at"])
            facts["anonymised"] = anonymise(results, election_id, closed["closed_at"])
            print_results(args, counts, generated, results, facts)
    finally:
        connections.close_all()
        shutil.rmtree(media, ignore_errors=True)
        if not args.keep:
            with contextlib.suppress(Exception):
                recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
