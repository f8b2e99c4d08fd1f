"""Notices of a contact list's review, and what every notice shares: one
in the inbox of each person told and none for anyone else, in the
person's language, e-mail and SMS as the person chose (never off for the
mandatory kinds), and the daily digest."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from contacts.models import (
    Channel,
    MembershipRole,
    MessageStatus,
    NoticeKind,
    OutboundMessage,
)
from contacts.selectors.inbox import inbox_messages
from contacts.services import contact_lists as services
from contacts.services.notice_digest import notice_digests_enqueue
from contacts.services.notice_settings import (
    notice_defaults_save,
    notice_preferences_save,
)
from contacts.services.outbox import outbox_deliver
from tests.contacts.conftest import make_row
from tests.factories import VN, MembershipFactory

NOW = datetime.datetime(2021, 4, 1, 10, 0, tzinfo=VN)
COMMENT = "Thiếu số điện thoại của Tổ bầu cử số 3.\nBổ sung trước 17:00."


def inbox(user) -> list[OutboundMessage]:
    return list(inbox_messages(user=user))


def told(**filters) -> list[tuple[str, str]]:
    """(username, kind) of each in-app notice, in the order of names."""
    return sorted(
        OutboundMessage.objects.filter(channel=Channel.APP, **filters).values_list(
            "recipient__username", "kind"
        )
    )


@pytest.fixture
def emails(world):
    for user in (
        world.staff,
        world.staff_viewer,
        world.observer,
        world.district_a_officer,
        world.district_b_officer,
        world.telecom_officer,
    ):
        user.email = f"{user.username}@example.vn"
        user.save()


@pytest.fixture
def submitted(world, list_a, communes_a, import_rows):
    """District A's list with a team in each commune, submitted."""
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    return services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer, now=NOW
    )


def test_a_submitted_list_tells_each_department_reviewer_once(world, submitted):
    assert told() == [("staff", "contact-list-submitted")]
    (notice,) = inbox(world.staff)
    assert "UBND" in notice.subject and "1" in notice.subject
    assert notice.link.endswith(f"/contact-lists/{submitted.contact_list_id}/")
    # Nobody else: not the read-only member, observers, other organisations,
    # nor the district that submitted.
    for user in (
        world.staff_viewer,
        world.observer,
        world.district_a_officer,
        world.district_b_officer,
        world.telecom_officer,
    ):
        assert inbox(user) == []


def test_a_returned_list_tells_every_member_of_the_district_and_quotes_the_comment(
    world, submitted
):
    colleague = MembershipFactory(
        organisation=world.district_a, role=MembershipRole.VIEWER
    ).user
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    assert told(kind="contact-list-returned") == sorted(
        [
            (colleague.username, "contact-list-returned"),
            ("district-a", "contact-list-returned"),
        ]
    )
    (notice,) = inbox(world.district_a_officer)
    assert f"“{COMMENT}”" in notice.body
    assert inbox(world.district_b_officer) == []
    assert [m.kind for m in inbox(world.staff)] == ["contact-list-submitted"]


def test_an_accepted_list_tells_the_district_with_the_reason_recorded(
    world, list_a, communes_a, import_rows
):
    import_rows([make_row(2, communes_a[0])])  # one commune of two
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer, now=NOW
    )
    services.contact_list_accept(
        version=version, by=world.staff, reason="Xã kia chưa lập tổ", now=NOW
    )
    (notice,) = inbox(world.district_a_officer)
    assert notice.kind == "contact-list-accepted"
    assert "Xã kia chưa lập tổ" in notice.body
    assert told(kind="contact-list-accepted") == [
        ("district-a", "contact-list-accepted")
    ]


def test_the_same_occasion_is_written_once(world, submitted):
    from contacts.services.notices import contact_list_notices_enqueue

    before = OutboundMessage.objects.count()
    assert (
        contact_list_notices_enqueue(
            version=submitted, event="submitted", by=world.district_a_officer, now=NOW
        )
        == 0
    )
    assert OutboundMessage.objects.count() == before


