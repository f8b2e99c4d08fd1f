"""In-app notifications (each user's own messages) and the delivery log
(every message, for the Department and observers)."""

import datetime
import itertools
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, MessageStatus, OutboundMessage
from contacts.selectors.inbox import unread_count

_keys = itertools.count()


def make_message(recipient, **fields) -> OutboundMessage:
    """A message as the outbox writes it; `fields` override the defaults."""
    n = next(_keys)
    values = {
        "dedupe_key": f"test:{n}",
        "kind": "reminder",
        "recipient": recipient,
        "organisation": recipient.membership.organisation,
        "channel": Channel.EMAIL,
        "address": f"{recipient.username}@example.vn",
        "subject": f"Nhắc việc số {n}",
        "body": f"Nội dung nhắc việc số {n}",
        "link": "http://testserver/plans/",
        "next_attempt_at": timezone.now(),
    }
    values.update(fields)
    return OutboundMessage.objects.create(**values)


def item_classes(body: str, message: OutboundMessage) -> str:
    found = re.search(rf'<li class="([^"]*)" id="message-{message.pk}"', body)
    assert found is not None
    return found.group(1)


def failed(recipient, **fields) -> OutboundMessage:
    return make_message(
        recipient,
        status=MessageStatus.FAILED,
        attempts=5,
        last_error="SMTP 550 mailbox unavailable",
        **fields,
    )


# --- The user's own messages ------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["inbox:index", "inbox:log", "inbox:mark_read", "inbox:requeue"]
)
def test_anonymous_is_sent_to_login(client, world, name):
    args = [failed(world.district_a_officer).pk] if name == "inbox:requeue" else []
    url = reverse(name, args=args)
    r = (
        client.post(url)
        if name in ("inbox:mark_read", "inbox:requeue")
        else client.get(url)
    )
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


def test_the_inbox_lists_only_the_users_own_messages(client, world):
    mine = make_message(world.district_a_officer, subject="Hạn nộp D2 của tôi")
    theirs = make_message(world.district_b_officer, subject="Hạn nộp D2 của huyện B")
    client.force_login(world.district_a_officer)
    r = client.get(reverse("inbox:index"))
    assert r.status_code == 200
    body = r.content.decode()
    assert mine.subject in body and mine.body in body and mine.link in body
    assert theirs.subject not in body
    assert f'id="message-{theirs.pk}"' not in body


def test_messages_of_every_channel_are_listed_newest_first(client, world):
    officer = world.district_a_officer
    older = make_message(officer, subject="Tin cũ")
    newer = make_message(
        officer, channel=Channel.SMS, address="+84912345678", subject="Tin mới"
    )
    OutboundMessage.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(officer)
    body = client.get(reverse("inbox:index")).content.decode()
    assert body.index(newer.subject) < body.index(older.subject)


def test_a_message_no_longer_needed_is_not_shown(client, world):
    dropped = make_message(
        world.district_a_officer, status=MessageStatus.CANCELLED, subject="Đã hủy"
    )
    client.force_login(world.district_a_officer)
    assert dropped.subject not in client.get(reverse("inbox:index")).content.decode()
    assert unread_count(world.district_a_officer) == 0


def test_unread_messages_stand_out(client, world):
    officer = world.district_a_officer
    unread = make_message(officer)
    read = make_message(officer, read_at=timezone.now())
    client.force_login(officer)
    r = client.get(reverse("inbox:index"))
    body = r.content.decode()
    assert r.context["unread"] == 1
    assert "message-unread" in item_classes(body, unread)
    assert "message-unread" not in item_classes(body, read)
    assert reverse("inbox:mark_read") in body


def test_marking_all_read_touches_only_the_users_own_messages(client, world):
    mine = [make_message(world.district_a_officer) for _ in range(3)]
    theirs = make_message(world.district_b_officer)
    client.force_login(world.district_a_officer)
    r = client.post(reverse("inbox:mark_read"))
    assert r.status_code == 302 and r["Location"] == reverse("inbox:index")
    for message in mine:
        message.refresh_from_db()
        assert message.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert unread_count(world.district_a_officer) == 0
    assert unread_count(world.district_b_officer) == 1
    body = client.get(reverse("inbox:index")).content.decode()
    assert "message-unread" not in body
    assert reverse("inbox:mark_read") not in body


