"""The second factor: Department staff and admin-site users give a code from
an authenticator app (TOTP) after their password; until they do, every
page sends them to the second-factor page and nothing can be changed."""

import datetime
import re
from base64 import b32decode
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.services.second_factor import second_factor_reset
from tests.factories import VN, UserFactory

PASSWORD = "Mật-khẩu-đúng-2021"
NOW = datetime.datetime(2021, 5, 20, 9, 0, tzinfo=VN)
SECOND_FACTOR = reverse("second_factor")

pytestmark = pytest.mark.usefixtures("second_factor_on")


@pytest.fixture
def second_factor_on():
    with override_settings(SECOND_FACTOR_FOR_DEPARTMENT=True):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _log_in(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    page = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert page.status_code == 302
    return client


def _code(key: bytes) -> str:
    totp = TOTP(key)
    return f"{totp.token():06d}"


def _key_shown(page) -> bytes:
    """The key as the enrolment page shows it to type by hand."""
    text = page.content.decode()
    found = re.search(r'id="second-factor-key">([A-Z2-7 ]+)<', text)
    assert found is not None
    groups = found.group(1)
    secret = groups.replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def _enrol(client) -> bytes:
    page = client.get(SECOND_FACTOR)
    key = _key_shown(page)
    assert client.post(SECOND_FACTOR, {"code": _code(key)}).status_code == 302
    return key


def test_staff_after_the_password_reach_only_the_second_factor_page(world, clock):
    client = _log_in(world.staff)
    page = client.get(reverse("readiness:dashboard"))
    assert page.status_code == 302
    assert page["Location"] == SECOND_FACTOR + "?next=%2Fdashboard%2F"
    # A change posted with the password alone is refused and saves nothing.
    page = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Mật-khẩu-mới-2026",
            "new_password2": "Mật-khẩu-mới-2026",
        },
    )
    assert page["Location"] == SECOND_FACTOR
    world.staff.refresh_from_db()
    assert world.staff.check_password(PASSWORD)


def test_enrolment_shows_the_key_as_a_qr_code_and_text_and_a_code_confirms_it(
    world, clock
):
    client = _log_in(world.staff)
    page = client.get(SECOND_FACTOR + "?next=/dashboard/")
    text = page.content.decode()
    assert "quét mã này" in text
    found = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', text)
    assert found is not None
    qr = found.group(1)
    assert "<path" in unquote(qr)
    key = _key_shown(page)
    device = TOTPDevice.objects.get(user=world.staff)
    assert device.bin_key == key and not device.confirmed
    # A reload shows the same key: one already scanned stays good.
    assert _key_shown(client.get(SECOND_FACTOR)) == key

    done = client.post(SECOND_FACTOR, {"code": _code(key), "next": "/dashboard/"})
    assert done["Location"] == "/dashboard/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("readiness:dashboard")).status_code == 200


def test_at_the_next_login_the_code_is_asked_and_a_wrong_one_is_refused(world, clock):
    key = _enrol(_log_in(world.staff))
    client = _log_in(world.staff)
    page = client.get(SECOND_FACTOR)
    assert 'id="second-factor-key"' not in page.content.decode()  # no key again

    wrong = client.post(SECOND_FACTOR, {"code": "000000"})
    assert wrong.status_code == 200
    assert "Mã này không đúng" in wrong.content.decode()
    # Straight after a wrong code, even the right one must wait (1, 2, 4 … s).
    hurried = client.post(SECOND_FACTOR, {"code": _code(key)})
    assert "Sai mã quá nhiều lần" in hurried.content.decode()
    assert client.get(reverse("readiness:dashboard")).status_code == 302

    clock.shift(datetime.timedelta(seconds=31))  # a new code, past the wait
    assert client.post(SECOND_FACTOR, {"code": _code(key)}).status_code == 302
    assert client.get(reverse("readiness:dashboard")).status_code == 200


def test_a_code_once_used_is_not_accepted_again(world, clock):
    key = _enrol(_log_in(world.staff))
    client = _log_in(world.staff)
    replay = client.post(SECOND_FACTOR, {"code": _code(key)})
    assert replay.status_code == 200
    assert "Mã này không đúng" in replay.content.decode()


def test_districts_carriers_and_observers_are_not_asked(world, clock):
    for user in (
        world.district_a_officer,
        world.telecom_officer,
        world.postal_officer,
        world.observer,
    ):
        client = _log_in(user)
        assert client.get(reverse("home")).status_code == 200, user
        assert client.get(SECOND_FACTOR)["Location"] == "/"


def test_admin_site_users_outside_the_department_are_asked_too(db, clock):
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = _log_in(admin)
    page = client.get("/admin/")
    assert page["Location"].startswith(SECOND_FACTOR)
    _enrol(client)
    assert client.get("/admin/").status_code == 200


def test_a_lost_phone_is_reset_by_staff_and_the_next_login_enrols_anew(world, clock):
    old = _enrol(_log_in(world.staff))
    assert second_factor_reset(user=world.staff) == 1
    client = _log_in(world.staff)
    page = client.get(SECOND_FACTOR)
    assert _key_shown(page) != old


def test_the_page_returns_only_to_this_site(world, clock):
    client = _log_in(world.staff)
    key = _key_shown(client.get(SECOND_FACTOR))
    page = client.post(
        SECOND_FACTOR, {"code": _code(key), "next": "https://elsewhere.example/"}
    )
    assert page["Location"] == "/"


@override_settings(SECOND_FACTOR_FOR_DEPARTMENT=False)
def test_with_the_setting_off_the_password_is_enough(world, clock):
    client = _log_in(world.staff)
    assert client.get(reverse("readiness:dashboard")).status_code == 200