def test_each_person_reads_the_notice_in_their_own_language(world, submitted):
    world.district_a_officer.language = "en"
    world.district_a_officer.save()
    vietnamese = MembershipFactory(organisation=world.district_a).user
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    (en,) = inbox(world.district_a_officer)
    (vi,) = inbox(vietnamese)
    assert en.subject == "Your contact list was returned (version 1)"
    assert en.language == "en" and vi.language == "vi"
    with translation.override("vi"):
        assert vi.subject != en.subject
        assert "1" in vi.subject
    assert "with this comment" in en.body
    assert "with this comment" not in vi.body


# --- Channels and preferences ----------------------------------------------------


def channels(user) -> list[str]:
    return sorted(
        OutboundMessage.objects.filter(recipient=user).values_list("channel", flat=True)
    )


def test_by_default_a_notice_is_in_the_inbox_and_e_mailed_but_shown_once(
    world, emails, submitted
):
    assert channels(world.staff) == [Channel.APP, Channel.EMAIL]
    assert len(inbox(world.staff)) == 1
    email = OutboundMessage.objects.get(recipient=world.staff, channel=Channel.EMAIL)
    assert (email.status, email.in_inbox) == (MessageStatus.PENDING, False)


def test_without_an_address_the_notice_is_still_in_the_inbox(world, submitted):
    assert channels(world.staff) == [Channel.APP]


def test_a_person_who_switched_e_mail_off_still_has_the_notice_in_the_inbox(
    world, emails, list_a, communes_a, import_rows
):
    notice_preferences_save(
        user=world.staff,
        choices={NoticeKind.SUBMITTED: (False, False)},
        daily_digest=False,
    )
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer, now=NOW
    )
    assert channels(world.staff) == [Channel.APP]
    assert len(inbox(world.staff)) == 1


@override_settings(USE_SMS=True)
def test_sms_follows_the_person_s_choice(world, emails, submitted):
    world.district_a_officer.phone = "+84912345678"
    world.district_a_officer.save()
    notice_preferences_save(
        user=world.district_a_officer,
        choices={NoticeKind.ACCEPTED: (False, True)},
        daily_digest=False,
    )
    services.contact_list_accept(version=submitted, by=world.staff, now=NOW)
    assert channels(world.district_a_officer) == [Channel.APP, Channel.SMS]


@override_settings(USE_SMS=True)
def test_a_return_cannot_be_switched_off(world, emails, submitted):
    officer = world.district_a_officer
    officer.phone = "+84912345678"
    officer.save()
    notice_preferences_save(
        user=officer,
        choices={NoticeKind.RETURNED: (False, False)},
        daily_digest=False,
    )
    notice_defaults_save(choices={NoticeKind.RETURNED: (False, False)}, by=world.staff)
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    assert channels(officer) == [Channel.APP, Channel.EMAIL, Channel.SMS]


def test_the_department_s_default_applies_to_those_who_chose_nothing(
    world, emails, list_a, communes_a, import_rows
):
    other = MembershipFactory(
        organisation=world.department, user__email="other@example.vn"
    ).user
    notice_defaults_save(choices={NoticeKind.SUBMITTED: (False, False)}, by=world.staff)
    notice_preferences_save(
        user=other, choices={NoticeKind.SUBMITTED: (True, False)}, daily_digest=False
    )
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer, now=NOW
    )
    assert channels(world.staff) == [Channel.APP]
    assert channels(other) == [Channel.APP, Channel.EMAIL]


def test_a_choice_equal_to_the_default_follows_the_default_when_it_changes(
    world, emails, list_a, communes_a, import_rows
):
    notice_preferences_save(
        user=world.staff,
        choices={NoticeKind.SUBMITTED: (True, False)},  # the built-in default
        daily_digest=False,
    )
    notice_defaults_save(choices={NoticeKind.SUBMITTED: (False, False)}, by=world.staff)
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer, now=NOW
    )
    assert channels(world.staff) == [Channel.APP]