def test_marking_read_needs_a_post(client, world):
    client.force_login(world.district_a_officer)
    assert client.get(reverse("inbox:mark_read")).status_code == 405


def test_unread_count_takes_one_query_and_none_for_a_visitor(
    world, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    make_message(world.staff)
    make_message(world.staff)
    make_message(world.staff, read_at=timezone.now())
    make_message(world.observer)
    with django_assert_num_queries(1):
        assert unread_count(world.staff) == 2
    with django_assert_num_queries(0):
        assert unread_count(AnonymousUser()) == 0


def test_the_navigation_shows_the_unread_count(client, world):
    make_message(world.observer)
    make_message(world.observer)
    client.force_login(world.observer)
    body = client.get(reverse("inbox:index")).content.decode()
    assert 'nav-unread">2<' in body
    client.post(reverse("inbox:mark_read"))
    assert "nav-unread" not in client.get(reverse("inbox:index")).content.decode()


def test_the_inbox_is_paginated_by_thirty(client, world):
    for _ in range(31):
        make_message(world.telecom_officer)
    client.force_login(world.telecom_officer)
    assert len(client.get(reverse("inbox:index")).context["page"]) == 30
    assert len(client.get(reverse("inbox:index") + "?page=2").context["page"]) == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_inbox_costs_the_same_queries_for_5_and_100_messages(client, world):
    officer = world.district_a_officer
    client.force_login(officer)
    for _ in range(5):
        make_message(officer)
    small = _queries(client, reverse("inbox:index"))
    for _ in range(95):
        make_message(officer)
    assert _queries(client, reverse("inbox:index")) == small


# --- The delivery log -------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_staff_and_observers_read_every_message_in_the_log(client, world, who):
    a = make_message(world.district_a_officer, subject="Gửi huyện A")
    b = make_message(world.telecom_officer, subject="Gửi viễn thông")
    client.force_login(getattr(world, who))
    r = client.get(reverse("inbox:log"))
    assert r.status_code == 200
    body = r.content.decode()
    assert a.subject in body and b.subject in body
    assert a.address in body


@pytest.mark.parametrize(
    "who",
    ["district_a_officer", "district_b_officer", "telecom_officer", "postal_officer"],
)
def test_districts_and_carriers_do_not_find_the_log(client, world, who):
    message = failed(getattr(world, who))
    client.force_login(getattr(world, who))
    assert client.get(reverse("inbox:log")).status_code == 404
    assert client.post(reverse("inbox:requeue", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_the_log_shows_the_delivery_columns(client, world):
    message = failed(world.district_a_officer)
    client.force_login(world.observer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("inbox:log")).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', body)
    assert headers == [
        "Created",
        "Kind",
        "Recipient",
        "Organisation",
        "Channel",
        "Address",
        "Subject",
        "Status",
        "Attempts",
        "Last error",
        "Sent at",
    ]
    row = body[body.index(f'id="message-{message.pk}"') :]
    row = row[: row.index("</tr>")]
    for shown in (
        message.last_error,
        message.address,
        message.subject,
        "failed",
        "reminder",
        world.district_a.name_en,
    ):
        assert shown in row


def test_the_log_filters_by_status_channel_and_organisation(client, world):
    sent = make_message(
        world.district_a_officer, status=MessageStatus.SENT, subject="Đã gửi A"
    )
    failed_a = failed(world.district_a_officer, subject="Lỗi A")
    sms_b = make_message(
        world.district_b_officer,
        channel=Channel.SMS,
        address="+84912345678",
        subject="SMS B",
    )
    client.force_login(world.staff)
    url = reverse("inbox:log")

    def shown(**params) -> set[str]:
        r = client.get(url, params)
        assert r.status_code == 200
        return {m.subject for m in r.context["page"]}

    assert shown() == {sent.subject, failed_a.subject, sms_b.subject}
    assert shown(status="failed") == {failed_a.subject}
    assert shown(channel="sms") == {sms_b.subject}
    assert shown(organisation=world.district_a.pk) == {sent.subject, failed_a.subject}
    assert shown(organisation=world.district_a.pk, status="sent") == {sent.subject}


def test_an_unknown_filter_value_is_ignored_not_an_error(client, world):
    make_message(world.district_a_officer)
    client.force_login(world.staff)
    r = client.get(reverse("inbox:log"), {"status": "lost", "organisation": "abc"})
    assert r.status_code == 200


def test_the_log_is_paginated_by_fifty_keeping_the_filters(client, world):
    for _ in range(51):
        failed(world.postal_officer)
    client.force_login(world.staff)
    r = client.get(reverse("inbox:log"), {"status": "failed"})
    assert len(r.context["page"]) == 50
    assert "?status=failed&amp;page=2" in r.content.decode()
    assert (
        len(
            client.get(reverse("inbox:log"), {"status": "failed", "page": 2}).context[
                "page"
            ]
        )
        == 1
    )


def test_only_a_department_editor_sees_send_again(client, world):
    message = failed(world.district_a_officer)
    make_message(world.district_a_officer, status=MessageStatus.SENT)
    button = reverse("inbox:requeue", args=[message.pk])
    client.force_login(world.staff)
    body = client.get(reverse("inbox:log")).content.decode()
    assert body.count('action="/notifications/log/') == 1 and button in body
    for reader in (world.staff_viewer, world.observer):
        client.force_login(reader)
        assert button not in client.get(reverse("inbox:log")).content.decode()


def test_an_editor_sends_a_failed_message_again(client, world):
    message = failed(world.district_a_officer)
    client.force_login(world.staff)
    r = client.post(
        reverse("inbox:requeue", args=[message.pk]), {"filters": "status=failed"}
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("inbox:log") + "?status=failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 0


def test_send_again_leaves_a_message_that_has_not_failed(client, world):
    message = make_message(world.district_a_officer, status=MessageStatus.SENT)
    client.force_login(world.staff)
    r = client.post(reverse("inbox:requeue", args=[message.pk]), follow=True)
    assert r.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [m.level_tag for m in r.context["messages"]] == ["warning"]


def test_the_redirect_after_send_again_stays_on_the_log(client, world):
    message = failed(world.district_a_officer)
    client.force_login(world.staff)
    r = client.post(
        reverse("inbox:requeue", args=[message.pk]),
        {"filters": "https://evil.example/"},
    )
    assert r["Location"].startswith(reverse("inbox:log") + "?")


def test_filters_too_long_for_a_url_send_again_and_show_the_whole_log(client, world):
    """17,000 characters of filters (more than Django lets a redirect
    carry): the message is still sent again, and the log opens unfiltered."""
    message = failed(world.district_a_officer)
    client.force_login(world.staff)
    r = client.post(
        reverse("inbox:requeue", args=[message.pk]),
        {"filters": "q=" + "x" * 17_000},
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("inbox:log")
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_read_only_readers_may_not_send_again(client, world, who):
    message = failed(world.district_a_officer)
    client.force_login(getattr(world, who))
    assert client.post(reverse("inbox:requeue", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_send_again_of_an_unknown_message_is_404(client, world):
    client.force_login(world.staff)
    assert client.post(reverse("inbox:requeue", args=[999999])).status_code == 404


def test_send_again_needs_a_post(client, world):
    message = failed(world.district_a_officer)
    client.force_login(world.staff)
    assert client.get(reverse("inbox:requeue", args=[message.pk])).status_code == 405


@pytest.mark.parametrize("filtered", [False, True])
def test_the_log_costs_the_same_queries_for_5_and_100_messages(client, world, filtered):
    client.force_login(world.staff)
    officers = [world.district_a_officer, world.telecom_officer, world.postal_officer]
    for i in range(5):
        failed(officers[i % 3])
    url = reverse("inbox:log")
    if filtered:
        url += f"?status=failed&organisation={world.telecom.pk}"
    small = _queries(client, url)
    for i in range(95):
        failed(officers[i % 3])
    assert _queries(client, url) == small
