"""Changes to the carriers' scheduled status reports ("báo cáo nhanh"):
the Department's reporting moments, a carrier's report for a moment, and
the reminder about a moment passed without one.

When a carrier files (decided here, shown on the carrier's page):
- a carrier files for the latest moment that has come (the "moment due
  now"); filing for a moment still to come is refused, with the time it
  can be filed from;
- the report may be corrected by its carrier until the next moment comes;
  from then on it is kept as it was, and the new moment is the one due;
- a moment passed without a report stays missing: the carrier is reminded
  once, and it is shown as missing on the Department's pages and in the
  situation reports.

The calendar of concrete moments is read by incidents.selectors.
status_reports (re-exported here: `reporting_moments_on`,
`reporting_moments_between`, `moment_latest`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import (
    Election,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    OutboundMessage,
    User,
)
from contacts.selectors import election_current
from contacts.services.closure import election_ensure_open
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
    relevance_check,
)
from incidents.models import ReportingMoment, StatusReport
from incidents.selectors.status_reports import (
    Moment,
    moment_latest,
    reporting_moments_between,
    reporting_moments_on,
    reporting_schedule,
    status_report_carriers,
)

NOT_A_CARRIER = gettext_lazy("Only postal and telecom firms file status reports.")
NOT_A_MOMENT = gettext_lazy(
    "This is not a reporting moment of the election's schedule."
)
MAIL_NEEDED = gettext_lazy("A postal firm gives this figure at every report.")
MAIL_NOT_FOR_TELECOM = gettext_lazy("Only postal firms report election mail.")
MOMENT_TAKEN = gettext_lazy("This period already has a reporting moment at this time.")
MAIL_FIELDS = ("mail_accepted", "mail_delivered", "mail_delayed")
REPORT_FIELDS = (
    "overall_status",
    "sites_out",
    *MAIL_FIELDS,
    "open_incidents",
    "note",
    "filed_by",
    "filed_at",
)
# Reminders are only about moments of the last day: a tick that comes back
# after an outage does not send a storm of reminders about old moments.
REMIND_WITHIN = datetime.timedelta(days=1)
STATUS_REPORT_TOPIC = "status-report"

__all__ = [
    "moment_latest",
    "reporting_moment_add",
    "reporting_moment_remove",
    "reporting_moments_between",
    "reporting_moments_on",
    "status_report_file",
    "status_reports_remind_missed",
]


def when_text(at: datetime.datetime) -> str:
    return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def not_yet_message(at: datetime.datetime) -> str:
    return _(
        "The reporting moment of %(at)s has not come yet: the report can be "
        "filed from then."
    ) % {"at": when_text(at)}


def moment_over_message(at: datetime.datetime, next_at: datetime.datetime) -> str:
    return _(
        "The report for %(at)s can no longer be filed or corrected: the next "
        "reporting moment (%(next)s) has come. File the report for that one."
    ) % {"at": when_text(at), "next": when_text(next_at)}


# --- The schedule ------------------------------------------------------------------


@transaction.atomic
def reporting_moment_add(
    *, election: Election, period: str, time_of_day: datetime.time, by: User
) -> ReportingMoment:
    """A time of day at which carriers report in a period (a Department
    editor's change)."""
    election_ensure_open(election)
    time_of_day = time_of_day.replace(second=0, microsecond=0)
    if ReportingMoment.objects.filter(
        election=election, period=period, time_of_day=time_of_day
    ).exists():
        raise ValidationError({"time_of_day": MOMENT_TAKEN})
    moment = ReportingMoment(
        election=election, period=period, time_of_day=time_of_day, created_by=by
    )
    moment.full_clean(exclude=["election", "created_by"], validate_constraints=False)
    moment.save()
    return moment


@transaction.atomic
def reporting_moment_remove(*, moment: ReportingMoment) -> None:
    """Take a time off the schedule. Reports already filed for its past
    moments are kept (and still exported); simple-history keeps the row."""
    election_ensure_open(moment.election_id)
    moment.delete()


# --- Filing ------------------------------------------------------------------------


def _check_moment(
    election: Election, due_at: datetime.datetime, now: datetime.datetime
) -> None:
    """The moment must be in the schedule, have come, and still be the
    latest that has come (so its report may be filed or corrected)."""
    schedule = reporting_schedule(election=election)
    day = timezone.localdate(due_at)
    if due_at not in {
        m.at
        for m in reporting_moments_on(election=election, day=day, schedule=schedule)
    }:
        raise ValidationError(NOT_A_MOMENT)
    if due_at > now:
        raise ValidationError(not_yet_message(due_at))
    latest = moment_latest(election=election, now=now, schedule=schedule)
    if latest is not None and latest.at != due_at:
        raise ValidationError(moment_over_message(due_at, latest.at))


def _check_mail(organisation: Organisation, figures: dict) -> None:
    if organisation.kind == OrganisationKind.POSTAL:
        missing = {k: MAIL_NEEDED for k in MAIL_FIELDS if figures[k] is None}
        if missing:
            raise ValidationError(missing)
    elif any(figures[k] is not None for k in MAIL_FIELDS):
        raise ValidationError(MAIL_NOT_FOR_TELECOM)


@transaction.atomic
def status_report_file(
    *,
    election: Election,
    organisation: Organisation,
    due_at: datetime.datetime,
    overall_status: str,
    sites_out: int,
    open_incidents: int,
    by: User,
    note: str = "",
    mail_accepted: int | None = None,
    mail_delivered: int | None = None,
    mail_delayed: int | None = None,
    now: datetime.datetime | None = None,
) -> tuple[StatusReport, bool]:
    """File, or correct, a carrier's report for the moment `due_at`; the
    report and whether it is new (rather than a correction).

    1. The election must be open, the organisation a carrier.
    2. `due_at` must be a moment of the schedule that has come and is still
       the latest that has come (see the module docstring); a ValidationError
       says which rule was broken, with the times.
    3. A postal firm gives the three mail figures; a telecom firm none.
    4. The report is written, or the carrier's report for that moment is
       overwritten (simple-history keeps the earlier figures). Two filings
       at the same instant make one report: the later corrects the first.
    """
    now = now or timezone.now()
    election_ensure_open(election)
    if organisation.kind not in (OrganisationKind.POSTAL, OrganisationKind.TELECOM):
        raise ValidationError(NOT_A_CARRIER)
    _check_moment(election, due_at, now)
    figures = {
        "overall_status": overall_status,
        "sites_out": sites_out,
        "mail_accepted": mail_accepted,
        "mail_delivered": mail_delivered,
        "mail_delayed": mail_delayed,
        "open_incidents": open_incidents,
        "note": note.strip(),
        "filed_by": by,
        "filed_at": now,
    }
    _check_mail(organisation, figures)
    once = {"election": election, "organisation": organisation, "due_at": due_at}
    report = StatusReport.objects.filter(**once).first() or StatusReport(**once)
    _set_figures(report, figures)
    if report.pk is not None:
        report.save(update_fields=REPORT_FIELDS)
        return report, False
    try:
        with transaction.atomic():
            report.save()
        return report, True
    except IntegrityError:
        # The same report sent twice at once (a double click, or an operations
        # centre retrying a request that timed out): the other request inserted
        # it after our look-up and the unique constraint refused ours, so this
        # one corrects it.
        report = StatusReport.objects.get(**once)
        _set_figures(report, figures)
        report.save(update_fields=REPORT_FIELDS)
        return report, False


def _set_figures(report: StatusReport, figures: dict) -> None:
    for name, value in figures.items():
        setattr(report, name, value)
    report.full_clean(
        exclude=["election", "organisation", "filed_by"], validate_constraints=False
    )


# --- Reminders ------------------------------------------------------------------


def _grace() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.STATUS_REPORT_GRACE_MINUTES)