# --- The daily digest -------------------------------------------------------------


def evening(day: int = 1) -> datetime.datetime:
    return datetime.datetime(2021, 4, day, 17, 30, tzinfo=VN)


def test_the_digest_sends_one_e_mail_with_the_day_s_notices(
    world, emails, list_a, communes_a, import_rows
):
    officer = world.district_a_officer
    notice_preferences_save(user=officer, choices={}, daily_digest=True)
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    first = services.contact_list_submit(contact_list=list_a, by=officer, now=NOW)
    services.contact_list_return(
        version=first, by=world.staff, comment=COMMENT, now=NOW
    )
    import_rows([make_row(4, communes_a[1])])  # what the return asked for
    second = services.contact_list_submit(contact_list=list_a, by=officer, now=NOW)
    services.contact_list_accept(version=second, by=world.staff, now=NOW)
    held = OutboundMessage.objects.filter(
        recipient=officer, channel=Channel.EMAIL, kind__startswith="contact-list"
    )
    assert set(held.values_list("status", flat=True)) == {MessageStatus.HELD}
    assert held.count() == 2
    # Not before the digest hour; then once, however many ticks.
    assert notice_digests_enqueue(now=evening().replace(hour=9)) == 0
    assert notice_digests_enqueue(now=evening()) == 1
    assert notice_digests_enqueue(now=evening() + datetime.timedelta(minutes=10)) == 0
    assert set(held.values_list("status", flat=True)) == {MessageStatus.BUNDLED}
    digest = OutboundMessage.objects.get(recipient=officer, kind="notice-digest")
    assert outbox_deliver(message_ids=[digest.pk], now=evening()) == {
        digest.pk: MessageStatus.SENT
    }
    (sent,) = mail.outbox
    assert sent.to == [officer.email]
    assert "2" in sent.subject
    assert COMMENT.splitlines()[0] in sent.body
    # The two notices stay in the inbox; the digest is not a third entry.
    notices = inbox(officer)
    assert len(notices) == 2
    for notice in notices:
        assert notice.subject in sent.body


def test_the_digest_s_e_mails_are_never_sent_one_by_one(world, emails, submitted):
    officer = world.district_a_officer
    notice_preferences_save(user=officer, choices={}, daily_digest=True)
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    held = OutboundMessage.objects.get(recipient=officer, channel=Channel.EMAIL)
    assert outbox_deliver(message_ids=[held.pk], now=evening()) == {held.pk: "skipped"}
    assert mail.outbox == []


def test_a_notice_after_the_day_s_digest_waits_for_the_next_one(
    world, emails, submitted, communes_a, import_rows
):
    officer = world.district_a_officer
    notice_preferences_save(user=officer, choices={}, daily_digest=True)
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    assert notice_digests_enqueue(now=evening()) == 1
    import_rows([make_row(4, communes_a[1])])  # what the return asked for
    again = services.contact_list_submit(
        contact_list=submitted.contact_list, by=officer, now=evening()
    )
    services.contact_list_accept(version=again, by=world.staff, now=evening())
    assert notice_digests_enqueue(now=evening() + datetime.timedelta(hours=1)) == 0
    assert notice_digests_enqueue(now=evening(2)) == 1
    assert OutboundMessage.objects.filter(kind="notice-digest").count() == 2


def test_leaving_the_digest_sends_what_it_held_at_once(world, emails, submitted):
    officer = world.district_a_officer
    notice_preferences_save(user=officer, choices={}, daily_digest=True)
    services.contact_list_return(
        version=submitted, by=world.staff, comment=COMMENT, now=NOW
    )
    notice_preferences_save(user=officer, choices={}, daily_digest=False)
    held = OutboundMessage.objects.get(recipient=officer, channel=Channel.EMAIL)
    assert held.status == MessageStatus.PENDING
    assert notice_digests_enqueue(now=evening()) == 0
