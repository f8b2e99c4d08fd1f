"""The demo status reports of `load_demo`."""

import datetime

from contacts.selectors import election_current
from demo.status_reports import demo_status_reports_ensure
from demo.users import demo_users_ensure
from incidents.models import ReportingMoment
from incidents.selectors.status_reports import moment_latest, moment_table
from readiness.services import seed_case_load
from tests.factories import VN


def test_the_demo_has_the_schedule_and_a_missing_report_and_runs_twice(db):
    seed_case_load()
    users = {u.username: u for u in demo_users_ensure(password="x-Pass-1")}
    election = election_current()
    assert demo_status_reports_ensure(election=election, users=users) == 12
    assert demo_status_reports_ensure(election=election, users=users) == 0
    assert ReportingMoment.objects.filter(election=election).count() == 5
    evening = moment_latest(
        election=election,
        now=datetime.datetime.combine(
            election.polling_day, datetime.time(19, 30), tzinfo=VN
        ),
    )
    table = moment_table(election=election, moment=evening, now=evening.at)
    vnpost = users["postal"].membership.organisation
    assert vnpost in [row.organisation for row in table.missing]
    assert vnpost not in [row.organisation for row in table.filed]
