"""Logins: repeated wrong passwords lock a username out from one address
for a while (django-axes), every login and failed login is kept, and a
session ends after an hour without a request."""

import datetime

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from tests.factories import VN

PASSWORD = "Mật-khẩu-đúng-2021"
NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)


@pytest.fixture
def officer(world):
    user = world.district_a_officer
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, username: str, password: str, address="10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_username_out_from_that_address(officer):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            page = _login(client, officer.username, "sai")
            assert page.status_code == 200
            assert "mật khẩu chính xác" in page.content.decode()
        refused = _login(client, officer.username, "sai")
        assert refused.status_code == 429
        # Even the right password is refused now, with the reason in Vietnamese.
        locked = _login(client, officer.username, PASSWORD)
        assert locked.status_code == 429
        text = locked.content.decode()
        assert "Đăng nhập sai quá nhiều lần" in text and "15 phút" in text
        assert "_auth_user_id" not in client.session
        # Another address is not locked out (the lock is username and address).
        assert (
            _login(Client(), officer.username, PASSWORD, "10.0.0.2").status_code == 302
        )


def test_the_lock_lifts_after_the_cool_off(officer):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            _login(Client(), officer.username, "sai")
        assert _login(Client(), officer.username, PASSWORD).status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False):
        assert _login(Client(), officer.username, PASSWORD).status_code == 302


def test_a_success_resets_the_count(officer):
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            _login(Client(), officer.username, "sai")
        assert _login(Client(), officer.username, PASSWORD).status_code == 302
        for _ in range(4):
            _login(Client(), officer.username, "sai")
        assert _login(Client(), officer.username, PASSWORD).status_code == 302


def test_every_login_and_failed_login_is_kept(officer):
    _login(Client(), officer.username, "sai", "10.0.0.7")
    _login(Client(), "nobody", "sai", "10.0.0.8")
    assert _login(Client(), officer.username, PASSWORD, "10.0.0.9").status_code == 302
    failures = set(AccessFailureLog.objects.values_list("username", "ip_address"))
    assert failures == {(officer.username, "10.0.0.7"), ("nobody", "10.0.0.8")}
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [
        (officer.username, "10.0.0.9")
    ]


def test_the_address_is_the_connection_s_unless_a_proxy_is_declared(officer):
    """Without PROXY_COUNT a client's own X-Forwarded-For is ignored: it
    cannot move to a fresh address after each lockout."""
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            client.post(
                reverse("login"),
                {"username": officer.username, "password": "sai"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            )
        assert _login(client, officer.username, PASSWORD).status_code == 429


def test_a_session_ends_after_an_hour_without_a_request(officer):
    client = Client()
    with time_machine.travel(NOW, tick=False):
        assert _login(client, officer.username, PASSWORD).status_code == 302
    # Used at 50 minutes: the hour starts again from there.
    with time_machine.travel(NOW + datetime.timedelta(minutes=50), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(NOW + datetime.timedelta(minutes=105), tick=False):
        assert client.get(reverse("home")).status_code == 200
    # Then nothing for more than an hour.
    with time_machine.travel(NOW + datetime.timedelta(minutes=175), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_username_too_long_to_be_one_is_refused_with_a_message(db):
    """It used to reach django-axes' record of failed logins (255
    characters) and fail there on PostgreSQL (found by make sqlmap)."""
    page = _login(Client(), "x" * 300, "sai")
    assert page.status_code == 200
    assert "150" in page.content.decode()  # at most 150 characters
    assert not AccessFailureLog.objects.exists()
