"""Polling day under load: people of every role using the app at once for
ten minutes, on one gunicorn server with PostgreSQL, Redis and a Celery
worker; then a check that nothing they were told was saved is missing or
saved twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_polling_day \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
      .venv/bin/python bench/polling_day.py --users 200 --minutes 10

(`make load`.) The database named in DATABASE_URL is dropped and made
again (its name must start with "bench"); the Celery queue of
CELERY_BROKER_URL is emptied. The script:

1. loads the Thanh Hóa case and the province-scale data bench/pages.py
   measures (`generate_scale_data --scale province`: 27 districts, 16
   carriers, contact lists, plans, rosters, 400 incidents), moves every date
   in it by whole days so that polling day is today (the dashboard in its
   polling-day mode, shifts on duty now, deadlines passed), and drops the
   incidents that would then lie in the future;
2. makes one account per simulated person, spread over the roles
   (ROLE_SHARES) and their organisations, each logged in beforehand;
3. starts gunicorn (production settings, sync workers), one Celery worker
   with beat, and an SMTP server on loopback that accepts every e-mail;
4. runs locust (bench/locustfile_polling_day.py) for --minutes;
5. counts server errors, checks the database against what the clients
   were told (every report and update they saw accepted is there exactly
   once, on the incident they were shown; nothing they saw refused is
   there; no status move was made twice; each incident touched has the
   status of its last move), lets the worker deliver what is due, and
   prints the figures.

It exits non-zero on any 5xx, unanswered request or unexpected answer,
and on anything lost or doubled.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_harness import (  # noqa: E402 (after the path is set)
    bench_database_url,
    celery_worker,
    django_setup,
    gunicorn,
    manage,
    recreate_database,
    run_locust,
    server_env,
    session_of,
    smtp_sink,
)

# Who the simulated people are (each role gets at least one).
ROLE_SHARES = {
    "staff": 0.10,
    "observer": 0.05,
    "district": 0.40,
    "telecom": 0.30,
    "postal": 0.15,
}
ROLE_NAMES = {
    "staff": "Department staff",
    "observer": "Election Committee observers",
    "district": "district clerks",
    "telecom": "telecom staff",
    "postal": "postal staff",
}
# The unique marker of each report and update (bench/locustfile_polling_day.py).
MARKER = re.compile(r"\[pd:[0-9a-f]+-\d+\]")
# What the clients record as accepted, besides reports and acknowledgements.
UPDATE_KINDS = ("update", "resolve", "close", "answer")
DRAIN_SECONDS = 120


def role_counts(users: int) -> dict[str, int]:
    """ROLE_SHARES of `users`, rounded so that they add up (largest
    remainder) and no role is empty."""
    if users < len(ROLE_SHARES):
        sys.exit(f"--users must be at least {len(ROLE_SHARES)}: one of each role.")
    exact = {role: users * share for role, share in ROLE_SHARES.items()}
    counts = {role: max(1, int(x)) for role, x in exact.items()}
    by_remainder = sorted(exact, key=lambda r: exact[r] - int(exact[r]), reverse=True)
    for role in by_remainder[: users - sum(counts.values())]:
        counts[role] += 1
    return counts


# --- The database before the run ----------------------------------------------


def prepare(env: dict, counts: dict[str, int], config_path: Path, events: Path) -> str:
    """Migrate, generate the province, move it to polling day, make the
    accounts; write the clients' configuration. Returns what was done."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "generate_scale_data", "--scale", "province", "--seed", "1")
    django_setup(env)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from incidents.forms import PICKER
    from incidents.models import Incident

    now = timezone.now()
    days = polling_day_today(now)
    dropped = Incident.objects.filter(created_at__gt=now).delete()[1]
    config = {
        "events": str(events),
        "time_zone": settings.TIME_ZONE,
        "picker": PICKER,
        "counts": counts,
        "people": people_make(counts),
        **province_places(),
    }
    config_path.write_text(json.dumps(config), encoding="utf-8")
    left = Incident.objects.count()
    connection.close()
    return (
        f"the province's data moved {days:,} days on so that polling day is "
        f"today; {dropped.get('incidents.Incident', 0)} incidents that would "
        f"lie in the future dropped, {left} left"
    )


