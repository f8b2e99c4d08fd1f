"""Forgotten passwords: a link by e-mail from the login page, through the
outbox, answered the same whether or not the address is anyone's,
rate-limited, and kept in the membership history."""

import datetime
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from contacts.models import (
    Channel,
    MemberRole,
    MembershipEvent,
    MembershipEventKind,
    MessageStatus,
    OutboundMessage,
    User,
)
from contacts.services.members import PersonDraft, person_invite
from contacts.services.outbox import outbox_deliver
from tests.factories import VN

OLD_PASSWORD = "Mật-khẩu-cũ-2021"
NEW_PASSWORD = "Mật-khẩu-mới-2021"
ADDRESS = "Lan.Nguyen@ThanhHoa.gov.vn"
NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
LINK = re.compile(r"/accounts/password/reset/[A-Za-z0-9_-]+/[A-Za-z0-9-]+/")


@pytest.fixture
def officer(world) -> User:
    user = world.district_a_officer
    user.email = ADDRESS
    user.set_password(OLD_PASSWORD)
    user.save()
    return user


def _ask(client: Client, address: str, ip: str = "10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR=ip)


def _reset_messages(person: User | None = None):
    q = OutboundMessage.objects.filter(kind="password-reset")
    return q.filter(recipient=person) if person is not None else q


def _link(person: User) -> str:
    """The path of the latest reset link sent to `person`, read from the
    message in the outbox as the person reads it."""
    message = _reset_messages(person).order_by("-pk").first()
    assert message is not None, f"no reset link was sent to {person}"
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def _login(username: str, password: str):
    return Client().post(reverse("login"), {"username": username, "password": password})


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    form_page = client.get(link)
    # Django moves the token into the session, out of the address bar.
    assert form_page.status_code == 302
    return client.post(
        form_page["Location"], {"new_password1": password, "new_password2": password}
    )


def test_the_login_page_offers_to_reset_a_forgotten_password(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Quên mật khẩu?" in page
    assert f'href="{reverse("password_reset")}"' in page


def test_a_known_address_gets_one_vietnamese_email_with_a_working_link(officer):
    client = Client()
    # Typed in another case than the account's.
    page = _ask(client, ADDRESS.lower())
    assert page.status_code == 302 and page.url == reverse("password_reset_done")
    assert "Hãy kiểm tra thư điện tử" in client.get(page.url).content.decode()
    message = _reset_messages().get()
    assert message.recipient == officer
    assert (message.channel, message.address) == (Channel.EMAIL, ADDRESS)
    assert message.subject == (
        "Chọn mật khẩu mới cho ứng dụng thông tin liên lạc phục vụ bầu cử"
    )
    assert "Chọn mật khẩu mới bằng đường dẫn này" in message.body
    assert message.in_inbox is False
    # The worker sends it as any other message of the outbox.
    outbox_deliver(message_ids=[message.pk])
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert _link(officer) in mail.outbox[0].body

    done = _set_password(client, _link(officer))
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert "Đã đặt mật khẩu mới" in client.get(done.url).content.decode()
    # Not signed in by the link: the person logs in with the new password.
    assert "_auth_user_id" not in client.session
    assert _login(officer.username, NEW_PASSWORD).status_code == 302
    assert _login(officer.username, OLD_PASSWORD).status_code == 200


def test_a_link_works_once(officer):
    _ask(Client(), ADDRESS)
    link = _link(officer)
    _set_password(Client(), link)
    page = Client().get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đường dẫn này không dùng được" in text
    assert f'href="{reverse("password_reset")}"' in text
    assert _login(officer.username, NEW_PASSWORD).status_code == 302


def test_a_link_no_longer_works_after_two_hours(officer):
    with time_machine.travel(NOW, tick=False):
        _ask(Client(), ADDRESS)
    link = _link(officer)
    with time_machine.travel(NOW + datetime.timedelta(hours=2, minutes=1)):
        page = Client().get(link)
    assert "Đường dẫn này không dùng được" in page.content.decode()


def test_a_message_still_unsent_when_its_link_expires_is_dropped(officer):
    with time_machine.travel(NOW, tick=False):
        _ask(Client(), ADDRESS)
    message = _reset_messages().get()
    later = NOW + datetime.timedelta(hours=3)
    outbox_deliver(message_ids=[message.pk], now=later)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_an_unknown_address_gets_the_same_page_and_no_message(officer):
    known = _ask(Client(), ADDRESS)
    unknown = _ask(Client(), "ai.do@example.vn", ip="10.0.0.9")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert _reset_messages().count() == 1
    event = MembershipEvent.objects.get(detail="ai.do@example.vn")
    assert event.kind == MembershipEventKind.RESET_REQUESTED
    assert (event.person, event.organisation) == (None, None)
    assert event.ip_address == "10.0.0.9"


def test_an_invited_person_who_has_not_joined_gets_nothing(world):
    draft = PersonDraft(
        "Lê Thị Hoa", "hoa@dongson.gov.vn", "", MemberRole.EDITOR, world.district_b
    )
    person = person_invite(draft=draft, by=world.staff).person
    page = _ask(Client(), "hoa@dongson.gov.vn")
    assert page.url == reverse("password_reset_done")
    assert not _reset_messages(person).exists()


def test_the_request_and_the_new_password_are_in_the_membership_history(officer, world):
    _ask(Client(), ADDRESS, ip="10.0.0.7")
    _set_password(Client(REMOTE_ADDR="10.0.0.8"), _link(officer))
    events = MembershipEvent.objects.filter(person=officer).order_by("pk")
    assert [(e.kind, e.organisation, e.detail, e.ip_address) for e in events] == [
        (MembershipEventKind.RESET_REQUESTED, world.district_a, ADDRESS, "10.0.0.7"),
        (MembershipEventKind.RESET_DONE, world.district_a, "", "10.0.0.8"),
    ]


def test_the_fourth_request_in_an_hour_for_one_address_sends_nothing(officer, caplog):
    with time_machine.travel(NOW, tick=False):
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _ask(Client(), ADDRESS, ip=ip)
        assert _reset_messages().count() == 3
        with caplog.at_level(logging.WARNING):
            page = _ask(Client(), ADDRESS.upper(), ip="10.0.0.4")
    assert page.url == reverse("password_reset_done")
    assert _reset_messages().count() == 3
    refused = MembershipEvent.objects.get(kind=MembershipEventKind.RESET_REFUSED)
    assert (refused.person, refused.ip_address) == (officer, "10.0.0.4")
    assert "Password reset refused" in caplog.text
    # An hour after the first, a link can be asked for again.
    with time_machine.travel(NOW + datetime.timedelta(minutes=61), tick=False):
        _ask(Client(), ADDRESS)
    assert _reset_messages().count() == 4


def test_one_ip_address_cannot_ask_for_links_without_end(officer, settings):
    settings.PASSWORD_RESET_PER_IP_HOURLY = 2
    with time_machine.travel(NOW, tick=False):
        _ask(Client(), "mot@example.vn", ip="10.0.0.5")
        _ask(Client(), "hai@example.vn", ip="10.0.0.5")
        _ask(Client(), ADDRESS, ip="10.0.0.5")
        assert not _reset_messages().exists()
        _ask(Client(), ADDRESS, ip="10.0.0.6")
    assert _reset_messages().count() == 1


def test_a_new_password_ends_the_persons_other_sessions(officer):
    elsewhere = Client()
    elsewhere.force_login(officer)
    assert elsewhere.get(reverse("home")).status_code == 200
    _ask(Client(), ADDRESS)
    _set_password(Client(), _link(officer))
    page = elsewhere.get(reverse("home"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in elsewhere.session


def test_an_english_speaker_gets_the_message_in_english(officer):
    officer.language = "en"
    officer.save()
    _ask(Client(), ADDRESS)
    message = _reset_messages().get()
    assert message.subject == (
        "Choose a new password for the election communications application"
    )


def test_department_staff_without_their_second_factor_may_reset(world, settings):
    settings.SECOND_FACTOR_FOR_DEPARTMENT = True
    client = Client()
    client.force_login(world.staff)
    assert client.get(reverse("password_reset")).status_code == 200


@pytest.mark.parametrize(
    "typed", ["không phải địa chỉ", "lan\x00@thanhhoa.gov.vn", "x" * 250 + "@b.vn", ""]
)
def test_what_is_not_an_address_is_refused_and_writes_nothing(db, typed):
    page = _ask(Client(), typed)
    assert page.status_code == 200
    assert 'class="invalid-feedback' in page.content.decode()
    assert not MembershipEvent.objects.exists()


def test_a_closed_election_does_not_stop_a_password_reset(officer, world):
    """Even for someone still signed in: it changes no election's data."""
    election = world.directive.election
    election.closed_at = NOW
    election.save()
    client = Client()
    client.force_login(world.district_b_officer)
    assert _ask(client, ADDRESS).url == reverse("password_reset_done")
    page = _set_password(client, _link(officer))
    assert page.url == reverse("password_reset_complete")
