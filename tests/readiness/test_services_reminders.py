"""Planning reminders: the right organisations, the right occasion, once."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contacts.models import (
    Channel,
    MembershipRole,
    MessageStatus,
    NoticeKind,
    OutboundMessage,
)
from contacts.selectors.inbox import inbox_messages
from contacts.services.notice_settings import notice_preferences_save
from contacts.services.outbox import outbox_deliver_one
from readiness.services.deadlines import deadline_set
from readiness.services.reminders import reminder_rule_for, reminders_enqueue_due
from tests.factories import VN, MembershipFactory, OrganisationFactory
from tests.readiness.test_selectors_compliance import accept_t2, at

# D2 is due 8 April 2021 17:00, P1 and T1 23 April 17:00 (tests/conftest.py).
AT = datetime.datetime


@pytest.fixture(autouse=True)
def emails(world):
    for user in (
        world.district_a_officer,
        world.district_b_officer,
        world.telecom_officer,
        world.postal_officer,
    ):
        user.email = f"{user.username}@example.vn"
        user.save()


def keys():
    return sorted(OutboundMessage.objects.values_list("dedupe_key", flat=True))


def test_nothing_before_the_first_occasion(world):
    assert reminders_enqueue_due(now=AT(2021, 4, 1, 9, tzinfo=VN)) == 0


def test_seven_days_before_each_district_is_reminded_once(world):
    now = AT(2021, 4, 1, 18, tzinfo=VN)
    assert reminders_enqueue_due(now=now) == 2
    assert reminders_enqueue_due(now=now) == 0
    assert reminders_enqueue_due(now=now + datetime.timedelta(hours=1)) == 0
    assert [k.rsplit(":", 1)[1] for k in keys()] == ["before-7", "before-7"]
    recipients = set(
        OutboundMessage.objects.values_list("recipient__username", flat=True)
    )
    assert recipients == {"district-a", "district-b"}


def test_the_next_offset_is_a_new_reminder(world):
    reminders_enqueue_due(now=AT(2021, 4, 1, 18, tzinfo=VN))
    assert (
        reminders_enqueue_due(now=AT(2021, 4, 5, 18, tzinfo=VN)) == 2
    )  # 3 days before
    assert reminders_enqueue_due(now=AT(2021, 4, 7, 18, tzinfo=VN)) == 2  # 1 day before


def test_overdue_reminders_are_daily_and_reach_the_head_after_three_days(world):
    head = MembershipFactory(
        organisation=world.district_a, is_head=True, user__email="head@example.vn"
    ).user
    reminders_enqueue_due(now=AT(2021, 4, 9, 9, tzinfo=VN))  # overdue day 1
    assert not OutboundMessage.objects.filter(recipient=head).exists()
    reminders_enqueue_due(now=AT(2021, 4, 12, 9, tzinfo=VN))  # overdue day 4
    assert OutboundMessage.objects.filter(
        recipient=head, dedupe_key__endswith="overdue-4"
    ).exists()


def test_no_reminder_at_night_until_quiet_hours_end(world):
    reminders_enqueue_due(now=AT(2021, 4, 1, 22, 30, tzinfo=VN))
    message = OutboundMessage.objects.first()
    assert message is not None
    assert message.next_attempt_at == AT(2021, 4, 2, 7, 0, tzinfo=VN)


def test_a_member_without_an_email_address_has_it_in_the_inbox_only(world):
    member = MembershipFactory(organisation=world.district_a, user__email="").user
    assert reminders_enqueue_due(now=AT(2021, 4, 1, 18, tzinfo=VN)) == 3
    (reminder,) = inbox_messages(user=member)
    assert (reminder.channel, reminder.status) == (Channel.APP, MessageStatus.SENT)
    assert "D2" in reminder.subject


def test_reminders_are_written_in_the_recipients_language(world):
    world.district_b_officer.language = "en"
    world.district_b_officer.save()
    reminders_enqueue_due(now=AT(2021, 4, 1, 18, tzinfo=VN))
    vi = OutboundMessage.objects.get(recipient=world.district_a_officer)
    en = OutboundMessage.objects.get(recipient=world.district_b_officer)
    assert en.subject == "Reminder: D2 is due in 7 days"
    with translation.override("vi"):
        assert vi.subject != en.subject and "D2" in vi.subject
    assert "17:00 08/04/2021" in vi.body


def test_a_reminder_goes_out_by_email_with_its_key_as_message_id(world):
    now = AT(2021, 4, 1, 18, tzinfo=VN)
    reminders_enqueue_due(now=now)
    for message in OutboundMessage.objects.all():
        assert outbox_deliver_one(message_id=message.pk, now=now) == "sent"
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"].startswith("<reminder.")
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 2


def test_a_reminder_planned_before_the_deadline_moved_is_dropped(world):
    now = AT(2021, 4, 1, 18, tzinfo=VN)
    reminders_enqueue_due(now=now)
    d2 = world.directive.obligations.get(code="D2")
    deadline_set(
        obligation=d2,
        due_at=AT(2021, 4, 20, 17, tzinfo=VN),
        reason="Lùi hạn",
        by=world.staff,
    )
    message = OutboundMessage.objects.filter(kind="reminder").first()
    assert message is not None
    assert outbox_deliver_one(message_id=message.pk, now=now) == MessageStatus.CANCELLED
    assert "deadline moved" in OutboundMessage.objects.get(pk=message.pk).last_error
    assert mail.outbox == []


def test_a_read_only_member_is_reminded_too(world):
    MembershipFactory(
        organisation=world.postal,
        role=MembershipRole.VIEWER,
        user__email="viewer@example.vn",
    )
    # P1 and T1 seven days before (postal twice: officer and viewer), D2 overdue.
    assert reminders_enqueue_due(now=AT(2021, 4, 16, 18, tzinfo=VN)) == 5


def test_planning_makes_the_same_number_of_queries_for_more_organisations(world):
    now = AT(2021, 4, 16, 18, tzinfo=VN)
    reminder_rule_for(world.directive)  # created on the first tick
    with CaptureQueriesContext(connection) as small:
        reminders_enqueue_due(now=now)
    OutboundMessage.objects.all().delete()
    for i in range(40):
        org = OrganisationFactory(kind="telecom", code=f"more-{i}")
        MembershipFactory(organisation=org, user__email=f"u{i}@example.vn")
    with CaptureQueriesContext(connection) as large:
        reminders_enqueue_due(now=now)
    assert OutboundMessage.objects.count() == 44
    assert len(large.captured_queries) == len(small.captured_queries)


def test_overdue_reminders_stop_after_a_month(world):
    # D2 overdue day 29 (two districts), P1 and T1 day 14.
    assert reminders_enqueue_due(now=AT(2021, 5, 7, 9, tzinfo=VN)) == 4
    OutboundMessage.objects.all().delete()
    assert (
        reminders_enqueue_due(now=AT(2021, 6, 9, 9, tzinfo=VN)) == 0
    )  # all past 30 days


def test_each_message_names_its_person_and_organisation_escaped_in_html(world):
    world.district_a_officer.full_name = "Lê <b>An</b>"
    world.district_a_officer.save()
    reminders_enqueue_due(now=AT(2021, 4, 1, 18, tzinfo=VN))
    a = OutboundMessage.objects.get(recipient=world.district_a_officer)
    b = OutboundMessage.objects.get(recipient=world.district_b_officer)
    assert "Lê <b>An</b>" in a.body and "Lê &lt;b&gt;An&lt;/b&gt;" in a.body_html
    assert world.district_a.name in a.body and world.district_b.name in b.body
    assert "\x00" not in a.body + a.subject + a.body_html


def test_a_t2_reminder_leads_to_the_plan_then_to_the_roster(world, t2):
    """T2 needs its plan section accepted and a roster with no gaps: the
    reminder links to whichever of the two is missing."""

    def t2_link() -> str:
        return (
            OutboundMessage.objects.filter(
                recipient=world.telecom_officer, dedupe_key__contains=f":{t2.pk}:"
            )
            .latest("pk")
            .link
        )

    reminders_enqueue_due(now=at(23))  # seven days before
    assert t2_link().endswith(reverse("readiness:plan_index"))
    accept_t2(world)
    reminders_enqueue_due(now=at(27))  # three days before
    assert t2_link().endswith(reverse("rosters:roster", args=[world.telecom.pk]))


# --- Preferences (contacts.models.notices) ----------------------------------------


def test_a_person_who_switched_reminder_e_mails_off_finds_them_in_the_inbox(world):
    officer = world.district_a_officer
    notice_preferences_save(
        user=officer, choices={NoticeKind.REMINDER: (False, False)}, daily_digest=False
    )
    reminders_enqueue_due(now=AT(2021, 4, 1, 18, tzinfo=VN))
    (reminder,) = OutboundMessage.objects.filter(recipient=officer)
    assert reminder.channel == Channel.APP
    assert list(inbox_messages(user=officer)) == [reminder]
    # District B chose nothing: its officer is e-mailed as before.
    assert OutboundMessage.objects.get(recipient=world.district_b_officer).channel == (
        Channel.EMAIL
    )


def test_overdue_reminders_cannot_be_switched_off(world):
    officer = world.district_a_officer
    notice_preferences_save(
        user=officer,
        choices={
            NoticeKind.REMINDER: (False, False),
            NoticeKind.OVERDUE: (False, False),
        },
        daily_digest=False,
    )
    reminders_enqueue_due(now=AT(2021, 4, 9, 9, tzinfo=VN))  # D2 overdue day 1
    (reminder,) = OutboundMessage.objects.filter(recipient=officer)
    assert reminder.channel == Channel.EMAIL
    assert reminder.dedupe_key.endswith("overdue-1")