def polling_day_today(now: datetime.datetime) -> int:
    """Move every date and time of the election's data by whole days so
    that its polling day is today; returns the days. Relative order (and
    so every constraint) is kept; sessions and logins are made afterwards."""
    from django.apps import apps
    from django.db import connection, models
    from django.utils import timezone

    from contacts.selectors import election_current

    election = election_current()
    assert election is not None, "no election: load the scale data first"
    days = (timezone.localdate(now) - election.polling_day).days
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label not in ("contacts", "incidents", "readiness"):
                continue
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.DateField)
            ]
            if not fields:
                continue
            # A date moves by a number of days, a time by an interval.
            shifts: list[datetime.timedelta | int] = [
                datetime.timedelta(days=days)
                if isinstance(f, models.DateTimeField)
                else days
                for f in fields
            ]
            columns = ", ".join(f'"{f.column}" = "{f.column}" + %s' for f in fields)
            # Django adapts a timedelta (an interval); its stubs' parameter
            # types leave it out.
            cursor.execute(
                f'UPDATE "{model._meta.db_table}" SET {columns}',  # noqa: S608 (model metadata)
                shifts,  # type: ignore[arg-type]
            )
    return days


def people_make(counts: dict[str, int]) -> dict[str, list[dict]]:
    """One account per simulated person (unusable password, logged in
    here), spread round the organisations of the role's kind."""
    from contacts.models import Membership, MembershipRole, Organisation, User
    from contacts.models import OrganisationKind as Kind

    kinds = {
        "staff": Kind.DEPARTMENT,
        "observer": Kind.OBSERVER,
        "district": Kind.DISTRICT,
        "telecom": Kind.TELECOM,
        "postal": Kind.POSTAL,
    }
    people: dict[str, list[dict]] = {}
    for role, count in counts.items():
        orgs = list(
            Organisation.objects.filter(kind=kinds[role], is_active=True).order_by(
                "code"
            )
        )
        people[role] = []
        for i in range(count):
            org = orgs[i % len(orgs)]
            name = f"load-{role}-{i + 1}"
            user = User.objects.create_user(
                username=name, email=f"{name}@example.invalid", full_name=name
            )
            Membership.objects.create(
                user=user, organisation=org, role=MembershipRole.EDITOR
            )
            people[role].append(
                {
                    "session": session_of(user),
                    "organisation": org.pk,
                    "district": org.unit_id if role == "district" else None,
                }
            )
    return people


def province_places() -> dict:
    """The province's districts with their communes (what reports name),
    the organisations staff report for, and what people look up in the
    directory."""
    from contacts.models import (
        CARRIER_KINDS,
        AdministrativeUnit,
        Organisation,
        UnitLevel,
    )
    from contacts.models import OrganisationKind as Kind
    from contacts.selectors import election_current

    election = election_current()
    assert election is not None, "no election: load the scale data first"
    province = election.province
    communes: dict[str, list[int]] = {}
    for district in AdministrativeUnit.objects.filter(
        parent=province, level=UnitLevel.DISTRICT
    ).order_by("code"):
        communes[str(district.pk)] = []
    names = []
    for pk, parent_id, name in (
        AdministrativeUnit.objects.filter(
            parent__parent=province, level=UnitLevel.COMMUNE
        )
        .order_by("code")
        .values_list("pk", "parent_id", "name")
    ):
        communes[str(parent_id)].append(pk)
        names.append(name)
    reporting = Organisation.objects.filter(
        kind__in=[Kind.DISTRICT, *CARRIER_KINDS], is_active=True
    ).values_list("pk", flat=True)
    return {
        "communes": communes,
        "reporting_organisations": list(reporting),
        "directory_terms": ["Tổ bầu cử", "Ban bầu cử", "091", *names[::40]],
    }


# --- The run ------------------------------------------------------------------


def cpu_busy() -> tuple[float, float]:
    """The machine's busy and total CPU seconds so far (/proc/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal (guest time is in user)
    values = [int(v) for v in Path("/proc/stat").read_text().split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def own_cpu() -> float:
    """CPU seconds of this script's finished children (gunicorn and its
    workers, the Celery worker, locust) and of the script itself."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def outbox_drain(timeout: float) -> float:
    """Wait until the worker has delivered every message due (none left
    pending and due, none being sent); returns the seconds waited."""
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from contacts.models import MessageStatus, OutboundMessage

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        connection.close()  # a fresh one each time (see postgres_started)
        busy = OutboundMessage.objects.filter(
            Q(status=MessageStatus.PENDING, next_attempt_at__lte=timezone.now())
            | Q(status=MessageStatus.SENDING)
        ).exists()
        if not busy:
            break
        time.sleep(1)
    return time.monotonic() - start


