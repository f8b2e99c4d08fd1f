"""Carriers' scheduled status reports ("báo cáo nhanh"): the moments of each
period, filing (early refused, corrected until the next moment), the
reminder about a missed moment (once), the pages by role, the dashboard
card and the summary the situation reports store.

The world's election (tests/factories.ElectionFactory): polling day
23/05/2021; "before" from 07/02/2021, "after" to 12/06/2021.
"""

import datetime
import io
import json
import threading
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from contacts.models import MembershipRole, MessageStatus, OutboundMessage
from contacts.services.closure import ElectionClosed
from contacts.services.outbox import outbox_deliver
from contacts.spreadsheets import active_sheet
from incidents.models import ReportingMoment, StatusReport
from incidents.selectors.status_reports import (
    moment_latest,
    moment_table,
    reporting_moments_between,
    reporting_moments_on,
    status_report_summary,
    status_reports_latest,
)
from incidents.services import status_reports as services
from incidents.services.status_reports import (
    MAIL_NEEDED,
    MAIL_NOT_FOR_TELECOM,
    moment_over_message,
    not_yet_message,
    reporting_moment_add,
    status_report_file,
    status_reports_remind_missed,
)
from incidents.tasks import remind_missed_status_reports
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.conftest import POLLING_DAY, on
from tests.incidents.helpers import report

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)


@pytest.fixture
def polling_day_only(world, election):
    for hour in (10, 14, 19):
        reporting_moment_add(
            election=election,
            period="during",
            time_of_day=datetime.time(hour),
            by=world.staff,
        )


@pytest.fixture
def editors(world):
    """Every carrier editor has an e-mail address; the postal firm has a
    second editor and a read-only member (never reminded)."""
    for user in (world.telecom_officer, world.postal_officer):
        user.email = f"{user.username}@example.vn"
        user.save()
    second = MembershipFactory(
        organisation=world.postal, user__email="postal2@example.vn"
    ).user
    MembershipFactory(
        organisation=world.postal,
        role=MembershipRole.VIEWER,
        user__email="reader@example.vn",
    )
    return {
        "telecom": [world.telecom_officer],
        "postal": [world.postal_officer, second],
    }


def file(world, organisation=None, due_at=None, now=None, **figures):
    organisation = organisation or world.telecom
    values: dict[str, Any] = {
        "overall_status": "normal",
        "sites_out": 0,
        "open_incidents": 0,
        "note": "",
    }
    if organisation.kind == "postal":
        values |= {"mail_accepted": 120, "mail_delivered": 100, "mail_delayed": 3}
    by = (
        world.telecom_officer if organisation == world.telecom else world.postal_officer
    )
    report, _new = status_report_file(
        election=world.directive.election,
        organisation=organisation,
        due_at=due_at or on(0, 14),
        by=by,
        now=now or on(0, 14, 5),
        **(values | figures),
    )
    return report


# --- The calendar --------------------------------------------------------------------


def test_moments_fall_on_each_periods_days_in_vietnam_time(election, schedule):
    def times(day):
        return [
            (m.at, m.period) for m in reporting_moments_on(election=election, day=day)
        ]

    # 16:00 in Hanoi is 09:00 UTC.
    first_before = datetime.date(2021, 2, 7)
    assert times(first_before) == [
        (datetime.datetime(2021, 2, 7, 9, tzinfo=UTC), "before")
    ]
    assert times(first_before - DAY) == []
    assert times(POLLING_DAY - DAY) == [(on(-1, 16), "before")]
    assert times(POLLING_DAY) == [
        (on(0, 10), "during"),
        (on(0, 14), "during"),
        (on(0, 19), "during"),
    ]
    assert times(POLLING_DAY + DAY) == [(on(1, 16), "after")]
    assert times(datetime.date(2021, 6, 12)) == [
        (datetime.datetime(2021, 6, 12, 9, tzinfo=UTC), "after")
    ]
    assert times(datetime.date(2021, 6, 13)) == []
    moment = reporting_moments_on(election=election, day=POLLING_DAY)[0]
    assert moment.at.utcoffset() == datetime.timedelta(hours=7)


def test_moments_between_two_instants_and_the_latest_that_has_come(election, schedule):
    between = reporting_moments_between(
        election=election, after=on(-1, 16), until=on(1, 16)
    )
    assert [m.at for m in between] == [on(0, 10), on(0, 14), on(0, 19), on(1, 16)]
    for now, latest in [
        (on(0, 13, 59), on(0, 10)),
        (on(0, 14), on(0, 14)),
        (on(0, 9), on(-1, 16)),
    ]:
        moment = moment_latest(election=election, now=now)
        assert moment is not None and moment.at == latest
    assert moment_latest(election=election, now=on(-105, 15)) is None


