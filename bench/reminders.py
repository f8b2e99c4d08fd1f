"""How long planning reminders takes for many organisations, and how long
from a tick to the e-mails reaching an SMTP server, through Redis and a
real worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 python bench/reminders.py

Creates a throwaway test database, ORGS organisations × 10 obligations,
one member each with an e-mail address, every obligation unmet and within
its reminder window, then (1) times `reminders_enqueue_due` (each run on an
empty outbox), and (2) sends the planning task through the broker to a
worker, as beat does on its tick, and measures until an SMTP server on
loopback (aiosmtpd) has accepted every e-mail. A deadline crossing waits at
most one beat interval (REMINDER_TICK_SECONDS) for that tick.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
SMTP_PORT = 8025


def build(orgs: int):
    from readiness.services.reminders import reminder_rule_for
    from tests.factories import (
        carriers_with_one_member,
        directive_with_carrier_deadlines,
    )

    # Due in 2 days: the "3 days before" reminder of all ten is due now.
    now = datetime.datetime.now(datetime.UTC)
    directive = directive_with_carrier_deadlines(
        due_at=now + datetime.timedelta(days=2)
    )
    # No quiet hours: run at night, the e-mails would wait for 07:00.
    rule = reminder_rule_for(directive)
    rule.quiet_start = rule.quiet_end = datetime.time(0, 0)
    rule.save()
    carriers_with_one_member(count=orgs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="time planning only"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        CaptureQueriesContext,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    from contacts.models import OutboundMessage
    from readiness.services.reminders import reminders_enqueue_due

    setup_test_environment()
    # After setup_test_environment, which installs the locmem backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTP_PORT
    old = setup_databases(verbosity=0, interactive=False)
    try:
        build(args.orgs)
        timings, created = [], 0
        for _ in range(args.runs):
            OutboundMessage.objects.all().delete()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                created = reminders_enqueue_due()
                timings.append(time.perf_counter() - start)
        vendor = connection.vendor
        print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
        print(
            "\n| database | organisations | obligations | reminders | queries | planning median |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        print(
            f"| {vendor} | {args.orgs:,} | 10 | {created:,} | {len(queries.captured_queries)} | "
            f"{statistics.median(timings):.2f} s |"
        )
        OutboundMessage.objects.all().delete()
        if not args.no_end_to_end:
            end_to_end(settings, created)
    finally:
        teardown_databases(old, verbosity=0)


def end_to_end(settings, expected: int) -> None:
    """Tick → planning task → outbox → delivery task → SMTP, through Redis."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        print("\n(no Redis broker configured: end-to-end delay not measured)")
        return
    from celery.contrib.testing.worker import start_worker

    from bench.load_harness import smtp_sink
    from config.celery_app import app
    from readiness.tasks import plan_reminders

    app.conf["broker_url"] = settings.CELERY_BROKER_URL
    with (
        smtp_sink(SMTP_PORT) as handler,
        start_worker(
            app,  # type: ignore[arg-type]  # celery-types: Celery[Task] only
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
        ),
    ):
        start = time.perf_counter()
        plan_reminders.delay()
        while time.perf_counter() - start < 900:
            if len(handler.arrivals) >= expected:
                break
            time.sleep(0.05)
    arrivals = handler.arrivals
    first = arrivals[0] - start if arrivals else float("nan")
    last = arrivals[-1] - start if arrivals else float("nan")
    rate = (len(arrivals) - 1) / (last - first) if len(arrivals) > 1 else float("nan")
    print("\n| reminders accepted by SMTP | first after the tick | last | e-mails/s |")
    print("| --- | --- | --- | --- |")
    print(
        f"| {len(arrivals):,} of {expected:,} | {first:.2f} s | {last:.2f} s | {rate:.0f} |"
    )


if __name__ == "__main__":
    main()
