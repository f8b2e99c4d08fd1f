"""Demo status reports for `load_demo`, made through the real services.

- The schedule of the issue's example: polling day at 10:00, 14:00 and
  19:00; every day at 16:00 before and after polling day.
- Polling day: VNPT (user telecom) reports normal all day; Viettel (user
  telecom2) reports congestion at 14:00 (degraded, two base stations
  out); VNPost (user postal) reports its election mail at 10:00 and 14:00
  and misses 19:00, so the moment's page shows it missing.
- The eve of polling day at 16:00: all three report normal.
- The latest moment of the election (the last day after polling day):
  only VNPT has filed, so the dashboard's card names the others.

Running it again adds nothing: a moment or report already there is kept.
Reports not yet due when it runs (the demo before polling day) are left
for a later run.
"""

import datetime

from django.utils import timezone

from contacts.models import Election, User
from incidents.models import ReportingMoment, StatusReport
from incidents.services.status_reports import (
    reporting_moment_add,
    status_report_file,
)

SCHEDULE = [("during", 10), ("during", 14), ("during", 19)]
SCHEDULE += [("before", 16), ("after", 16)]
FILED_AFTER = datetime.timedelta(minutes=12)
NORMAL = {"overall_status": "normal", "sites_out": 0, "open_incidents": 0}
MAIL = {"mail_accepted": 0, "mail_delivered": 0, "mail_delayed": 0}


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_default_timezone()
    )


def _reports(election: Election) -> list[tuple[str, datetime.datetime, dict]]:
    polling = election.polling_day
    eve = polling - datetime.timedelta(days=1)
    return [
        ("telecom", _at(eve, 16), NORMAL),
        ("telecom2", _at(eve, 16), NORMAL),
        ("postal", _at(eve, 16), NORMAL | MAIL | {"mail_accepted": 35}),
        ("telecom", _at(polling, 10), NORMAL),
        ("telecom2", _at(polling, 10), NORMAL | {"open_incidents": 1}),
        (
            "postal",
            _at(polling, 10),
            NORMAL | {"mail_accepted": 12, "mail_delivered": 40, "mail_delayed": 0},
        ),
        ("telecom", _at(polling, 14), NORMAL | {"open_incidents": 1}),
        (
            "telecom2",
            _at(polling, 14),
            {
                "overall_status": "degraded",
                "sites_out": 2,
                "open_incidents": 1,
                "note": "Nghẽn mạng di động khu vực trung tâm; đã điều BTS lưu động.",
            },
        ),
        (
            "postal",
            _at(polling, 14),
            {
                "overall_status": "degraded",
                "sites_out": 0,
                "open_incidents": 1,
                "mail_accepted": 8,
                "mail_delivered": 25,
                "mail_delayed": 2,
                "note": "Chậm phát tài liệu do mưa lớn.",
            },
        ),
        ("telecom", _at(polling, 19), NORMAL),
        ("telecom2", _at(polling, 19), NORMAL),
        ("telecom", _at(election.after_ends_on, 16), NORMAL),
    ]


def demo_status_reports_ensure(
    *,
    election: Election,
    users: dict[str, User],
    now: datetime.datetime | None = None,
) -> int:
    """Add the demo schedule and the reports that are missing and due by
    `now` (a later run, in a later phase, adds the next); returns how many
    reports were added."""
    now = now or timezone.now()
    for period, hour in SCHEDULE:
        if not ReportingMoment.objects.filter(
            election=election, period=period, time_of_day=datetime.time(hour)
        ).exists():
            reporting_moment_add(
                election=election,
                period=period,
                time_of_day=datetime.time(hour),
                by=users["staff"],
            )
    added = 0
    for username, due_at, figures in _reports(election):
        user = users[username]
        organisation = user.membership.organisation
        if (
            due_at + FILED_AFTER > now
            or StatusReport.objects.filter(
                election=election, organisation=organisation, due_at=due_at
            ).exists()
        ):
            continue
        status_report_file(
            election=election,
            organisation=organisation,
            due_at=due_at,
            by=user,
            now=due_at + FILED_AFTER,
            **figures,
        )
        added += 1
    return added