def test_a_moment_is_set_once_per_period_and_time(world, election, schedule):
    with pytest.raises(ValidationError) as refused:
        reporting_moment_add(
            election=election,
            period="during",
            time_of_day=datetime.time(14),
            by=world.staff,
        )
    assert refused.value.message_dict == {"time_of_day": [str(services.MOMENT_TAKEN)]}


# --- Filing -------------------------------------------------------------------------


def test_a_telecom_firm_files_for_the_moment_due_now(world, schedule):
    saved = file(world, overall_status="degraded", sites_out=3, note="Mất điện")
    saved.refresh_from_db()
    assert (saved.due_at, saved.overall_status, saved.sites_out) == (
        on(0, 14),
        "degraded",
        3,
    )
    assert saved.mail_accepted is None
    assert saved.filed_by == world.telecom_officer


def test_a_postal_firm_gives_the_three_mail_figures(world, schedule):
    with pytest.raises(ValidationError) as refused:
        file(world, world.postal, mail_accepted=None, mail_delayed=None)
    assert refused.value.message_dict == {
        "mail_accepted": [str(MAIL_NEEDED)],
        "mail_delayed": [str(MAIL_NEEDED)],
    }
    saved = file(world, world.postal)
    assert (saved.mail_accepted, saved.mail_delivered, saved.mail_delayed) == (
        120,
        100,
        3,
    )


def test_a_telecom_firm_reports_no_mail(world, schedule):
    with pytest.raises(ValidationError, match=str(MAIL_NOT_FOR_TELECOM)):
        file(world, mail_accepted=5)
    assert not StatusReport.objects.exists()


def test_filing_early_is_refused_with_the_time_it_can_be_filed_from(world, schedule):
    with pytest.raises(ValidationError) as refused:
        file(world, due_at=on(0, 19), now=on(0, 18, 30))
    assert refused.value.messages == [not_yet_message(on(0, 19))]
    assert "19:00 23/05/2021" in refused.value.messages[0]
    assert not StatusReport.objects.exists()


def test_a_time_that_is_no_moment_is_refused(world, schedule):
    with translation.override("en"), pytest.raises(ValidationError, match="schedule"):
        file(world, due_at=on(0, 15), now=on(0, 15, 30))


def test_a_report_is_corrected_until_the_next_moment(world, schedule):
    first = file(world, sites_out=2)
    corrected = file(world, sites_out=5, now=on(0, 18, 59))
    assert corrected.pk == first.pk
    assert StatusReport.objects.get().sites_out == 5
    with pytest.raises(ValidationError) as refused:
        file(world, sites_out=9, now=on(0, 19, 1))
    assert refused.value.messages == [moment_over_message(on(0, 14), on(0, 19))]
    assert StatusReport.objects.get().sites_out == 5


def test_a_closed_election_takes_no_report(world, election, schedule):
    election.closed_at = on(30)
    election.save()
    with pytest.raises(ElectionClosed):
        file(world)
    with pytest.raises(ElectionClosed):
        reporting_moment_add(
            election=election,
            period="after",
            time_of_day=datetime.time(8),
            by=world.staff,
        )


# --- The reminder ---------------------------------------------------------------------


def _reminded() -> list[tuple[int, datetime.datetime | None]]:
    return sorted(
        OutboundMessage.objects.filter(kind="status-report").values_list(
            "recipient_id", "topic_due_at"
        )
    )


def test_a_missed_moment_is_reminded_once_to_each_editor(
    world, polling_day_only, editors, settings
):
    settings.STATUS_REPORT_GRACE_MINUTES = 30
    file(world, due_at=on(0, 10), now=on(0, 10, 10))  # the telecom firm files
    assert status_reports_remind_missed(now=on(0, 10, 29)) == 0  # still in grace
    assert status_reports_remind_missed(now=on(0, 10, 31)) == 2
    assert status_reports_remind_missed(now=on(0, 10, 36)) == 0
    assert status_reports_remind_missed(now=on(0, 13, 0)) == 0
    postal = [u.pk for u in editors["postal"]]
    assert _reminded() == [(pk, on(0, 10)) for pk in sorted(postal)]
    message = OutboundMessage.objects.filter(kind="status-report").first()
    assert message is not None
    assert message.organisation == world.postal
    assert "10:00 23/05/2021" in message.subject
    assert message.link.endswith(reverse("status_reports:index"))
    assert message.dedupe_key.startswith(
        f"status-report:{world.postal.pk}:{on(0, 10).isoformat()}:"
    )


