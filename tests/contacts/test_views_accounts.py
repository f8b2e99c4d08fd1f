from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse


def test_login_with_the_right_password_lands_on_home(client, world):
    r = client.post(
        reverse("login"), {"username": "district-a", "password": "test-password"}
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("home")


def test_a_wrong_password_is_refused_in_vietnamese(client, world):
    r = client.post(reverse("login"), {"username": "district-a", "password": "wrong"})
    assert r.status_code == 200
    assert "mật khẩu" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, world):
    client.force_login(world.telecom_officer)
    r = client.post(reverse("logout"))
    assert r.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def _change_password(client, user, new: str, again: str | None = None):
    """The postal officer's password change form, sent with the old password."""
    client.force_login(user)
    return client.post(
        reverse("password_change"),
        {
            "old_password": "test-password",
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


def test_a_user_changes_their_password(client, world):
    r = _change_password(client, world.postal_officer, "ha-noi-mua-thu-2021")
    assert r.status_code == 302
    user = get_user_model().objects.get(pk=world.postal_officer.pk)
    assert user.check_password("ha-noi-mua-thu-2021") is True


def test_a_mismatched_new_password_keeps_the_old_one(client, world):
    r = _change_password(client, world.postal_officer, "abc-def-123456", "other")
    assert r.status_code == 200
    world.postal_officer.refresh_from_db()
    assert world.postal_officer.check_password("test-password") is True


def test_a_weak_new_password_is_refused_by_the_validators(client, world):
    r = _change_password(client, world.postal_officer, "12345678")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Mật khẩu này quá phổ biến" in page or "quá thông dụng" in page
    world.postal_officer.refresh_from_db()
    assert world.postal_officer.check_password("test-password") is True


def test_a_form_sent_without_its_csrf_token_gets_a_page_in_vietnamese(world):
    client = Client(enforce_csrf_checks=True)
    r = _change_password(client, world.postal_officer, "ha-noi-mua-thu-2021")
    assert r.status_code == 403
    assert "Không gửi được biểu mẫu" in r.content.decode()
    world.postal_officer.refresh_from_db()
    assert world.postal_officer.check_password("test-password") is True
