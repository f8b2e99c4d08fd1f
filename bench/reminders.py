"""How long planning reminders takes for many organisations, and how long
from a tick to the e-mails being written, through Redis and a real worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 python bench/reminders.py

Creates a throwaway test database, ORGS organisations × 10 obligations,
one member each with an e-mail address, every obligation unmet and within
its reminder window, then (1) times `reminders_enqueue_due` (each run on an
empty outbox), and (2) sends the planning task through the broker to a
worker and measures until the e-mails are written to files.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"


def build(orgs: int):
    from contacts.models import Membership, Organisation, OrganisationKind, User
    from readiness.models import EvidenceKind, RecipientGroup
    from tests.factories import DeadlineFactory, DirectiveFactory, ObligationFactory

    now = datetime.datetime.now(datetime.UTC)
    directive = DirectiveFactory(
        election__polling_day=(now + datetime.timedelta(days=30)).date(),
        election__before_starts_on=(now - datetime.timedelta(days=60)).date(),
        election__after_ends_on=(now + datetime.timedelta(days=50)).date(),
    )
    for i in range(10):
        obligation = ObligationFactory(
            directive=directive,
            code=f"O{i}",
            recipient_group=RecipientGroup.TELECOM,
            evidence_kind=EvidenceKind.PLAN_SECTION,
            position=i,
        )
        # Due in 2 days: the "3 days before" reminder is due now.
        DeadlineFactory(
            obligation=obligation, due_at=now + datetime.timedelta(days=2, hours=i)
        )
    Organisation.objects.bulk_create(
        Organisation(
            code=f"bench-{i}", kind=OrganisationKind.TELECOM, name=f"Doanh nghiệp {i}"
        )
        for i in range(orgs)
    )
    User.objects.bulk_create(
        User(username=f"bench-{i}", email=f"bench-{i}@example.vn") for i in range(orgs)
    )
    users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    Membership.objects.bulk_create(
        Membership(user=users[o.code], organisation=o)
        for o in Organisation.objects.filter(code__startswith="bench-")
    )
    return directive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="time planning only"
    )
    args = parser.parse_args()

    mail_dir = tempfile.mkdtemp(prefix="bench-mail-")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
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

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = mail_dir
    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
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
            end_to_end(settings, mail_dir, created)
    finally:
        teardown_databases(old, verbosity=0)


def end_to_end(settings, mail_dir: str, expected: int) -> None:
    """Tick → planning task → outbox → delivery task → files, through Redis."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        print("\n(no Redis broker configured: end-to-end delay not measured)")
        return
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app
    from readiness.tasks import plan_reminders

    app.conf.broker_url = settings.CELERY_BROKER_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        start = time.perf_counter()
        plan_reminders.delay()
        first = None
        while time.perf_counter() - start < 600:
            written = len(os.listdir(mail_dir))
            if written and first is None:
                first = time.perf_counter() - start
            if written >= expected:
                break
            time.sleep(0.05)
        last = time.perf_counter() - start
    print("\n| reminders | first e-mail written | all written |")
    print("| --- | --- | --- |")
    print(
        f"| {written:,} of {expected:,} | {first or float('nan'):.2f} s | {last:.2f} s |"
    )


if __name__ == "__main__":
    main()