def test_the_next_missed_moment_is_reminded_too_and_the_task_runs_the_tick(
    world, polling_day_only, editors
):
    with time_machine.travel(on(0, 14, 45), tick=False):
        assert remind_missed_status_reports() == 6  # 10:00 and 14:00, 3 editors
        assert remind_missed_status_reports() == 0
    assert len(_reminded()) == 6


def test_old_moments_are_not_reminded(world, polling_day_only, editors):
    assert status_reports_remind_missed(now=on(1, 20)) == 0


def test_a_closed_election_is_not_reminded(world, election, polling_day_only, editors):
    election.closed_at = on(0, 10, 1)
    election.save()
    assert status_reports_remind_missed(now=on(0, 10, 45)) == 0


def test_a_reminder_not_yet_sent_is_dropped_once_the_report_is_filed(
    world, polling_day_only, editors
):
    status_reports_remind_missed(now=on(0, 10, 45))
    file(world, due_at=on(0, 10), now=on(0, 10, 50))
    telecom = OutboundMessage.objects.get(recipient=world.telecom_officer)
    outcome = outbox_deliver(message_ids=[telecom.pk], now=on(0, 10, 51))
    assert outcome == {telecom.pk: MessageStatus.CANCELLED}


# --- The summary ------------------------------------------------------------------------


def test_the_summary_gives_the_latest_moments_figures(
    world, schedule, django_assert_num_queries
):
    viettel = OrganisationFactory(kind="telecom", name="Viettel Thử")
    file(
        world, overall_status="disrupted", sites_out=4, note="Đứt cáp", open_incidents=2
    )
    file(world, world.postal, overall_status="degraded", note="Mưa lớn")
    with django_assert_num_queries(3):
        summary = status_report_summary(
            election=world.directive.election, now=on(0, 15)
        )
    assert json.loads(json.dumps(summary)) == summary
    assert summary == {
        "moment": "2021-05-23T14:00:00+07:00",
        "filed": 2,
        "missing": 1,
        "missing_names": [viettel.display_name],
        "by_status": {"normal": 0, "degraded": 1, "disrupted": 1},
        "sites_out": 4,
        "mail_accepted": 120,
        "mail_delivered": 100,
        "mail_delayed": 3,
        "open_incidents": 2,
        "troubled": [
            {
                "organisation": world.telecom.display_name,
                "status": "disrupted",
                "sites_out": 4,
                "note": "Đứt cáp",
            },
            {
                "organisation": world.postal.display_name,
                "status": "degraded",
                "sites_out": 0,
                "note": "Mưa lớn",
            },
        ],
    }


def test_the_summary_before_any_moment_is_empty(world, election, schedule):
    summary = status_report_summary(election=election, now=on(-200))
    assert summary["moment"] is None
    assert (summary["filed"], summary["missing"], summary["troubled"]) == (0, 0, [])


def test_a_moments_table_costs_the_same_queries_with_more_carriers(
    world, election, schedule, django_assert_num_queries
):
    file(world)
    moment = moment_latest(election=election, now=on(0, 15))
    assert moment is not None
    with django_assert_num_queries(2):
        small = moment_table(election=election, moment=moment, now=on(0, 15))
    OrganisationFactory.create_batch(5, kind="postal")
    with django_assert_num_queries(2):
        big = moment_table(election=election, moment=moment, now=on(0, 15))
    assert (len(small.missing), len(big.missing)) == (1, 6)


# --- The carriers' page ----------------------------------------------------------------


@pytest.fixture
def at_two(schedule):
    with time_machine.travel(on(0, 14, 5), tick=False):
        yield


