"""The Department's daily digest: once a day from the digest hour, to each
Department member, in their language, listing what is overdue and what
awaits review."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Channel, MembershipRole, OutboundMessage
from contacts.services.outbox import outbox_deliver_one
from readiness.models import ReadinessPlan
from readiness.services import digest as digest_module
from readiness.services.digest import digest_enqueue
from readiness.services.plans import plan_get_or_create, plan_section_save, plan_submit
from readiness.services.reminders import reminder_rule_for
from tests.factories import VN, DistrictOrganisationFactory, MembershipFactory

# D2 was due 8 April 2021 17:00, P1 and T1 are due 23 April 17:00
# (tests/conftest.py). On 10 April D2 is two days overdue for both districts.
AT = datetime.datetime
MORNING = AT(2021, 4, 10, 7, 0, tzinfo=VN)
SUBMITTED_AT = AT(2021, 4, 9, 10, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def emails(world):
    for user in (
        world.staff,
        world.staff_viewer,
        world.observer,
        world.district_a_officer,
        world.telecom_officer,
    ):
        user.email = f"{user.username}@example.vn"
        user.save()


def submit_t1(world, now=SUBMITTED_AT):
    """The telecom firm submits its T1 section: it awaits review."""
    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    section = plan.sections.select_related("plan", "obligation").get(
        obligation__code="T1"
    )
    plan_section_save(
        section=section,
        revision=section.revision,
        measures="Bố trí máy phát điện dự phòng tại các trạm BTS",
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=[],
        by=world.telecom_officer,
        now=now,
    )
    plan_submit(plan=plan, by=world.telecom_officer, now=now)


def digests():
    return OutboundMessage.objects.filter(kind="digest").order_by("recipient_id")


# --- When, and to whom ------------------------------------------------------------


def test_nothing_before_the_digest_hour(world):
    assert digest_enqueue(now=AT(2021, 4, 10, 6, 59, tzinfo=VN)) == 0
    assert not digests().exists()


def test_the_hour_is_vietnam_time(world):
    utc = datetime.UTC
    # 23:30 UTC on the 9th is 06:30 on the 10th in Vietnam: too early.
    assert digest_enqueue(now=AT(2021, 4, 9, 23, 30, tzinfo=utc)) == 0
    # 00:30 UTC on the 10th is 07:30 in Vietnam, and the day is the 10th.
    assert digest_enqueue(now=AT(2021, 4, 10, 0, 30, tzinfo=utc)) == 2
    assert {m.dedupe_key.rsplit(":", 1)[1] for m in digests()} == {"2021-04-10"}


def test_each_department_member_with_an_email_gets_one(world):
    MembershipFactory(organisation=world.department, user__email="")  # no address
    gone = MembershipFactory(
        organisation=world.department, user__email="gone@example.vn"
    )
    gone.user.is_active = False
    gone.user.save()
    assert digest_enqueue(now=MORNING) == 2
    assert [m.recipient for m in digests()] == [world.staff, world.staff_viewer]
    message = digests().first()
    assert message.dedupe_key == f"digest:{world.staff.pk}:2021-04-10"
    assert message.channel == Channel.EMAIL
    assert message.address == "staff@example.vn"
    assert message.organisation == world.department
    assert message.link == settings.SITE_URL + reverse("readiness:matrix")


def test_a_read_only_department_member_gets_it_too(world):
    MembershipFactory(
        organisation=world.department,
        role=MembershipRole.VIEWER,
        user__email="viewer2@example.vn",
    )
    assert digest_enqueue(now=MORNING) == 3


def test_it_goes_out_once_a_day(world):
    assert digest_enqueue(now=MORNING) == 2
    assert digest_enqueue(now=MORNING) == 0
    assert digest_enqueue(now=AT(2021, 4, 10, 23, 59, tzinfo=VN)) == 0
    assert digest_enqueue(now=AT(2021, 4, 11, 6, 0, tzinfo=VN)) == 0
    assert digest_enqueue(now=AT(2021, 4, 11, 7, 5, tzinfo=VN)) == 2
    assert digests().count() == 4


def test_a_tick_after_the_hour_catches_up_once(world):
    assert digest_enqueue(now=AT(2021, 4, 10, 15, 0, tzinfo=VN)) == 2
    assert digest_enqueue(now=AT(2021, 4, 10, 15, 5, tzinfo=VN)) == 0


def test_a_member_who_joins_later_in_the_day_gets_todays(world):
    digest_enqueue(now=MORNING)
    late = MembershipFactory(
        organisation=world.department, user__email="late@example.vn"
    ).user
    assert digest_enqueue(now=AT(2021, 4, 10, 9, 0, tzinfo=VN)) == 1
    assert digests().filter(recipient=late).exists()


def test_the_rule_sets_the_hour(world):
    rule = reminder_rule_for(world.directive)
    rule.digest_hour = 9
    rule.save()
    assert digest_enqueue(now=AT(2021, 4, 10, 8, 59, tzinfo=VN)) == 0
    assert digest_enqueue(now=AT(2021, 4, 10, 9, 0, tzinfo=VN)) == 2


def test_without_a_directive_there_is_no_digest(world):
    world.directive.delete()
    assert digest_enqueue(now=MORNING) == 0


# --- What it says -------------------------------------------------------------------


def test_it_lists_an_overdue_organisation_and_an_awaiting_item(world):
    submit_t1(world)
    digest_enqueue(now=MORNING)
    message = digests().get(recipient=world.staff)
    for body in (message.body, message.body_html):
        assert world.district_a.name in body and world.district_b.name in body
        assert "Nghĩa vụ D2" in body
        assert "17:00 08/04/2021" in body  # the deadline, Vietnam time
        assert world.telecom.name in body and "T1: Nghĩa vụ T1" in body
        assert settings.SITE_URL + reverse("readiness:matrix") in body
    assert "D2 — Nghĩa vụ D2" in message.body
    # Not overdue: the carriers' P1 and T1 are due on 23 April.
    overdue = message.body.split("T1: Nghĩa vụ T1")[0]
    assert world.postal.name not in overdue
    plan = ReadinessPlan.objects.get(organisation=world.telecom)
    plan_link = settings.SITE_URL + reverse("readiness:plan_detail", args=[plan.pk])
    assert f"{plan_link}?version=1#section-T1" in message.body


def test_with_nothing_to_report_it_still_says_so(world):
    digest_enqueue(now=AT(2021, 4, 1, 8, 0, tzinfo=VN))
    message = digests().get(recipient=world.staff_viewer)
    assert world.district_a.name not in message.body
    assert message.body.count("\n- ") == 0


def test_a_long_list_is_cut_with_a_pointer_to_the_dashboard(world, monkeypatch):
    monkeypatch.setattr(digest_module, "MAX_LINES", 1)
    world.staff.language = "en"
    world.staff.save()
    digest_enqueue(now=MORNING)
    body = digests().get(recipient=world.staff).body
    assert body.count("Overdue by 2 days.") == 1
    assert "… and 1 more on the dashboard." in body


def test_it_is_written_in_each_recipients_language(world):
    submit_t1(world)
    world.staff_viewer.language = "en"
    world.staff_viewer.save()
    digest_enqueue(now=MORNING)
    vi = digests().get(recipient=world.staff)
    en = digests().get(recipient=world.staff_viewer)
    assert (vi.language, en.language) == ("vi", "en")
    assert en.subject == "Daily digest of 10/04/2021: 2 overdue, 1 awaiting review"
    assert f"Dear {world.staff_viewer}," in en.body
    assert "D2 — Obligation D2" in en.body and "T1: Obligation T1" in en.body
    assert world.district_a.name_en in en.body
    assert "08/04/2021 17:00" in en.body  # English date format
    assert 'lang="en"' in en.body_html and "Obligation D2" in en.body_html
    assert "Nghĩa vụ D2" in vi.body and "Obligation D2" not in vi.body
    assert "17:00 08/04/2021" in vi.body
    assert 'lang="vi"' in vi.body_html


def test_it_is_delivered_as_an_email_with_its_key_as_message_id(world):
    digest_enqueue(now=MORNING)
    for message in digests():
        assert outbox_deliver_one(message_id=message.pk, now=MORNING) == "sent"
    assert len(mail.outbox) == 2
    email = mail.outbox[0]
    assert isinstance(email, EmailMultiAlternatives)
    assert email.extra_headers["Message-ID"].startswith("<digest.")
    assert email.alternatives[0][1] == "text/html"


# --- Cost ---------------------------------------------------------------------------


def test_it_makes_the_same_number_of_queries_for_more_of_everything(world):
    world.staff_viewer.language = "en"
    world.staff_viewer.save()
    submit_t1(world)
    reminder_rule_for(world.directive)  # created on the first tick
    with CaptureQueriesContext(connection) as small:
        assert digest_enqueue(now=MORNING) == 2
    OutboundMessage.objects.all().delete()
    for i in range(30):
        DistrictOrganisationFactory(code=f"more-{i}")  # 30 more overdue D2
    for i in range(10):
        MembershipFactory(
            organisation=world.department,
            user__email=f"s{i}@example.vn",
            user__language="en" if i % 2 else "vi",
        )
    with CaptureQueriesContext(connection) as large:
        assert digest_enqueue(now=MORNING) == 12
    assert len(large.captured_queries) == len(small.captured_queries)
    # A later tick the same day stops after finding today's rows.
    with CaptureQueriesContext(connection) as again:
        assert digest_enqueue(now=MORNING) == 0
    assert len(again.captured_queries) < len(small.captured_queries)


def test_the_beat_task_runs_the_digest(world, monkeypatch):
    from readiness.tasks import send_staff_digest

    assert settings.CELERY_BEAT_SCHEDULE["send-staff-digest"]["task"] == (
        "readiness.tasks.send_staff_digest"
    )
    monkeypatch.setattr("readiness.tasks.digest_enqueue", lambda **kw: 7)
    assert send_staff_digest() == 7


def test_the_digest_lists_open_incidents_most_severe_first(world):
    from tests.incidents.helpers import report

    times = {"started_at": MORNING, "detected_at": MORNING}
    minor = report(
        world, severity="minor", title="Nghẽn mạng nhẹ", now=MORNING, **times
    )
    critical = report(world, severity="critical", title="Đứt cáp", now=MORNING, **times)
    closed = report(world, severity="major", title="Đã đóng", now=MORNING, **times)
    closed.status = "closed"
    closed.save()
    digest_enqueue(now=MORNING)
    body = OutboundMessage.objects.get(recipient=world.staff).body
    assert body.index(f"#{critical.pk} ") < body.index(f"#{minor.pk} ")
    assert f"#{closed.pk} " not in body
    assert reverse("incidents:index") in body


def test_past_a_season_an_overdue_line_reads_not_done_by_its_deadline(world):
    # D2 was due 8 April; on 10 July it is 93 days overdue: history.
    digest_enqueue(now=AT(2021, 7, 10, 7, 0, tzinfo=VN))
    message = digests().get(recipient=world.staff)
    for body in (message.body, message.body_html):
        assert "không hoàn thành trước ngày 08/04/2021" in body
        assert "Quá hạn 93 ngày" not in body
