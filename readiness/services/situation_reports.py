"""Polling-day situation reports: made on schedule (beat runs
readiness.tasks.make_situation_reports every few minutes) or on demand by
Department editors, and sent through the outbox to the Department's staff
and the observers (docs/architecture.md, "Reminders and other beat ticks":
the tick is a pure function of (now, database); running it twice, or late,
or in two workers at once, makes each report once and sends it once to each
person).

The schedule (situation_slots): on polling day, the first report at 07:00
Vietnam time, when the polls open, then every
Election.situation_report_every_hours hours until midnight: 07:00, 11:00,
15:00, 19:00 (the polls close) and 23:00 with the default of 4 hours.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from contacts.models import Election, Membership, OrganisationKind, User
from contacts.selectors import election_current
from contacts.services.closure import election_ensure_open
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
)
from readiness.models import SituationReport
from readiness.selectors.situation_reports import situation_figures
from readiness.situation_files import situation_context

# When the polls open: the first report of the day.
FIRST_SLOT = datetime.time(7)
# Who receives every report.
RECIPIENT_KINDS = (OrganisationKind.DEPARTMENT, OrganisationKind.OBSERVER)
# Another worker (or an editor's button) may take the next number between
# reading it and writing the report: try again with the one after.
ATTEMPTS = 3


def situation_slots(
    *, election: Election, day: datetime.date
) -> list[datetime.datetime]:
    """The times of the day's scheduled reports: none unless `day` is
    polling day; then 07:00 and every N hours after it, before midnight."""
    if day != election.polling_day:
        return []
    zone = timezone.get_default_timezone()
    first = datetime.datetime.combine(day, FIRST_SLOT, zone)
    midnight = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0), zone
    )
    step = datetime.timedelta(hours=election.situation_report_every_hours)
    slots, slot = [], first
    while slot < midnight:
        slots.append(slot)
        slot += step
    return slots


def situation_reports_make_due(*, now: datetime.datetime | None = None) -> int:
    """Make the reports whose time has come; returns how many were made.

    1. Take the current election; stop if there is none, it is closed, or
       today (Vietnam time) is not its polling day.
    2. The slots due: passed, without a report, and later than the latest
       scheduled report (so that changing N during the day does not make
       reports for the new schedule's past slots).
    3. Read the figures once, and make each due slot's report with them,
       numbered in order, as of its slot; send each.
    """
    now = now or timezone.now()
    election = election_current()
    if election is None or election.is_closed:
        return 0
    due = _slots_due(election, now)
    if not due:
        return 0
    figures = situation_figures(election=election, now=now)
    made = [
        _report_make(election=election, as_of=slot, by=None, now=now, figures=figures)
        for slot in due
    ]
    return sum(1 for report in made if report is not None)


def _slots_due(election: Election, now: datetime.datetime) -> list[datetime.datetime]:
    slots = [
        s
        for s in situation_slots(election=election, day=timezone.localdate(now))
        if s <= now
    ]
    if not slots:
        return []
    rows = list(
        SituationReport.objects.filter(
            Q(made_by__isnull=True) | Q(as_of__in=slots), election=election
        ).values_list("as_of", "made_by_id")
    )
    taken = {as_of for as_of, _by in rows}
    scheduled = [as_of for as_of, by in rows if by is None]
    latest = max(scheduled, default=None)
    return [s for s in slots if s not in taken and (latest is None or s > latest)]


def situation_report_make(
    *, election: Election, by: User, now: datetime.datetime | None = None
) -> SituationReport:
    """A report made on demand, as of now, numbered after the latest."""
    now = now or timezone.now()
    report = _report_make(election=election, as_of=now, by=by, now=now)
    if report is None:  # a report as of this very microsecond: someone else's
        report = SituationReport.objects.get(election=election, as_of=now)
    return report


def _report_make(
    *,
    election: Election,
    as_of: datetime.datetime,
    by: User | None,
    now: datetime.datetime,
    figures: dict | None = None,
) -> SituationReport | None:
    """Make the report as of `as_of` and send it, in one transaction; None
    when a report as of that moment exists already (another worker made it:
    the unique constraint says so)."""
    with transaction.atomic():
        election_ensure_open(election)
        if figures is None:
            figures = situation_figures(election=election, now=now)
        report = _report_insert(election, as_of, by, now, figures)
        if report is not None:
            situation_report_send(report=report, now=now)
    return report


def _report_insert(election, as_of, by, now, figures) -> SituationReport | None:
    for _attempt in range(ATTEMPTS):
        latest = SituationReport.objects.filter(election=election).aggregate(
            n=Max("number")
        )["n"]
        try:
            with transaction.atomic():
                return SituationReport.objects.create(
                    election=election,
                    number=(latest or 0) + 1,
                    as_of=as_of,
                    made_at=now,
                    made_by=by,
                    figures=figures,
                )
        except IntegrityError:
            if SituationReport.objects.filter(election=election, as_of=as_of).exists():
                return None
    raise IntegrityError("no free situation report number after several attempts")


def situation_report_recipients() -> list[Membership]:
    """Every active member of the Department and of the observers."""
    return list(
        Membership.objects.filter(
            organisation__kind__in=RECIPIENT_KINDS,
            organisation__is_active=True,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("user_id")
    )


def situation_report_send(
    *, report: SituationReport, now: datetime.datetime | None = None
) -> int:
    """One message per recipient and channel, in the recipient's language,
    with a link to the report's page; the key names the report and the
    person, so sending twice writes nothing new."""
    now = now or timezone.now()
    link = settings.SITE_URL + reverse(
        "situation_reports:situation_report_detail", args=[report.pk]
    )
    rendered: dict[str, tuple] = {}
    messages = []
    for membership in situation_report_recipients():
        user = membership.user
        language = user.language
        if language not in rendered:
            ctx = situation_context(report, language=language)
            ctx |= {"link": link, "language": language}
            rendered[language] = notification_render(
                name="situation_report", ctx=ctx, language=language
            )
        messages += outbox_messages_for(
            user=user,
            dedupe_key=f"situation-report:{report.pk}:{user.pk}",
            texts=rendered[language],
            kind="situation_report",
            organisation=membership.organisation,
            link=link,
            next_attempt_at=now,
        )
    return outbox_enqueue(messages=messages)


@transaction.atomic
def situation_report_interval_set(*, election: Election, hours: int) -> Election:
    """Change how often the polling-day reports are made (1 to 24 hours).
    Reports already made stay; the next one follows the new schedule."""
    election_ensure_open(election)
    election.situation_report_every_hours = hours
    election.full_clean(validate_unique=False, validate_constraints=False)
    election.save(update_fields=["situation_report_every_hours"])
    return election
