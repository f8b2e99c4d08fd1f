"""The migration that splits a directive's issued_on into year, month and
day (readiness/migrations/0009_directive_partial_date.py): the seed's
directive and its untouched copies lose the day the seed made up; every
other directive, and its audit trail, keeps its whole date."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from readiness.models import Directive
from readiness.nd30 import PartialDate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = "0008_official_documents"
AFTER = "0009_directive_partial_date"
SEED_NUMBER = "…/STTTT-QLVT"


def _migrate(readiness: str):
    """Every app at its latest migration, readiness at `readiness`; the
    models as they were then."""
    executor = MigrationExecutor(connection)
    targets = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "readiness"]
    targets.append(("readiness", readiness))
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _old_rows(apps) -> None:
    """Directives as they were before the split."""
    Unit = apps.get_model("contacts", "AdministrativeUnit")
    Election = apps.get_model("contacts", "Election")
    Directive = apps.get_model("readiness", "Directive")
    History = apps.get_model("readiness", "HistoricalDirective")
    User = apps.get_model("contacts", "User")
    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", division_type="tỉnh", level="province"
    )

    def election(day: datetime.date, source=None):
        return Election.objects.create(
            name=f"Bầu cử {day.year}",
            province=province,
            polling_day=day,
            before_starts_on=day - datetime.timedelta(days=100),
            after_ends_on=day + datetime.timedelta(days=20),
            copied_from=source,
        )

    def directive(code, number, issued_on, on, by=None, redated=None):
        row = Directive.objects.create(
            code=code,
            number=number,
            issued_on=issued_on,
            election=on,
            issuer="Sở TTTT",
            subject="Bầu cử",
            recipients="UBND các huyện",
        )
        values = {
            f.attname: getattr(row, f.attname) for f in Directive._meta.concrete_fields
        }
        History.objects.create(**values, history_date=timezone.now(), history_type="+")
        if redated is not None:
            Directive.objects.filter(pk=row.pk).update(issued_on=redated)
            History.objects.create(
                **(values | {"issued_on": redated}),
                history_date=timezone.now(),
                history_type="~",
                history_user=by,
            )
        return row

    seeded = election(datetime.date(2021, 5, 23))
    copied = election(datetime.date(2026, 3, 15), source=seeded)
    person = User.objects.create(username="staff")
    directive("thanh-hoa-2021-ttll", SEED_NUMBER, datetime.date(2021, 2, 1), seeded)
    directive("thanh-hoa-2026-ttll", SEED_NUMBER, datetime.date(2025, 11, 24), copied)
    directive("numbered", "12/STTTT-QLVT", datetime.date(2021, 3, 15), seeded)
    directive(
        "redated",
        SEED_NUMBER,
        datetime.date(2025, 11, 24),
        election(datetime.date(2031, 3, 15), source=copied),
        by=person,
        redated=datetime.date(2025, 11, 1),
    )


def test_the_seeds_made_up_day_is_blank_and_every_other_date_is_kept():
    try:
        _old_rows(_migrate(BEFORE))
        _migrate(AFTER)
        issued = {d.code: d.issued for d in Directive.objects.all()}
        history = {
            (h.id, h.history_type): PartialDate(
                h.issued_year, h.issued_month, h.issued_day
            )
            for h in Directive.history.all()
        }
    finally:
        _migrate(AFTER)  # whatever happened, the schema of the other tests
    assert issued == {
        "thanh-hoa-2021-ttll": PartialDate(2021, 2),
        "thanh-hoa-2026-ttll": PartialDate(2025, 11),
        "numbered": PartialDate(2021, 3, 15),
        # Dated by a person: their date is kept, day and all.
        "redated": PartialDate(2025, 11, 1),
    }
    seed = Directive.objects.get(code="thanh-hoa-2021-ttll")
    assert history[(seed.pk, "+")] == PartialDate(2021, 2)
    redated = Directive.objects.get(code="redated")
    assert history[(redated.pk, "+")] == PartialDate(2025, 11, 24)
    assert history[(redated.pk, "~")] == PartialDate(2025, 11, 1)
