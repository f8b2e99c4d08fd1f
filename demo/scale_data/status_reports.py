"""Carriers' status reports (incidents.models.status_reports): the issue's
example schedule (polling day at 10:00, 14:00 and 19:00; 16:00 every day
before and after) and, for the moments of the last week before `now` (or
before the end of the after period, when `now` is later), a
report from most carriers (some normal, some degraded or disrupted, a few
missing), so that the status-report pages and the dashboard's card show
data at every size. Only the last week: at country scale a report per
carrier for each of the hundred days before polling day would add 100,000
rows that no page reads at once."""

import datetime

from contacts.models import Organisation, OrganisationKind
from demo.scale_data.bulk import insert
from demo.scale_data.world import DAY, World, at_hour, between, spread
from incidents.models import ReportingMoment, StatusReport
from incidents.selectors.status_reports import reporting_moments_between

SCHEDULE = [("during", 10), ("during", 14), ("during", 19)]
SCHEDULE += [("before", 16), ("after", 16)]
REPORT_STATES = {"normal": 70, "degraded": 12, "disrupted": 4, "missing": 14}
NOTES = {
    "degraded": "Nghẽn cục bộ, đã điều BTS lưu động.",
    "disrupted": "Đứt cáp quang trục, đang khắc phục.",
}


def status_reports_generate(world: World, carriers: list[Organisation]) -> None:
    moments = [
        ReportingMoment(
            election=world.election,
            period=period,
            time_of_day=datetime.time(hour),
            created_by=world.staff,
        )
        for period, hour in SCHEDULE
    ]
    insert(moments)
    rng = world.rng("status_reports")
    reports = []
    # Generated after the election (the pages benchmark runs on today's
    # clock): the last week of its after period.
    until = min(world.now, at_hour(world.election.after_ends_on, 23))
    for moment in reporting_moments_between(
        election=world.election, after=until - 7 * DAY, until=until
    ):
        states = spread(rng, REPORT_STATES, len(carriers))
        for carrier, state in zip(carriers, states, strict=True):
            if state != "missing":
                reports.append(_report(world, rng, carrier, moment.at, state))
    insert(reports)


def _report(world, rng, carrier: Organisation, due_at, state: str) -> StatusReport:
    postal = carrier.kind == OrganisationKind.POSTAL
    mail = rng.randrange(0, 400) if postal else None
    return StatusReport(
        election=world.election,
        organisation=carrier,
        due_at=due_at,
        overall_status=state,
        sites_out=0 if state == "normal" else rng.randrange(1, 12),
        mail_accepted=mail,
        mail_delivered=None if mail is None else rng.randrange(0, mail + 1),
        mail_delayed=None if mail is None else rng.randrange(0, 5),
        open_incidents=0 if state == "normal" else rng.randrange(0, 3),
        note=NOTES.get(state, ""),
        filed_by=world.officers[carrier.pk],
        filed_at=due_at
        + between(rng, datetime.timedelta(0), datetime.timedelta(hours=1)),
    )
