"""/api/v1/status-reports/ by token: a carrier's operations centre reads the
reporting schedule and its own reports, and files or corrects the report
for the moment due now through the service of the carrier's page (its
rules: tests/incidents/test_status_reports.py); a moment that is not the
one due is refused with 409, errors come in the token owner's language.

The world's election (tests/factories.ElectionFactory): polling day
23/05/2021; "before" from 07/02/2021, "after" to 12/06/2021. The schedule
is the issue's example: polling day at 10:00, 14:00 and 19:00; 16:00
every day before and after."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from incidents.models import StatusReport
from incidents.services.status_reports import (
    MAIL_NEEDED,
    NOT_A_MOMENT,
    moment_over_message,
    not_yet_message,
    reporting_moment_add,
    status_report_file,
)
from tests.api import token_client
from tests.incidents.conftest import on

LIST = reverse("api:incidents:status_reports")
CURRENT = reverse("api:incidents:status_report_current")


@pytest.fixture
def api(world):
    def client_of(organisation: str, language: str = "en"):
        org = getattr(world, organisation)
        by = org.memberships.get().user
        by.language = language
        by.save()
        return token_client(organisation=org, by=by)

    return client_of


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def body(moment: datetime.datetime, **changes) -> dict:
    return {
        "moment": moment.isoformat(),
        "overall_status": "degraded",
        "sites_out": 3,
        "open_incidents": 1,
        "note": "Mất điện 3 trạm BTS",
    } | changes


def postal_body(moment: datetime.datetime, **changes) -> dict:
    mail = {"mail_accepted": 120, "mail_delivered": 100, "mail_delayed": 2}
    return body(moment, **(mail | changes))


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    answer = response.json()
    assert set(answer) == {"error"} and answer["error"]["status"] == status
    return answer["error"]


def figures(organisation) -> list[tuple]:
    return list(
        StatusReport.objects.filter(organisation=organisation)
        .order_by("due_at")
        .values_list("due_at", "overall_status", "sites_out", "note")
    )


# --- Filing ------------------------------------------------------------------------


def test_a_telecom_firm_files_for_the_moment_due_now(api, world, schedule):
    client = api("telecom")
    with at(on(0, 14, 5)):
        response = client.put(CURRENT, body(on(0, 14)))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["moment"] == {
        "at": on(0, 14).isoformat(),
        "period": "during",
        "period_label": "on polling day",
    }
    assert answer["next_moment"]["at"] == on(0, 19).isoformat()
    report = answer["report"]
    assert report["moment"] == on(0, 14).isoformat()
    assert (report["overall_status"], report["sites_out"]) == ("degraded", 3)
    assert report["open_incidents"] == 1
    assert report["mail_accepted"] is None
    assert report["correctable"] is True
    saved = StatusReport.objects.get()
    assert saved.organisation == world.telecom
    assert saved.filed_by == client.token.user
    assert saved.note == "Mất điện 3 trạm BTS"


def test_the_same_put_twice_leaves_one_report_and_a_later_one_corrects_it(
    api, world, schedule
):
    client = api("telecom")
    with at(on(0, 14, 5)):
        assert client.put(CURRENT, body(on(0, 14))).status_code == 201
        again = client.put(CURRENT, body(on(0, 14)))
        # The same moment written without an offset (Vietnam time) or in UTC.
        naive = client.put(CURRENT, body(on(0, 14)) | {"moment": "2021-05-23T14:00"})
        utc = client.put(CURRENT, body(on(0, 14)) | {"moment": "2021-05-23T07:00Z"})
    assert (again.status_code, naive.status_code, utc.status_code) == (200, 200, 200)
    assert StatusReport.objects.count() == 1
    with at(on(0, 18, 59)):
        corrected = client.put(CURRENT, body(on(0, 14), sites_out=0, note=""))
    assert corrected.status_code == 200
    assert corrected.json()["report"]["sites_out"] == 0
    assert figures(world.telecom) == [(on(0, 14), "degraded", 0, "")]
    # The earlier figures are kept in the audit trail, filed by the token.
    assert StatusReport.history.filter(sites_out=3).exists()
    assert StatusReport.history.latest().history_user == client.token.user


def test_a_moment_that_changed_meanwhile_is_refused_with_409(api, world, schedule):
    client = api("telecom")
    with at(on(0, 14, 5)):
        client.put(CURRENT, body(on(0, 14)))
    with at(on(0, 19, 2)):
        refused = error(client.put(CURRENT, body(on(0, 14), sites_out=9)), 409)
        due = client.get(CURRENT).json()
    assert refused["code"] == "moment_not_due"
    assert refused["message"] == moment_over_message(on(0, 14), on(0, 19))
    assert figures(world.telecom) == [(on(0, 14), "degraded", 3, "Mất điện 3 trạm BTS")]
    # What the client files for instead.
    assert due["moment"]["at"] == on(0, 19).isoformat()
    assert due["report"] is None


def test_a_moment_still_to_come_is_refused_with_409(api, world, schedule):
    client = api("telecom")
    with at(on(0, 14, 5)):
        refused = error(client.put(CURRENT, body(on(0, 19))), 409)
    assert refused["code"] == "moment_not_due"
    assert refused["message"] == not_yet_message(on(0, 19))
    assert not StatusReport.objects.exists()


def test_a_time_that_is_no_moment_is_refused_on_the_moment(api, world, schedule):
    with at(on(0, 14, 35)):
        refused = error(api("telecom").put(CURRENT, body(on(0, 14, 30))), 400)
    assert refused["fields"] == {"moment": [str(NOT_A_MOMENT)]}
    assert not StatusReport.objects.exists()


def test_a_body_of_the_wrong_shape_is_refused_field_by_field(api, world, schedule):
    sent = body(on(0, 14), overall_status="fine", sites_out=-1)
    del sent["open_incidents"]
    with at(on(0, 14, 5)):
        refused = error(api("telecom").put(CURRENT, sent), 400)
    assert set(refused["fields"]) == {"overall_status", "sites_out", "open_incidents"}
    assert refused["fields"]["open_incidents"] == ["This field is required."]
    assert not StatusReport.objects.exists()


# --- Postal and telecom firms ---------------------------------------------------------


def test_a_postal_firm_gives_the_three_mail_figures(api, world, schedule):
    client = api("postal")
    with at(on(0, 14, 5)):
        missing = error(client.put(CURRENT, body(on(0, 14), mail_accepted=5)), 400)
        filed = client.put(CURRENT, postal_body(on(0, 14)))
    assert missing["fields"] == {
        "mail_delivered": [str(MAIL_NEEDED)],
        "mail_delayed": [str(MAIL_NEEDED)],
    }
    assert filed.status_code == 201, filed.content
    report = filed.json()["report"]
    assert (report["mail_accepted"], report["mail_delayed"]) == (120, 2)
    saved = StatusReport.objects.get()
    assert (saved.organisation, saved.mail_delivered) == (world.postal, 100)


def test_a_telecom_firm_sending_mail_figures_is_told_which(api, world, schedule):
    client = api("telecom")
    with at(on(0, 14, 5)):
        refused = error(
            client.put(CURRENT, body(on(0, 14), mail_delayed=0, mail_accepted=4)), 400
        )
        # Sent as null, they are not sent.
        nulls = client.put(CURRENT, body(on(0, 14), mail_accepted=None))
    assert refused["fields"] == {
        "mail_accepted": ["Only postal firms report election mail."],
        "mail_delayed": ["Only postal firms report election mail."],
    }
    assert nulls.status_code == 201


# --- Reading --------------------------------------------------------------------------


def test_the_list_gives_the_schedule_and_the_organisations_reports(
    api, world, schedule
):
    telecom, postal = api("telecom"), api("postal")
    with at(on(0, 10, 5)):
        telecom.put(CURRENT, body(on(0, 10), note="Sáng"))
    with at(on(0, 14, 5)):
        telecom.put(CURRENT, body(on(0, 14), note="Chiều"))
        postal.put(CURRENT, postal_body(on(0, 14), note="Ghi chú của bưu điện"))
        response = telecom.get(LIST)
    assert response.status_code == 200
    answer = response.json()
    assert answer["count"] == 2
    assert [r["note"] for r in answer["results"]] == ["Chiều", "Sáng"]
    assert [r["correctable"] for r in answer["results"]] == [True, False]
    assert "Ghi chú của bưu điện" not in response.content.decode()
    plan = answer["schedule"]
    assert plan["moment_due"]["at"] == on(0, 14).isoformat()
    assert plan["next_moment"]["at"] == on(0, 19).isoformat()
    assert [(p["period"], p["times"]) for p in plan["periods"]] == [
        ("before", ["16:00"]),
        ("during", ["10:00", "14:00", "19:00"]),
        ("after", ["16:00"]),
    ]
    assert plan["periods"][0]["first_day"] == "2021-02-07"
    # Every moment that has come, newest first, with the report for it.
    ids = {r["note"]: r["id"] for r in answer["results"]}
    assert plan["passed"][:3] == [
        {
            "at": on(0, 14).isoformat(),
            "period": "during",
            "period_label": "on polling day",
            "report": ids["Chiều"],
        },
        {
            "at": on(0, 10).isoformat(),
            "period": "during",
            "period_label": "on polling day",
            "report": ids["Sáng"],
        },
        {
            "at": on(-1, 16).isoformat(),
            "period": "before",
            "period_label": "every day before polling day",
            "report": None,
        },
    ]
    # From 07/02 to the eve of polling day at 16:00, then 10:00 and 14:00.
    assert len(plan["passed"]) == 105 + 2


def test_the_list_is_paginated(api, world, schedule):
    client = api("telecom")
    for hour in (10, 14):
        with at(on(0, hour, 5)):
            client.put(CURRENT, body(on(0, hour)))
    with at(on(0, 14, 5)):
        first = client.get(LIST, {"page_size": 1}).json()
        second = client.get(first["next"]).json()
        beyond = client.get(LIST, {"page": 3, "page_size": 1})
    assert first["count"] == 2
    assert [r["moment"] for r in first["results"]] == [on(0, 14).isoformat()]
    assert [r["moment"] for r in second["results"]] == [on(0, 10).isoformat()]
    assert second["next"] is None
    assert error(beyond, 404)


def test_before_the_first_moment_nothing_is_due(api, world, election):
    reporting_moment_add(
        election=election,
        period="during",
        time_of_day=datetime.time(10),
        by=world.staff,
    )
    client = api("telecom")
    with at(on(0, 9)):
        current = client.get(CURRENT).json()
        listed = client.get(LIST).json()
        refused = error(client.put(CURRENT, body(on(0, 10))), 409)
    assert current == {
        "moment": None,
        "next_moment": {
            "at": on(0, 10).isoformat(),
            "period": "during",
            "period_label": "on polling day",
        },
        "report": None,
    }
    assert listed["schedule"]["moment_due"] is None
    assert listed["schedule"]["passed"] == []
    assert listed["results"] == []
    assert refused["message"] == not_yet_message(on(0, 10))


def test_the_list_costs_the_same_queries_with_more_reports(api, world, schedule):
    client = api("telecom")

    def queries() -> int:
        with at(on(0, 14, 5)), CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    def add(days_before: int) -> None:
        StatusReport.objects.create(
            election=world.directive.election,
            organisation=world.telecom,
            due_at=on(-days_before, 16),
            overall_status="normal",
            filed_by=world.telecom_officer,
            filed_at=on(-days_before, 16, 5),
        )

    add(1)
    queries()  # the token's first use is recorded (last_used_at)
    few = queries()
    for days_before in range(2, 30):
        add(days_before)
    assert queries() == few


# --- Who may --------------------------------------------------------------------------


def test_another_carriers_report_is_never_answered(api, world, schedule):
    postal, telecom = api("postal"), api("telecom")
    with at(on(0, 14, 5)):
        postal.put(CURRENT, postal_body(on(0, 14), note="Riêng của bưu điện"))
        current = telecom.get(CURRENT)
        listed = telecom.get(LIST)
        filed = telecom.put(CURRENT, body(on(0, 14)))
    assert current.json()["report"] is None
    assert listed.json()["results"] == []
    assert (
        "Riêng của bưu điện" not in current.content.decode() + listed.content.decode()
    )
    # Its own report, not the postal firm's corrected.
    assert filed.status_code == 201
    assert figures(world.postal) == [(on(0, 14), "degraded", 3, "Riêng của bưu điện")]


@pytest.mark.parametrize("district", ["district_a", "district_b"])
def test_a_districts_token_is_refused(api, world, schedule, district):
    client = api(district)
    with at(on(0, 14, 5)):
        answers = [
            client.get(LIST),
            client.get(CURRENT),
            client.put(CURRENT, body(on(0, 14))),
        ]
    for response in answers:
        refused = error(response, 403)
        assert refused["message"] == (
            "Only postal and telecom firms file status reports."
        )
    assert not StatusReport.objects.exists()


def test_without_a_valid_token_nothing_is_answered(api, world, schedule):
    assert error(APIClient().get(LIST), 401)
    assert error(APIClient().put(CURRENT, body(on(0, 14))), 401)
    client = api("telecom")
    client.credentials(HTTP_AUTHORIZATION="Bearer ttll_made_up")
    assert error(client.get(CURRENT), 401)


def test_a_closed_election_is_read_but_takes_no_report(api, world, election, schedule):
    client = api("telecom")
    with at(on(0, 14, 5)):
        client.put(CURRENT, body(on(0, 14)))
        election.closed_at = on(0, 14, 6)
        election.save()
        refused = error(client.put(CURRENT, body(on(0, 14), sites_out=0)), 403)
        listed = client.get(LIST)
    assert refused["code"] == "election_closed"
    assert figures(world.telecom)[0][2] == 3
    assert listed.status_code == 200
    assert listed.json()["count"] == 1


# --- In the token owner's language ----------------------------------------------------


def test_errors_are_in_vietnamese_for_a_token_made_by_a_vietnamese_speaker(
    api, world, schedule
):
    client = api("telecom", language="vi")
    with at(on(0, 14, 5)):
        client.put(CURRENT, body(on(0, 14)))
        mail = error(client.put(CURRENT, body(on(0, 14), mail_accepted=1)), 400)
    with at(on(0, 19, 2)):
        late = error(client.put(CURRENT, body(on(0, 14))), 409)
    assert mail["message"] == "Một số giá trị không hợp lệ; xem chi tiết từng trường."
    assert mail["fields"] == {
        "mail_accepted": ["Chỉ doanh nghiệp bưu chính báo cáo bưu gửi bầu cử."]
    }
    assert late["message"].startswith("Không thể gửi hoặc sửa báo cáo thời điểm")
    with translation.override("vi"):
        assert late["message"] == moment_over_message(on(0, 14), on(0, 19))


# --- The same report twice at once ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_puts_at_once_leave_one_report(api, world, schedule):
    """PostgreSQL: the second insert waits on the first's uncommitted row,
    is refused by the unique constraint when it commits, and the report is
    then corrected rather than answered with a server error."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    client = api("telecom")
    inserted, go_on = threading.Event(), threading.Event()

    def first_request():
        try:
            with transaction.atomic():
                status_report_file(
                    election=world.directive.election,
                    organisation=world.telecom,
                    due_at=on(0, 14),
                    overall_status="normal",
                    sites_out=0,
                    open_incidents=0,
                    by=world.telecom_officer,
                    now=on(0, 14, 5),
                )
                inserted.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    with at(on(0, 14, 5)):
        thread = threading.Thread(target=first_request)
        thread.start()
        assert inserted.wait(5)
        threading.Timer(0.5, go_on.set).start()  # commit while the second waits
        response = client.put(CURRENT, body(on(0, 14)))
        thread.join()
    assert response.status_code == 200, response.content
    assert figures(world.telecom) == [(on(0, 14), "degraded", 3, "Mất điện 3 trạm BTS")]
