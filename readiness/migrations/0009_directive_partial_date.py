"""A directive's date as the letter writes it: year, month and day, the
month and the day may be blank (readiness.partial_dates), in place of
issued_on, which had to hold a whole date.

Existing rows keep their whole date, but for the directive the seed
shipped: the copy on file leaves the day blank ("ngày … tháng 02 năm
2021") and load_seed recorded the 1st. Its day becomes blank again, and so
does the day of every copy of it (readiness.services.cycles), whose date
was that 1st moved with polling day; each only while its date is still the
one the seed or the copy gave it (no person has changed it since) and its
number is still the letter's "…/STTTT-QLVT". Its audit rows are split the
same way.

Going back makes a whole date again, with the 1st for a blank part: the
date issued_on held before.
"""

import datetime

from django.db import migrations, models

SEED_CODE = "thanh-hoa-2021-ttll"
SEED_NUMBER = "\u2026/STTTT-QLVT"  # …/STTTT-QLVT


def _dated_by_a_person(History) -> set[int]:
    """Directives whose issued_on a person changed (an audit row with a user
    whose date differs from the row before it)."""
    changed: set[int] = set()
    last: dict[int, datetime.date] = {}
    rows = History.objects.order_by("history_date", "history_id").values_list(
        "id", "issued_on", "history_type", "history_user_id"
    )
    for pk, issued_on, kind, user in rows:
        if kind == "~" and user is not None and last.get(pk, issued_on) != issued_on:
            changed.add(pk)
        last[pk] = issued_on
    return changed


def _blank_days(Directive, History, Election) -> set[int]:
    parents = dict(Election.objects.values_list("pk", "copied_from_id"))
    seeded = set(
        Directive.objects.filter(code=SEED_CODE).values_list("election_id", flat=True)
    )

    def copied_from_seed(election_id: int | None) -> bool:
        seen: set[int] = set()
        while election_id is not None and election_id not in seen:
            if election_id in seeded:
                return True
            seen.add(election_id)
            election_id = parents.get(election_id)
        return False

    by_a_person = _dated_by_a_person(History)
    return {
        pk
        for pk, code, number, election_id in Directive.objects.values_list(
            "pk", "code", "number", "election_id"
        )
        if number == SEED_NUMBER
        and pk not in by_a_person
        and (code == SEED_CODE or copied_from_seed(parents.get(election_id)))
    }


def _split(row, blank_day: bool) -> None:
    row.issued_year = row.issued_on.year
    row.issued_month = row.issued_on.month
    row.issued_day = None if blank_day else row.issued_on.day


def forwards(apps, schema_editor):
    Directive = apps.get_model("readiness", "Directive")
    History = apps.get_model("readiness", "HistoricalDirective")
    Election = apps.get_model("contacts", "Election")
    blank = _blank_days(Directive, History, Election)
    fields = ["issued_year", "issued_month", "issued_day"]
    for model, key in ((Directive, "pk"), (History, "id")):
        rows = list(model.objects.all())
        for row in rows:
            _split(row, getattr(row, key) in blank)
        model.objects.bulk_update(rows, fields, batch_size=500)


def backwards(apps, schema_editor):
    for name in ("Directive", "HistoricalDirective"):
        model = apps.get_model("readiness", name)
        rows = list(model.objects.all())
        for row in rows:
            row.issued_on = datetime.date(
                row.issued_year, row.issued_month or 1, row.issued_day or 1
            )
        model.objects.bulk_update(rows, ["issued_on"], batch_size=500)


def _year(null: bool) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(null=null, verbose_name="year of issue")


def _month() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        blank=True,
        help_text="Empty when the letter leaves the month blank.",
        null=True,
        verbose_name="month of issue",
    )


def _day() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        blank=True,
        help_text="Empty when the letter leaves the day blank (“ngày … tháng 02”).",
        null=True,
        verbose_name="day of issue",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_election_cycle"),
        ("readiness", "0008_official_documents"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("directive", "historicaldirective")
            for name, field in (
                ("issued_year", _year(null=True)),
                ("issued_month", _month()),
                ("issued_day", _day()),
            )
        ),
        migrations.RunPython(forwards, backwards),
        *(
            migrations.AlterField(
                model_name=model, name="issued_year", field=_year(null=False)
            )
            for model in ("directive", "historicaldirective")
        ),
        migrations.AlterModelOptions(
            name="directive",
            options={
                "ordering": [
                    models.OrderBy(models.F("issued_year"), descending=True),
                    models.OrderBy(
                        models.F("issued_month"), descending=True, nulls_last=True
                    ),
                    models.OrderBy(
                        models.F("issued_day"), descending=True, nulls_last=True
                    ),
                    "pk",
                ],
                "verbose_name": "directive",
                "verbose_name_plural": "directives",
            },
        ),
        migrations.RemoveField(model_name="directive", name="issued_on"),
        migrations.RemoveField(model_name="historicaldirective", name="issued_on"),
        migrations.AddConstraint(
            model_name="directive",
            constraint=models.CheckConstraint(
                condition=models.Q(issued_month__isnull=True)
                | models.Q(issued_month__gte=1, issued_month__lte=12),
                name="directive_issued_month_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="directive",
            constraint=models.CheckConstraint(
                condition=models.Q(issued_day__isnull=True)
                | models.Q(
                    issued_day__gte=1, issued_day__lte=31, issued_month__isnull=False
                ),
                name="directive_issued_day_with_month",
            ),
        ),
    ]