def postgres_started() -> datetime.datetime:
    """When the PostgreSQL server last started. Other work on a shared
    machine may restart it (tests/test_database_restart.py does): every
    connection is then cut, a request in flight fails, and this script's own
    connection must be made again."""
    from django.db import connection

    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        return cursor.fetchone()[0]


def high_water_marks() -> dict[str, int]:
    """The last ids before the run: what comes after was made during it."""
    from django.db.models import Max

    from contacts.models import OutboundMessage
    from incidents.models import Incident, IncidentUpdate

    return {
        name: model.objects.aggregate(m=Max("pk"))["m"] or 0
        for name, model in (
            ("incident", Incident),
            ("update", IncidentUpdate),
            ("message", OutboundMessage),
        )
    }


# --- After the run: what the clients were told against the database -----------


def read_events(path: Path) -> dict:
    told: dict[str, dict[str, int]] = defaultdict(dict)
    refused: dict[str, int] = {}
    acknowledged: list[int] = []
    errors: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        kind = event["kind"]
        if kind == "error":
            errors.append(event)
        elif kind == "acknowledge":
            acknowledged.append(event["pk"])
        elif kind == "refused":
            refused[event["marker"]] = event["pk"]
        else:
            told[kind][event["marker"]] = event["pk"]
    return {
        "told": told,
        "refused": refused,
        "acknowledged": acknowledged,
        "errors": errors,
    }


def markers_found(rows) -> dict[str, list[int]]:
    """marker → the incidents whose rows carry it (one per row)."""
    found: dict[str, list[int]] = defaultdict(list)
    for incident_id, text in rows:
        for marker in MARKER.findall(text):
            found[marker].append(incident_id)
    return found


def tally(told: dict[str, int], found: dict[str, list[int]]) -> dict[str, int]:
    """How many of what the clients were told is there once, on the
    incident they were shown; missing; doubled; elsewhere."""
    rows = {"told": len(told), "once": 0, "lost": 0, "doubled": 0, "elsewhere": 0}
    for marker, pk in told.items():
        where = found.get(marker, [])
        if not where:
            rows["lost"] += 1
        elif len(where) > 1:
            rows["doubled"] += 1
        elif where[0] != pk:
            rows["elsewhere"] += 1
        else:
            rows["once"] += 1
    return rows


def check(events: dict, marks: dict[str, int]) -> dict:
    """What the clients were told against the database."""
    from incidents.models import Incident, IncidentStatus, IncidentUpdate

    reports = markers_found(
        Incident.objects.filter(description__contains="[pd:").values_list(
            "pk", "description"
        )
    )
    updates = markers_found(
        IncidentUpdate.objects.filter(text__contains="[pd:").values_list(
            "incident_id", "text"
        )
    )
    told, refused = events["told"], events["refused"]
    told_updates = {m for kind in UPDATE_KINDS for m in told[kind]}
    return {
        "reports": tally(told["report"], reports),
        "reports_unseen": len(set(reports) - set(told["report"])),
        "updates": {kind: tally(told[kind], updates) for kind in UPDATE_KINDS},
        "updates_unseen": len(set(updates) - told_updates - set(refused)),
        "refused": len(refused),
        "refused_saved": sum(1 for m in refused if m in updates),
        "acknowledged": len(events["acknowledged"]),
        "acknowledged_incidents": len(set(events["acknowledged"])),
        "acknowledged_not": Incident.objects.filter(
            pk__in=events["acknowledged"], status=IncidentStatus.REPORTED
        ).count(),
        "incidents": Incident.objects.count(),
        "incidents_new": Incident.objects.filter(pk__gt=marks["incident"]).count(),
        **moves_checked(marks),
    }