def status_reports_remind_missed(*, now: datetime.datetime | None = None) -> int:
    """Remind the editors of each carrier that has not reported for a moment
    passed more than STATUS_REPORT_GRACE_MINUTES ago, once per (carrier,
    moment, editor): the dedupe key names all three, so the tick may run
    any number of times. Only the current election, while open, and only
    moments of the last day. Returns how many messages are new. Five
    queries whatever the number of carriers, and a rendering per new
    (carrier, moment, language)."""
    now = now or timezone.now()
    election = election_current()
    if election is None or election.is_closed:
        return 0
    moments = reporting_moments_between(
        election=election, after=now - REMIND_WITHIN, until=now - _grace()
    )
    if not moments:
        return 0
    unreported = _unreported(election, moments)
    due = [(m, c) for m in moments for c in unreported[m.at]]
    editors = _editors_by_organisation({c.pk for _m, c in due})
    link = settings.SITE_URL + reverse("status_reports:index")
    messages = []
    for moment, carrier in due:
        texts: dict[str, tuple] = {}
        for user in editors.get(carrier.pk, []):
            if user.language not in texts:
                texts[user.language] = _render(carrier, moment, link, user.language)
            messages += outbox_messages_for(
                user=user,
                dedupe_key=f"{STATUS_REPORT_TOPIC}:{carrier.pk}:"
                f"{moment.at.isoformat()}:{user.pk}",
                texts=texts[user.language],
                kind=STATUS_REPORT_TOPIC,
                organisation=carrier,
                link=link,
                topic=f"{STATUS_REPORT_TOPIC}:{carrier.pk}",
                topic_due_at=moment.at,
                next_attempt_at=now,
            )
    return outbox_enqueue(messages=messages)


