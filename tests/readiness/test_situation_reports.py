"""Polling-day situation reports: the schedule (with a clock the test
steps through polling day), the figures read from live data, sending to
the Department's staff and the observers, and the pages and files."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from contacts.models import OrganisationKind, OutboundMessage
from contacts.services.closure import ElectionClosed
from contacts.spreadsheets import active_sheet
from incidents.models import (
    Incident,
    OverallStatus,
    ReportingMoment,
    ReportingPeriod,
    Shift,
    StatusReport,
)
from readiness.forms_situation_reports import BAD_HOURS
from readiness.models import SituationReport
from readiness.selectors.situation_reports import situation_figures
from readiness.services.situation_reports import (
    _report_make,
    situation_report_interval_set,
    situation_report_make,
    situation_reports_make_due,
    situation_slots,
)
from readiness.tasks import make_situation_reports
from tests.conftest import need
from tests.factories import VN, CommuneFactory, DistrictFactory, OrganisationFactory
from tests.incidents.helpers import report
from tests.readiness.conftest import english

POLLING_DAY = datetime.date(2021, 5, 23)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime.datetime:
    """A moment of polling day (or `days` from it), Vietnam time."""
    day = POLLING_DAY + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VN)


def hours_of(slots) -> list[str]:
    return [timezone.localtime(s).strftime("%H:%M") for s in slots]


def reports() -> list[tuple[int, str, bool]]:
    """(number, as of HH:MM, on schedule) of every report, by number."""
    return [
        (r.number, timezone.localtime(r.as_of).strftime("%H:%M"), r.made_by is None)
        for r in SituationReport.objects.order_by("number")
    ]


@pytest.fixture
def election(world):
    return world.directive.election


@pytest.fixture
def addressed(world):
    """Staff, the read-only staff member and the observer have e-mail
    addresses; the observer reads English. Carriers and districts too, to
    show they are not sent the reports."""
    for user, email in (
        (world.staff, "staff@example.vn"),
        (world.staff_viewer, "viewer@example.vn"),
        (world.observer, "observer@example.vn"),
        (world.district_a_officer, "district@example.vn"),
        (world.telecom_officer, "telecom@example.vn"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    world.observer.language = "en"
    world.observer.save(update_fields=["language"])
    return world


# --- The schedule -------------------------------------------------------------------


def test_slots_start_when_the_polls_open_and_follow_the_interval(election):
    assert hours_of(situation_slots(election=election, day=POLLING_DAY)) == [
        "07:00",
        "11:00",
        "15:00",
        "19:00",
        "23:00",
    ]
    election.situation_report_every_hours = 5
    assert hours_of(situation_slots(election=election, day=POLLING_DAY)) == [
        "07:00",
        "12:00",
        "17:00",
        "22:00",
    ]
    election.situation_report_every_hours = 24
    assert hours_of(situation_slots(election=election, day=POLLING_DAY)) == ["07:00"]


def test_there_are_no_slots_on_other_days(election):
    for days in (-1, 1):
        day = POLLING_DAY + datetime.timedelta(days=days)
        assert situation_slots(election=election, day=day) == []


def test_stepping_through_polling_day_makes_one_report_after_each_slot(world):
    made = {}
    for hour, minute in ((0, 5), (6, 59), (7, 0), (7, 5), (10, 55), (11, 2), (11, 7)):
        made[f"{hour:02}:{minute:02}"] = situation_reports_make_due(
            now=at(hour, minute)
        )
    assert made == {
        "00:05": 0,
        "06:59": 0,
        "07:00": 1,
        "07:05": 0,
        "10:55": 0,
        "11:02": 1,
        "11:07": 0,
    }
    assert reports() == [(1, "07:00", True), (2, "11:00", True)]
    report = SituationReport.objects.get(number=2)
    assert report.made_at == at(11, 2)
    assert report.figures["taken_at"] == at(11, 2).isoformat()


def test_running_the_tick_twice_makes_nothing_twice(world):
    assert make_situation_reports.run() == 0  # today is not polling day
    assert situation_reports_make_due(now=at(15, 1)) == 3
    assert situation_reports_make_due(now=at(15, 1)) == 0
    assert situation_reports_make_due(now=at(15, 3)) == 0
    assert reports() == [(1, "07:00", True), (2, "11:00", True), (3, "15:00", True)]


def test_a_worker_down_for_hours_makes_each_missed_report_in_order(world):
    situation_reports_make_due(now=at(7, 1))
    assert situation_reports_make_due(now=at(23, 50)) == 4
    assert [n for n, _as_of, _s in reports()] == [1, 2, 3, 4, 5]
    assert hours_of(r.as_of for r in SituationReport.objects.order_by("number")) == [
        "07:00",
        "11:00",
        "15:00",
        "19:00",
        "23:00",
    ]


def test_an_interval_of_two_hours_gives_more_slots(world, election):
    situation_report_interval_set(election=election, hours=2)
    assert situation_reports_make_due(now=at(9, 0)) == 2
    assert situation_reports_make_due(now=at(10, 59)) == 0
    assert situation_reports_make_due(now=at(11, 0)) == 1
    assert reports() == [(1, "07:00", True), (2, "09:00", True), (3, "11:00", True)]


def test_changing_the_interval_during_the_day_makes_no_report_for_past_slots(
    world, election
):
    situation_reports_make_due(now=at(11, 30))
    situation_report_interval_set(election=election, hours=2)
    # 09:00 is a slot of the new schedule, but it has passed.
    assert situation_reports_make_due(now=at(12, 59)) == 0
    assert situation_reports_make_due(now=at(13, 0)) == 1
    assert reports() == [(1, "07:00", True), (2, "11:00", True), (3, "13:00", True)]


def test_nothing_is_made_on_other_days(world):
    assert situation_reports_make_due(now=at(12, days=-1)) == 0
    assert situation_reports_make_due(now=at(8, days=1)) == 0
    assert SituationReport.objects.count() == 0


def test_nothing_is_made_for_a_closed_election(world, election):
    election.closed_at = at(6)
    election.save(update_fields=["closed_at"])
    assert situation_reports_make_due(now=at(12)) == 0
    assert SituationReport.objects.count() == 0
    with pytest.raises(ElectionClosed):
        situation_report_make(election=election, by=world.staff, now=at(12))
    with pytest.raises(ElectionClosed):
        situation_report_interval_set(election=election, hours=2)


def test_a_slot_made_meanwhile_by_another_worker_is_not_made_twice(world, election):
    """Two workers running the tick at once: the one that comes second finds
    the slot taken by the unique constraint, and makes and sends nothing."""
    situation_reports_make_due(now=at(7, 0))
    assert (
        _report_make(election=election, as_of=at(7, 0), by=None, now=at(7, 0)) is None
    )
    assert SituationReport.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SituationReport.objects.create(
            election=election, number=9, as_of=at(7, 0), made_at=at(7, 0)
        )


def test_a_report_on_demand_is_numbered_after_the_latest(world, election):
    situation_reports_make_due(now=at(7, 0))
    mine = situation_report_make(election=election, by=world.staff, now=at(9, 42))
    assert (mine.number, mine.as_of, mine.made_by) == (2, at(9, 42), world.staff)
    situation_reports_make_due(now=at(11, 0))
    assert reports() == [(1, "07:00", True), (2, "09:42", False), (3, "11:00", True)]


# --- The figures ----------------------------------------------------------------------


def _incident(world, *, reported_at, district="a", **fields) -> Incident:
    org = world.district_a if district == "a" else world.district_b
    commune = org.unit.children.order_by("code").first()
    incident = report(world, units=[commune], **fields)
    Incident.objects.filter(pk=incident.pk).update(created_at=reported_at)
    return incident


def _resolve(incident: Incident, resolved_at) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        status="resolved", resolved_at=resolved_at, resolution_note="Đã nối cáp"
    )


@pytest.fixture
def live(world):
    """At noon on polling day: a critical incident in district A reported
    at 08:00, open; a major one in district B reported at 08:30 and
    resolved at 09:00; a minor one in district A reported the day before,
    still open; two difficulty reports, one answered."""
    _incident(world, reported_at=at(8), severity="critical")
    major = _incident(world, reported_at=at(8, 30), severity="major", district="b")
    _resolve(major, at(9))
    _incident(world, reported_at=at(9, days=-1), severity="minor")
    _incident(
        world,
        reported_at=at(8, 45),
        category="difficulty",
        severity="minor",
        title="Thiếu máy phát điện ở điểm bỏ phiếu",
    )
    answered = _incident(
        world, reported_at=at(8, 50), category="difficulty", severity="minor"
    )
    Incident.objects.filter(pk=answered.pk).update(
        answer="Đã điều máy phát", answered_at=at(9, 30)
    )
    return world


def test_incidents_are_counted_by_severity_and_district(live):
    figures = situation_figures(election=live.directive.election, now=at(12))
    incidents = figures["incidents"]
    assert incidents["by_severity"] == [
        {"severity": "critical", "opened": 1, "resolved": 0, "open": 1},
        {"severity": "major", "opened": 1, "resolved": 1, "open": 0},
        {"severity": "minor", "opened": 0, "resolved": 0, "open": 1},
    ]
    assert incidents["total"] == {"opened": 2, "resolved": 1, "open": 2}
    rows = {row["name"]: row for row in incidents["by_district"]}
    assert rows == {
        "Thành phố Thanh Hóa": {
            "code": live.district_a.unit.code,
            "name": "Thành phố Thanh Hóa",
            "opened": 1,
            "resolved": 0,
            "open": 2,
        },
        "Huyện Đông Sơn": {
            "code": live.district_b.unit.code,
            "name": "Huyện Đông Sơn",
            "opened": 1,
            "resolved": 1,
            "open": 0,
        },
    }
    assert figures["since"] == at(0).isoformat()


def test_unanswered_difficulties_are_counted_and_the_oldest_named(live):
    figures = situation_figures(election=live.directive.election, now=at(12))
    difficulties = figures["difficulties"]
    assert difficulties["unanswered"] == 1
    assert [d["title"] for d in difficulties["oldest"]] == [
        "Thiếu máy phát điện ở điểm bỏ phiếu"
    ]


def _shift(world, organisation, start, end) -> Shift:
    return Shift.objects.create(
        election=world.directive.election,
        organisation=organisation,
        person_name="Lê Văn Trực",
        phone="+84912345678",
        starts_at=start,
        ends_at=end,
        created_by=world.staff,
    )


def test_organisations_with_roster_gaps_on_polling_day_are_named(world, t2):
    covered = OrganisationFactory(
        kind=OrganisationKind.TELECOM, code="covered", name="Viễn thông Đủ"
    )
    _shift(world, covered, at(0), at(0, days=1))
    _shift(world, world.telecom, at(8), at(16))
    figures = situation_figures(election=world.directive.election, now=at(12))
    assert figures["rosters"] == {
        "checked": 2,
        "with_gaps": [
            {
                "organisation": "Viễn thông Thử",
                "organisation_en": world.telecom.name_en,
                "gaps": [
                    [at(0).isoformat(), at(8).isoformat()],
                    [at(16).isoformat(), at(0, days=1).isoformat()],
                ],
                "hours": 16.0,
            }
        ],
    }


def test_without_a_duty_roster_obligation_no_roster_is_checked(world):
    figures = situation_figures(election=world.directive.election, now=at(12))
    assert figures["rosters"] == {"checked": 0, "with_gaps": []}


@pytest.fixture
def status_reports(world):
    """Carriers report at 10:00 on polling day; the telecom firm filed a
    degraded report, the postal firm did not file."""
    election = world.directive.election
    ReportingMoment.objects.create(
        election=election, period=ReportingPeriod.DURING, time_of_day=datetime.time(10)
    )
    StatusReport.objects.create(
        election=election,
        organisation=world.telecom,
        due_at=at(10),
        overall_status=OverallStatus.DEGRADED,
        sites_out=3,
        open_incidents=2,
        note="Mất điện 3 trạm BTS",
        filed_by=world.telecom_officer,
        filed_at=at(10, 5),
    )
    return world


def test_the_carriers_status_reports_are_summed_up(status_reports):
    world = status_reports
    summary = situation_figures(election=world.directive.election, now=at(12))[
        "status_reports"
    ]
    assert summary["moment"] == at(10).isoformat()
    assert (summary["filed"], summary["missing"]) == (1, 1)
    assert summary["missing_names"] == ["Bưu điện Thử"]
    assert summary["by_status"] == {"normal": 0, "degraded": 1, "disrupted": 0}
    assert (summary["sites_out"], summary["open_incidents"]) == (3, 2)
    assert summary["troubled"] == [
        {
            "organisation": "Viễn thông Thử",
            "status": "degraded",
            "sites_out": 3,
            "note": "Mất điện 3 trạm BTS",
        }
    ]


def _more_data(world, t2) -> None:
    """More districts, incidents, difficulties, carriers and shifts."""
    for n in range(3):
        district = DistrictFactory(parent=world.province, name=f"Huyện Thêm {n}")
        commune = CommuneFactory(parent=district)
        for severity in ("critical", "major", "minor"):
            incident = report(world, units=[commune], severity=severity)
            Incident.objects.filter(pk=incident.pk).update(created_at=at(8))
        report(world, units=[commune], category="difficulty", severity="minor")
        carrier = OrganisationFactory(kind=OrganisationKind.TELECOM, code=f"more-{n}")
        _shift(world, carrier, at(6), at(9))
        _shift(world, carrier, at(12), at(14))


def test_the_figures_cost_the_same_queries_whatever_the_data(live, t2):
    election = live.directive.election
    with CaptureQueriesContext(connection) as small:
        situation_figures(election=election, now=at(12))
    _more_data(live, t2)
    with CaptureQueriesContext(connection) as big:
        figures = situation_figures(election=election, now=at(12))
    assert figures["incidents"]["total"]["opened"] == 11
    assert len(figures["rosters"]["with_gaps"]) == 4
    assert len(big.captured_queries) == len(small.captured_queries)


# --- Sending ---------------------------------------------------------------------------


def test_each_report_is_sent_once_to_staff_and_observers_in_their_language(
    addressed,
):
    world = addressed
    situation_reports_make_due(now=at(7, 1))
    situation_reports_make_due(now=at(7, 6))
    report_ = SituationReport.objects.get()
    sent = {
        (m.recipient.username if m.recipient else ""): m
        for m in OutboundMessage.objects.filter(kind="situation_report")
    }
    assert sorted(sent) == ["observer", "staff", "staff-viewer"]
    assert {m.dedupe_key for m in sent.values()} == {
        f"situation-report:{report_.pk}:{u.pk}"
        for u in (world.staff, world.staff_viewer, world.observer)
    }
    link = reverse("situation_reports:situation_report_detail", args=[report_.pk])
    assert all(m.link.endswith(link) and link in m.body for m in sent.values())
    assert sent["observer"].language == "en"
    assert sent["observer"].subject.startswith("Situation report No. 1 as of")
    with translation.override("vi"):
        from django.utils.translation import gettext

        expected_vi = gettext("Open the report")
    assert expected_vi in sent["staff"].body


def test_the_message_carries_the_headline_figures(addressed, live):
    situation_report_make(
        election=addressed.directive.election, by=addressed.staff, now=at(12)
    )
    message = OutboundMessage.objects.get(
        kind="situation_report", recipient=addressed.observer
    )
    assert "2 reported, 1 resolved, 2 still open" in message.body
    assert "1 difficulty report awaits an answer" in message.body
    assert "2 incidents open" in message.subject


# --- Pages ------------------------------------------------------------------------------


def _made(world, now=None) -> SituationReport:
    return situation_report_make(
        election=world.directive.election, by=world.staff, now=now or at(12)
    )


@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_staff_and_observers_read_the_list_and_a_report(client, world, who):
    report_ = _made(world)
    client.force_login(getattr(world, who))
    page = client.get(reverse("situation_reports:situation_report_list"))
    assert page.status_code == 200
    assert reverse("situation_reports:situation_report_detail", args=[report_.pk]) in (
        page.content.decode()
    )
    detail = reverse("situation_reports:situation_report_detail", args=[report_.pk])
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["district_a_officer", "district_b_officer", "telecom_officer", "postal_officer"],
)
def test_districts_and_carriers_find_no_such_page(client, world, who):
    report_ = _made(world)
    client.force_login(getattr(world, who))
    for name, args in (
        ("situation_report_list", []),
        ("situation_report_detail", [report_.pk]),
        ("situation_report_pdf", [report_.pk]),
        ("situation_report_xlsx", [report_.pk]),
    ):
        assert (
            client.get(reverse(f"situation_reports:{name}", args=args)).status_code
            == 404
        )
    assert (
        client.post(reverse("situation_reports:situation_report_make")).status_code
        == 404
    )
    assert SituationReport.objects.count() == 1


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse("situation_reports:situation_report_list"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


def test_a_report_that_does_not_exist_is_not_found(client, world):
    client.force_login(world.staff)
    url = reverse("situation_reports:situation_report_detail", args=[999999])
    assert client.get(url).status_code == 404


def test_the_list_says_who_made_each_report(client, world):
    situation_reports_make_due(now=at(7, 0))
    _made(world, now=at(9, 30))
    client.force_login(world.observer)
    html = english(client).get(reverse("situation_reports:situation_report_list"))
    html = html.content.decode()
    assert "on schedule" in html
    assert f"on demand, by {world.staff}" in html
    assert html.index('id="situation-report-2"') < html.index('id="situation-report-1"')
    # Observers read; they neither make reports nor change the schedule.
    assert "situation_report_every_hours" not in html
    assert reverse("situation_reports:situation_report_make") not in html


def test_an_editor_makes_a_report_now(client, addressed):
    client.force_login(addressed.staff)
    r = client.post(reverse("situation_reports:situation_report_make"))
    report_ = SituationReport.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse(
        "situation_reports:situation_report_detail", args=[report_.pk]
    )
    assert report_.made_by == addressed.staff
    assert OutboundMessage.objects.filter(kind="situation_report").count() == 3


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_read_only_members_cannot_make_reports_or_change_the_schedule(
    client, world, who
):
    client.force_login(getattr(world, who))
    assert (
        client.post(reverse("situation_reports:situation_report_make")).status_code
        == 403
    )
    r = client.post(
        reverse("situation_reports:situation_report_list"),
        {"situation_report_every_hours": "2"},
    )
    assert r.status_code == 403
    assert SituationReport.objects.count() == 0
    world.directive.election.refresh_from_db()
    assert world.directive.election.situation_report_every_hours == 4


def test_an_editor_changes_the_schedule(client, world):
    client.force_login(world.staff)
    url = reverse("situation_reports:situation_report_list")
    r = client.post(url, {"situation_report_every_hours": "3"})
    assert r.status_code == 302
    election = world.directive.election
    election.refresh_from_db()
    assert election.situation_report_every_hours == 3
    html = client.get(url).content.decode()
    assert "07:00, " in html and "10:00" in html


@pytest.mark.parametrize("hours", ["0", "25", "2.5", "", "hai"])
def test_a_wrong_interval_is_refused_and_kept(client, world, hours):
    client.force_login(world.staff)
    r = client.post(
        reverse("situation_reports:situation_report_list"),
        {"situation_report_every_hours": hours},
    )
    assert r.status_code == 200
    with translation.override("vi"):
        assert str(BAD_HOURS) in r.content.decode()
    world.directive.election.refresh_from_db()
    assert world.directive.election.situation_report_every_hours == 4


def test_a_closed_election_takes_no_change(client, world):
    election = world.directive.election
    election.closed_at = at(6, days=30)
    election.save(update_fields=["closed_at"])
    client.force_login(world.staff)
    url = reverse("situation_reports:situation_report_list")
    assert client.post(url, {"situation_report_every_hours": "2"}).status_code == 403
    make = reverse("situation_reports:situation_report_make")
    assert client.post(make).status_code == 403
    assert "situation_report_every_hours" not in client.get(url).content.decode()


def test_a_report_says_what_it_said_when_it_was_sent(client, live):
    report_ = _made(live)
    _incident(live, reported_at=at(12, 30), category="difficulty", title="Khó khăn mới")
    client.force_login(live.observer)
    url = reverse("situation_reports:situation_report_detail", args=[report_.pk])
    html = english(client).get(url).content.decode()
    assert "Thiếu máy phát điện ở điểm bỏ phiếu" in html
    assert "Khó khăn mới" not in html
    assert "Thành phố Thanh Hóa" in html
    assert f"on demand, by {live.staff}" in html


def test_the_list_costs_the_same_queries_whatever_the_number_of_reports(client, world):
    client.force_login(world.observer)
    url = reverse("situation_reports:situation_report_list")
    _made(world, now=at(7, 10))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    situation_reports_make_due(now=at(23, 30))
    for minute in range(3):
        _made(world, now=at(23, 40 + minute))
    assert SituationReport.objects.count() == 9
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Files --------------------------------------------------------------------------------


def test_the_xlsx_has_the_snapshot_and_writes_formulas_as_text(client, live):
    _incident(
        live,
        reported_at=at(9),
        category="difficulty",
        severity="minor",
        title='=HYPERLINK("http://x")',
    )
    report_ = _made(live)
    client.force_login(live.staff)
    url = reverse("situation_reports:situation_report_xlsx", args=[report_.pk])
    r = client.get(url, {"lang": "en"})
    assert r.status_code == 200
    assert (
        'filename="situation-report-1-20210523-1200.xlsx"' in r["Content-Disposition"]
    )
    sheet = active_sheet(load_workbook(io.BytesIO(r.content)))
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Thành phố Thanh Hóa", 1, 0, 2] in [row[:4] for row in rows]
    assert ["Total", 2, 1, 2] in [row[:4] for row in rows]
    texts = [str(v) for row in rows for v in row if v is not None]
    assert '\'=HYPERLINK("http://x")' in texts
    assert not any(t.startswith("=") for t in texts)


def test_the_xlsx_is_named_in_vietnamese_by_default(client, world):
    report_ = _made(world)
    client.force_login(world.staff)
    r = client.get(
        reverse("situation_reports:situation_report_xlsx", args=[report_.pk])
    )
    assert (
        'filename="bao-cao-tinh-hinh-1-20210523-1200.xlsx"' in r["Content-Disposition"]
    )


def test_the_pdf_shows_the_snapshot(client, live):
    need(
        shutil.which("pdftotext") is not None,
        "pdftotext is not installed (apt-get install poppler-utils)",
    )
    report_ = _made(live)
    client.force_login(live.observer)
    url = reverse("situation_reports:situation_report_pdf", args=[report_.pk])
    r = client.get(url, {"lang": "en"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"],
        input=r.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "SITUATION REPORT No. 1" in text
    assert "Thiếu máy phát điện ở điểm bỏ phiếu" in text
    assert "1 / 1" in text  # laid out by the report's print stylesheet


def test_the_page_names_the_rosters_with_gaps_and_their_hours(client, world, t2):
    _shift(world, world.telecom, at(8), at(16))
    report_ = _made(world)
    client.force_login(world.staff)
    url = reverse("situation_reports:situation_report_detail", args=[report_.pk])
    html = client.get(url).content.decode()
    assert "Viễn thông Thử" in html
    assert "00:00–08:00, 16:00–24:00" in html