def moves_checked(marks: dict[str, int]) -> dict[str, int]:
    """The status moves made during the run: how many, how many were made
    twice (no incident is reopened, so each move happens once at most), and
    how many incidents they touched do not have the status of their last
    move (timeline rows are written in the order the moves were claimed)."""
    from django.db.models import Count

    from incidents.models import Incident, IncidentUpdate, UpdateKind

    moves = IncidentUpdate.objects.filter(
        pk__gt=marks["update"], kind=UpdateKind.STATUS
    )
    twice = (
        moves.values("incident_id", "status_from", "status_to")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    touched = set(moves.values_list("incident_id", flat=True))
    last = dict(
        IncidentUpdate.objects.filter(incident_id__in=touched, kind=UpdateKind.STATUS)
        .order_by("pk")
        .values_list("incident_id", "status_to")
    )
    statuses = Incident.objects.filter(pk__in=touched).values_list("pk", "status")
    return {
        "moves": moves.count(),
        "moves_twice": twice.count(),
        "status_not_last_move": sum(1 for pk, s in statuses if last.get(pk) != s),
    }


def outbox_figures(marks: dict[str, int], accepted_by_smtp: int) -> dict:
    from django.utils import timezone

    from contacts.models import Channel, MessageStatus, OutboundMessage

    q = OutboundMessage.objects.filter(pk__gt=marks["message"])
    delays = sorted(
        (sent - created).total_seconds()
        for created, sent in q.filter(status=MessageStatus.SENT).values_list(
            "created_at", "sent_at"
        )
        if sent is not None
    )
    return {
        "by_status": Counter(q.values_list("status", flat=True)),
        "by_kind": Counter(q.values_list("kind", flat=True)),
        "waiting": q.filter(
            status=MessageStatus.PENDING, next_attempt_at__gt=timezone.now()
        ).count(),
        "emails_sent": q.filter(
            status=MessageStatus.SENT, channel=Channel.EMAIL
        ).count(),
        "accepted_by_smtp": accepted_by_smtp,
        "delay_median": statistics.median(delays) if delays else None,
        "delay_max": delays[-1] if delays else None,
    }


# --- The figures ----------------------------------------------------------------


def print_results(args, counts, setup, stats, run, found, outbox) -> None:
    total = stats["Aggregated"]
    people = ", ".join(f"{n} {ROLE_NAMES[role]}" for role, n in counts.items())
    print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
    print(
        f"\n{args.users} people for {args.minutes:g} min ({people}), 5–15 s "
        f"between two actions; gunicorn with {args.workers} sync workers, "
        "PostgreSQL, Redis, one Celery worker (solo pool) with beat; "
        f"{setup}.\n"
    )
    print("| request | requests | per second | median | p95 | p99 | failures |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = sorted(
        (row for name, row in stats.items() if name != "Aggregated"),
        key=lambda row: -int(row["Request Count"]),
    )
    for row in [*rows, total]:
        label = "all requests" if row is total else row["Name"]
        print(
            f"| {label} | {int(row['Request Count']):,} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} ms | {row['95%']} ms | "
            f"{row['99%']} ms | {row['Failure Count']} |"
        )
    errors = run["errors"]
    print(
        f"\nServer errors (5xx): {sum(1 for e in errors if e['status'] >= 500)}; "
        f"requests without an answer: {sum(1 for e in errors if not e['status'])}; "
        f"other unexpected answers: {run['unexpected']}. "
        f"Machine CPU busy {run['busy']:.0%} of {os.cpu_count()} cores over the "
        f"run, this run's server, worker and clients {run['own']:.0%} (the rest: "
        f"PostgreSQL, Redis and whatever else ran); load average "
        f"{run['load_before']:.1f} before the run."
    )
    if run["postgres_restarted"]:
        print(
            "PostgreSQL was restarted during the run by other work on the "
            f"machine (last at {run['postgres_restarted']:%H:%M:%S %Z})."
        )
    print()
    print(
        "| checked in the database | the clients were told saved | there once | lost | twice | on another incident |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    labels = {
        "update": "timeline updates",
        "resolve": "resolutions (with their note)",
        "close": "closings (with their note)",
        "answer": "answers to difficulty reports",
    }
    lines = [("incident reports", found["reports"])]
    lines += [(labels[kind], found["updates"][kind]) for kind in UPDATE_KINDS]
    for label, t in lines:
        print(
            f"| {label} | {t['told']:,} | {t['once']:,} | {t['lost']} | "
            f"{t['doubled']} | {t['elsewhere']} |"
        )
    print(
        f"\nIncidents: {found['incidents_new']:,} reported during the run "
        f"({found['incidents']:,} in all); saved but the answer not seen by the "
        f"client: {found['reports_unseen']} reports, {found['updates_unseen']} "
        f"updates. Status moves during the run: {found['moves']:,}, made twice: "
        f"{found['moves_twice']}; incidents whose status is not their last move: "
        f"{found['status_not_last_move']}. Acknowledgements sent: "
        f"{found['acknowledged']:,} to {found['acknowledged_incidents']:,} "
        "incidents (two officers at once on "
        f"{found['acknowledged'] - found['acknowledged_incidents']}), of which "
        f"still unacknowledged: {found['acknowledged_not']}. Changes refused "
        f"because someone moved the incident first: {found['refused']}, of "
        f"which saved all the same: {found['refused_saved']}."
    )
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(outbox["by_status"].items()))
    kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(outbox["by_kind"].items()))
    delay = (
        f"; from written to sent: median {outbox['delay_median']:.1f} s, "
        f"longest {outbox['delay_max']:.1f} s"
        if outbox["delay_median"] is not None
        else ""
    )
    print(
        f"\nOutbox, {run['drained']:.0f} s after the clients stopped: messages "
        f"written during the run: {statuses or 'none'} ({kinds or '–'}); "
        f"{outbox['waiting']} wait for their time (quiet hours, retries); "
        f"e-mails sent {outbox['emails_sent']:,}, accepted by the SMTP server "
        f"{outbox['accepted_by_smtp']:,}{delay}. The worker "
        f"{'was running to the end' if run['worker_alive'] else 'had died'}."
    )