def _unreported(
    election: Election, moments: list[Moment]
) -> dict[datetime.datetime, list[Organisation]]:
    """Per moment, the active carriers with neither a report nor a reminder
    already written (two queries): a reminder already in the outbox is not
    rendered again."""
    times = [m.at for m in moments]
    done: set[tuple[int, datetime.datetime | None]] = set(
        StatusReport.objects.filter(election=election, due_at__in=times).values_list(
            "organisation_id", "due_at"
        )
    )
    done |= set(
        OutboundMessage.objects.filter(
            kind=STATUS_REPORT_TOPIC, topic_due_at__in=times
        ).values_list("organisation_id", "topic_due_at")
    )
    carriers = list(status_report_carriers())
    return {at: [c for c in carriers if (c.pk, at) not in done] for at in times}


def _editors_by_organisation(ids: set[int]) -> dict[int, list[User]]:
    grouped: dict[int, list[User]] = {}
    q = Membership.objects.filter(
        organisation_id__in=ids, role=MembershipRole.EDITOR, user__is_active=True
    ).select_related("user")
    for membership in q.order_by("user_id"):
        grouped.setdefault(membership.organisation_id, []).append(membership.user)
    return grouped


def _render(
    carrier: Organisation, moment: Moment, link: str, language: str
) -> tuple[str, str, str]:
    ctx = {
        "organisation": carrier,
        "due_at": moment.at,
        "link": link,
        "language": language,
    }
    return notification_render(name="status-report", ctx=ctx, language=language)


@relevance_check(STATUS_REPORT_TOPIC)
def status_report_reminders_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """A reminder not yet sent is dropped when the carrier has filed for
    that moment in the meantime (checked just before sending, one query
    per batch)."""
    wanted = {m.pk: (int(m.topic.split(":")[1]), m.topic_due_at) for m in messages}
    filed = set(
        StatusReport.objects.filter(
            organisation_id__in={org for org, _at in wanted.values()},
            due_at__in={at for _org, at in wanted.values()},
        ).values_list("organisation_id", "due_at")
    )
    return {
        pk: "the report for the moment was filed before the reminder was sent"
        for pk, key in wanted.items()
        if key in filed
    }