def test_a_carrier_sees_the_moment_due_and_its_open_incidents(client, world, at_two):
    report(world)  # an open incident of the telecom firm
    client.force_login(world.telecom_officer)
    response = client.get(reverse("status_reports:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "14:00 23/05/2021" in page
    assert 'name="open_incidents" value="1"' in page
    assert 'name="mail_accepted"' not in page  # a telecom firm reports no mail


def postal_page_form(**changes) -> dict:
    """What a postal firm types for the 14:00 moment on polling day."""
    return {
        "due_at": on(0, 14).isoformat(),
        "overall_status": "degraded",
        "sites_out": "1",
        "mail_accepted": "50",
        "mail_delivered": "40",
        "mail_delayed": "2",
        "open_incidents": "0",
        "note": "Chậm phát do mưa",
    } | changes


def test_a_carrier_files_from_the_page(client, world, at_two):
    client.force_login(world.postal_officer)
    response = client.post(reverse("status_reports:index"), postal_page_form())
    assert response.status_code == 302
    saved = StatusReport.objects.get(organisation=world.postal)
    assert (saved.mail_accepted, saved.mail_delayed, saved.note) == (
        50,
        2,
        "Chậm phát do mưa",
    )


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_page_saves_one_report_not_a_server_error(
    client, world, schedule
):
    """PostgreSQL: the page's second submission inserts while the first's
    row is not yet committed; the unique constraint refuses it and it
    corrects the first instead of failing with a server error."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    inserted, go_on = threading.Event(), threading.Event()

    def first_submission():
        try:
            with transaction.atomic():
                file(world, world.postal, note="Lần bấm thứ nhất")
                inserted.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    client.force_login(world.postal_officer)
    with time_machine.travel(on(0, 14, 5), tick=False):
        thread = threading.Thread(target=first_submission)
        thread.start()
        assert inserted.wait(5)
        threading.Timer(0.5, go_on.set).start()  # commit while the second waits
        response = client.post(
            reverse("status_reports:index"), postal_page_form(note="Lần bấm thứ hai")
        )
        thread.join()
    assert response.status_code == 302
    assert list(
        StatusReport.objects.filter(organisation=world.postal).values_list(
            "note", "mail_accepted"
        )
    ) == [("Lần bấm thứ hai", 50)]


def test_a_refused_report_keeps_what_was_typed_and_says_why_in_vietnamese(
    client, world, at_two
):
    client.force_login(world.postal_officer)
    response = client.post(
        reverse("status_reports:index"),
        {
            "due_at": on(0, 14).isoformat(),
            "overall_status": "degraded",
            "sites_out": "-1",
            "mail_accepted": "50",
            "open_incidents": "0",
            "note": "Ghi chú đã gõ",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ghi chú đã gõ" in page
    assert 'value="50"' in page
    assert "Trường này là bắt buộc" in page  # the missing mail figures
    assert "lớn hơn hoặc bằng với 0" in page  # sites out of service below 0
    assert not StatusReport.objects.exists()


def test_a_form_opened_for_an_earlier_moment_is_not_filed_for_it(
    client, world, schedule
):
    client.force_login(world.telecom_officer)
    with time_machine.travel(on(0, 19, 2), tick=False):
        response = client.post(
            reverse("status_reports:index"),
            {
                "due_at": on(0, 14).isoformat(),
                "overall_status": "normal",
                "sites_out": "0",
                "open_incidents": "0",
                "note": "Gõ lúc 13:58",
            },
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gõ lúc 13:58" in page
    assert on(0, 19).isoformat() in page  # the form is now for 19:00
    assert not StatusReport.objects.exists()


def test_a_read_only_carrier_member_reads_but_does_not_file(client, world, at_two):
    reader = MembershipFactory(
        organisation=world.telecom, role=MembershipRole.VIEWER
    ).user
    file(world)
    client.force_login(reader)
    page = client.get(reverse("status_reports:index")).content.decode()
    assert 'name="overall_status"' not in page
    assert "14:00 23/05/2021" in page
    assert client.post(reverse("status_reports:index"), {}).status_code == 403


def test_a_carrier_cannot_see_another_carriers_report(client, world, at_two):
    telecom = file(world, note="Ghi chú riêng của viễn thông")
    client.force_login(world.postal_officer)
    assert (
        client.get(reverse("status_reports:detail", args=[telecom.pk])).status_code
        == 404
    )
    page = client.get(reverse("status_reports:index")).content.decode()
    assert "Ghi chú riêng của viễn thông" not in page
    moment = reverse("status_reports:moment", args=["202105231400"])
    assert client.get(moment).status_code == 404
    client.force_login(world.telecom_officer)
    assert (
        client.get(reverse("status_reports:detail", args=[telecom.pk])).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        # The carriers' page: refused.
        (reverse("status_reports:index"), 403),
        # The Department's pages: no such page, as for every one of them.
        (reverse("status_reports:schedule"), 404),
        (reverse("status_reports:moment", args=["202105231400"]), 404),
        (reverse("status_reports:export", args=["during"]), 404),
    ],
)
def test_a_district_is_refused(client, world, at_two, url, status):
    client.force_login(world.district_a_officer)
    assert client.get(url).status_code == status


# --- The Department's pages --------------------------------------------------------------


def test_staff_add_and_remove_reporting_moments(client, world, election):
    client.force_login(world.staff)
    url = reverse("status_reports:schedule")
    response = client.post(url, {"period": "during", "time_of_day": "10h30"})
    assert response.status_code == 302
    moment = ReportingMoment.objects.get()
    assert (moment.period, moment.time_of_day) == ("during", datetime.time(10, 30))
    again = client.post(url, {"period": "during", "time_of_day": "10:30"})
    with translation.override("vi"):  # the page's language
        assert escape(str(services.MOMENT_TAKEN)) in again.content.decode()
    remove = reverse("status_reports:moment_remove", args=[moment.pk])
    assert client.post(remove).status_code == 302
    assert not ReportingMoment.objects.exists()


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_read_only_overseers_read_the_schedule_but_change_nothing(
    client, world, schedule, who
):
    client.force_login(getattr(world, who))
    url = reverse("status_reports:schedule")
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="moment-add"' not in page.content.decode()
    assert (
        client.post(url, {"period": "after", "time_of_day": "08:00"}).status_code == 403
    )
    moment = ReportingMoment.objects.first()
    assert moment is not None
    remove = reverse("status_reports:moment_remove", args=[moment.pk])
    assert client.post(remove).status_code == 403
    assert ReportingMoment.objects.count() == 5


def test_a_moments_page_shows_the_figures_and_highlights_who_is_missing(
    client, world, at_two
):
    file(world, overall_status="degraded", sites_out=7, note="Mất điện lưới")
    client.force_login(world.observer)
    page = client.get(
        reverse("status_reports:moment", args=["202105231400"])
    ).content.decode()
    assert "Mất điện lưới" in page
    missing = page.split('class="table-danger status-report-missing"')
    assert len(missing) == 2  # one row: the postal firm's
    assert world.postal.display_name in missing[1].split("</tr>")[0]


def test_a_moment_that_is_not_in_the_schedule_is_not_found(client, world, at_two):
    client.force_login(world.staff)
    for slug in ("202105231500", "2021-05-23", "x" * 300):
        url = reverse("status_reports:moment", args=[slug])
        assert client.get(url).status_code == 404


def test_the_period_export_has_every_report_and_no_formula(client, world, at_two):
    file(world, note='=HYPERLINK("http://x")')
    file(world, world.postal, due_at=on(0, 10), now=on(0, 10, 5))
    client.force_login(world.staff_viewer)
    response = client.get(reverse("status_reports:export", args=["during"]))
    assert response.status_code == 200
    sheet = active_sheet(load_workbook(io.BytesIO(response.content)))
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][1] == world.postal.display_name
    assert rows[1][0] == datetime.datetime(2021, 5, 23, 10, 0)
    assert rows[2][8] == '\'=HYPERLINK("http://x")'
    before = client.get(reverse("status_reports:export", args=["before"]))
    assert len(list(active_sheet(load_workbook(io.BytesIO(before.content))).rows)) == 1
    assert (
        client.get(reverse("status_reports:export", args=["never"])).status_code == 404
    )


def test_the_dashboard_card_names_the_missing_carriers(client, world, at_two):
    file(world, overall_status="disrupted", note="Đứt cáp quang")
    client.force_login(world.staff)
    page = client.get(reverse("readiness:dashboard")).content.decode()
    card = page.split('class="card mb-4 status-report-card"')[1].split("</section>")[0]
    assert "14:00 23/05/2021" in card
    assert "1 đã gửi" in card or "1 filed" in card
    assert world.postal.display_name in card
    assert "Đứt cáp quang" in card
    assert reverse("status_reports:moment", args=["202105231400"]) in card


def test_the_navigation_links_carriers_and_staff_only(client, world, schedule):
    url = reverse("status_reports:index")
    for user, shown in (
        (world.telecom_officer, True),
        (world.staff, True),
        (world.district_a_officer, False),
    ):
        client.force_login(user)
        page = client.get(reverse("incidents:index")).content.decode()
        assert (f'href="{url}"' in page) is shown, user


def test_the_latest_report_of_every_carrier(world, election, schedule):
    file(world, due_at=on(0, 10), now=on(0, 10, 5))
    postal = file(world, world.postal, due_at=on(0, 10), now=on(0, 10, 5))
    telecom = file(world, sites_out=4)
    latest = status_reports_latest(election=election)
    assert [(r.organisation, r.pk) for r in latest] == [
        (world.postal, postal.pk),
        (world.telecom, telecom.pk),
    ]
