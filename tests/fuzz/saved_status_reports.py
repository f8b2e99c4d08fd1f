"""What the status-report forms saved, read back (tests/fuzz/
test_fuzz_forms.py, FormCase.saved): the report of the carrier for the
moment due now, and a reporting moment of the schedule."""

import datetime
import re

from django.utils import timezone

from incidents.importers import TIME_FORMATS
from incidents.models import ReportingMoment, StatusReport
from incidents.selectors.status_reports import moment_latest
from tests.fuzz.support import Matrix, Target, received, sent, typed


def _number(data: dict, name: str) -> int:
    return int(re.sub(r"\.0*$", "", sent(data, name).strip()))


def _problems(pairs) -> list[str]:
    return [f"{label}: saved {a!r}, sent {b!r}" for label, a, b in pairs if a != b]


def saved_status_report(org: str):
    def saved(m: Matrix, t: Target | None, data: dict) -> list[str]:
        election = m.world.directive.election
        moment = moment_latest(election=election, now=timezone.now())
        assert moment is not None
        report = StatusReport.objects.get(
            election=election, organisation=m.orgs[org], due_at=moment.at
        )
        names = ["sites_out", "open_incidents"]
        if m.orgs[org].kind == "postal":
            names += ["mail_accepted", "mail_delivered", "mail_delayed"]
        pairs: list[tuple[str, object, object]] = [
            (n, getattr(report, n), _number(data, n)) for n in names
        ]
        pairs += [
            ("overall_status", report.overall_status, received(data, "overall_status")),
            ("note", report.note, typed(data, "note")),
        ]
        return _problems(pairs)

    return saved


def _time(text: str) -> datetime.time:
    for pattern in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).time()
        except ValueError:
            continue
    raise AssertionError(f"saved although time_of_day={text!r} is not a time")


def saved_reporting_moment(m: Matrix, t: Target | None, data: dict) -> list[str]:
    moment = ReportingMoment.objects.latest("pk")
    return _problems(
        [
            ("period", moment.period, received(data, "period")),
            ("time_of_day", moment.time_of_day, _time(sent(data, "time_of_day"))),
        ]
    )