def failed(run: dict, found: dict) -> list[str]:
    problems = []
    if run["errors"]:
        problems.append(f"{len(run['errors'])} server errors or unanswered requests")
    if run["unexpected"]:
        problems.append(f"{run['unexpected']} unexpected answers")
    for label, t in [("reports", found["reports"]), *found["updates"].items()]:
        if t["lost"] or t["doubled"] or t["elsewhere"]:
            problems.append(f"{label}: {t}")
    for key in ("refused_saved", "acknowledged_not", "moves_twice"):
        if found[key]:
            problems.append(f"{key}: {found[key]}")
    if found["status_not_last_move"]:
        problems.append(f"status_not_last_move: {found['status_not_last_move']}")
    if not run["worker_alive"]:
        problems.append("the Celery worker died")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated people")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--smtp-port", type=int, default=8026)
    args = parser.parse_args()
    url = bench_database_url()
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        sys.exit("Set CELERY_BROKER_URL to a Redis database of the benchmark's own.")
    counts = role_counts(args.users)

    recreate_database(url)
    env = server_env(args.port) | {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(args.smtp_port),
        "LOG_LEVEL": "WARNING",
    }
    work = Path(tempfile.mkdtemp(prefix="bench-polling-day-"))
    events = work / "events.jsonl"
    config = work / "config.json"
    setup = prepare(env, counts, config, events)
    env["BENCH_LOAD_CONFIG"] = str(config)

    marks = high_water_marks()
    run: dict = {"load_before": os.getloadavg()[0], "postgres": postgres_started()}
    with (
        smtp_sink(args.smtp_port) as mail,
        celery_worker(env, workdir=work) as worker,
    ):
        with gunicorn(
            env, port=args.port, workers=args.workers, log=work / "server.log"
        ):
            busy, total, own = *cpu_busy(), own_cpu()
            stats = run_locust(
                locustfile="locustfile_polling_day.py",
                env=env,
                port=args.port,
                users=args.users,
                spawn_rate=max(1, args.users / 20),  # all in within 20 s
                seconds=round(args.minutes * 60),
                prefix=str(work / "polling_day"),
                # A person finishes what they are doing (all outcomes kept).
                options=("--stop-timeout", "30"),
            )
        run["drained"] = outbox_drain(DRAIN_SECONDS)
        run["worker_alive"] = worker.poll() is None
    busy_now, total_now = cpu_busy()
    restarted = postgres_started()
    run["postgres_restarted"] = restarted if restarted != run["postgres"] else None
    run["busy"] = (busy_now - busy) / (total_now - total)
    run["own"] = (own_cpu() - own) / (total_now - total)
    run.update(read_events(events))
    run["unexpected"] = int(stats["Aggregated"]["Failure Count"]) - len(run["errors"])
    found = check(run, marks)
    outbox = outbox_figures(marks, len(mail.arrivals))
    print_results(args, counts, setup, stats, run, found, outbox)

    problems = failed(run, found)
    if problems:
        # What locust saw, and the server's tracebacks (gunicorn's log).
        failures = (work / "polling_day_failures.csv").read_text(encoding="utf-8")
        print(f"\n{failures}\nFAILED: {'; '.join(problems)}.", file=sys.stderr)
        print(f"Logs (server.log, worker.log, events) in {work}", file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
