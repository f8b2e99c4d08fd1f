"""Error pages (404, 403, 400, 500) are the app's own: in the user's
language (Vietnamese unless English was chosen), with a way back home,
never Django's bare English fallbacks."""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.services.contact_lists import contact_list_get_or_create
from incidents.models import RollCall
from tests.readiness.conftest import english

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_vietnamese_page_with_the_menu(client, world):
    client.force_login(world.district_a_officer)
    response = client.get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in page
    assert "Không tìm thấy trang" in page
    assert 'id="main-nav"' in page  # the menu, to go on from here
    assert f'href="{reverse("home")}"' in page


def test_another_districts_list_is_the_same_page_in_english_when_chosen(client, world):
    other = contact_list_get_or_create(
        election=world.directive.election, organisation=world.district_b
    )
    english(client).force_login(world.district_a_officer)
    response = client.get(reverse("contacts:contact_list_detail", args=[other.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in page
    assert "Page not found" in page and "not yours to see" in page


def test_an_action_the_role_may_not_take_is_a_vietnamese_403_page(client, world):
    client.force_login(world.staff_viewer)
    response = client.get(reverse("roll_calls:start"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Không được phép" in page
    assert "Không có gì được lưu" in page


def test_a_request_too_large_to_read_is_a_400_page_and_saves_nothing(client, world):
    client.force_login(world.staff)
    fields = {f"field{n}": "x" for n in range(1001)}  # over Django's 1,000
    fields |= {"audience": "contacts", "remind_after_hours": "6"}
    response = client.post(reverse("roll_calls:start"), fields)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Không đọc được yêu cầu" in page
    assert not RollCall.objects.exists()


def test_a_server_error_is_a_page_in_the_users_language(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("readiness.views.home.recipient_todo", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.district_a_officer)
    vietnamese = client.get(reverse("home"))
    english(client)
    in_english = client.get(reverse("home"))
    assert vietnamese.status_code == in_english.status_code == 500
    assert "Hệ thống gặp lỗi phía máy chủ." in vietnamese.content.decode()
    assert "Something went wrong on our side." in in_english.content.decode()
    assert "the database went away" not in vietnamese.content.decode()
