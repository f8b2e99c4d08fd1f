"""How long the compliance matrix takes for many organisations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/compliance_matrix.py

Creates a throwaway test database (PostgreSQL when DATABASE_URL says so,
else SQLite), fills it with ORGS organisations × 10 obligations in every
state (not started, draft, submitted, returned, accepted, overdue), then
times `readiness.selectors.compliance_matrix` and the /compliance/ page.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"


if TYPE_CHECKING:
    from contacts.models import User
    from readiness.models import Directive


def build(orgs: int) -> "tuple[Directive, User]":
    """Organisations, a directive of 10 obligations, and plans in all states."""
    from contacts.models import Organisation, OrganisationKind, User
    from readiness.models import (
        EvidenceKind,
        PlanSection,
        PlanVersion,
        ReadinessPlan,
        RecipientGroup,
        ReviewStatus,
        SectionReview,
    )
    from tests.factories import (
        DeadlineFactory,
        DirectiveFactory,
        MembershipFactory,
        ObligationFactory,
        ProvinceFactory,
    )

    province = ProvinceFactory(code="38")
    directive = DirectiveFactory(election__province=province)
    groups = (
        [RecipientGroup.TELECOM] * 4
        + [RecipientGroup.POSTAL] * 3
        + [RecipientGroup.DISTRICT] * 2
    )
    obligations = [
        ObligationFactory(
            directive=directive,
            code=f"O{i}",
            recipient_group=g,
            evidence_kind=EvidenceKind.PLAN_SECTION,
            position=i,
        )
        for i, g in enumerate(groups)
    ]
    obligations.append(
        ObligationFactory(
            directive=directive,
            code="ALL",
            position=99,
            recipient_group=RecipientGroup.ALL,
            evidence_kind=EvidenceKind.CHANNEL,
        )
    )
    for o in obligations[:-1]:
        DeadlineFactory(obligation=o)
    kinds = [OrganisationKind.TELECOM, OrganisationKind.POSTAL]
    Organisation.objects.bulk_create(
        Organisation(code=f"bench-{i}", kind=kinds[i % 2], name=f"Doanh nghiệp {i}")
        for i in range(orgs)
    )
    staff = MembershipFactory(
        user__username="bench-staff",
        organisation__kind=OrganisationKind.DEPARTMENT,
        organisation__code="dept",
    ).user
    carriers = list(Organisation.objects.filter(code__startswith="bench-"))
    plans = ReadinessPlan.objects.bulk_create(
        ReadinessPlan(directive=directive, organisation=o)
        for o in carriers[: orgs * 3 // 4]
    )
    now = datetime.datetime.now(datetime.UTC)
    sections, versions = [], []
    for plan in plans:
        for o in obligations[:-1]:
            if plan.organisation.kind == o.recipient_group:
                sections.append(
                    PlanSection(plan=plan, obligation=o, measures="x", updated_at=now)
                )
        versions.append(
            PlanVersion(plan=plan, number=1, submitted_at=now, submitted_by=staff)
        )
    PlanSection.objects.bulk_create(sections, batch_size=2000)
    PlanVersion.objects.bulk_create(versions, batch_size=2000)
    for plan, version in zip(plans, versions, strict=True):
        plan.latest_version = version
    ReadinessPlan.objects.bulk_update(plans, ["latest_version"], batch_size=2000)
    statuses = [ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED, ReviewStatus.RETURNED]
    version_of = {v.plan_id: v for v in versions}
    reviews = []
    for i, section in enumerate(sections):
        status = statuses[i % 3]
        comment = "Bổ sung" if status == ReviewStatus.RETURNED else ""
        reviews.append(
            SectionReview(
                version=version_of[section.plan_id],
                obligation=section.obligation,
                status=status,
                comment=comment,
            )
        )
    SectionReview.objects.bulk_create(reviews, batch_size=2000)
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    return directive, staff


def time_it(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )
    from django.utils import timezone

    from readiness.selectors import compliance_matrix

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        directive, staff = build(args.orgs)
        now = timezone.now()
        with CaptureQueriesContext(connection) as queries:
            matrix = compliance_matrix(directive=directive, now=now)
        cells, query_count = len(matrix.cells), len(queries.captured_queries)
        selector = time_it(
            lambda: compliance_matrix(directive=directive, now=now), args.runs
        )
        client = Client()
        client.force_login(staff)
        assert client.get("/compliance/").status_code == 200
        page = time_it(lambda: client.get("/compliance/"), max(3, args.runs // 3))
        # The driver module (sqlite3, psycopg2); not in Django's stubs.
        driver = connection.Database.__name__  # type: ignore[attr-defined]
        vendor = f"{connection.vendor} {driver}"
        print("<!-- results -->")  # what bench/run_all.py puts in docs/performance.md
        print(
            "\n| database | organisations | cells | queries | selector median | page median |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        print(
            f"| {vendor} | {args.orgs:,} | {cells:,} | {query_count} | "
            f"{statistics.median(selector) * 1000:.0f} ms | {statistics.median(page) * 1000:.0f} ms |"
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
