"""The SMS gateway's webhook (/sms/incoming/): a person's reply "OK <code>"
confirms them, as the simulated reply does; only with the shared secret,
and not at all while none is set."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from incidents.models import RollCallEntry
from tests.incidents.test_roll_calls import district_list, entries, start

pytestmark = pytest.mark.django_db

URL = "/sms/incoming/"
SECRET = "bi-mat-cua-nha-mang-0123456789"


@pytest.fixture
def gateway(settings):
    """A gateway's client: no session, CSRF checked as for any browser."""
    settings.SMS_INCOMING_TOKEN = SECRET
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {SECRET}")


@pytest.fixture
def asked(world):
    """Bình, asked by a roll-call of the contacts."""
    district_list(world, world.district_a, [("Bình", ("+84912000002",))], accept=True)
    return entries(start(world))["+84912000002"]


def confirmed() -> list[tuple[str, str]]:
    return list(
        RollCallEntry.objects.filter(confirmed_at__isnull=False).values_list(
            "phone", "confirmed_via"
        )
    )


def test_the_url_is_the_one_gateways_are_given():
    assert reverse("sms:incoming") == URL


def test_a_reply_with_the_code_confirms_by_sms(gateway, asked):
    r = gateway.post(URL, {"phone": "0912 000 002", "text": f"ok {asked.reply_code}"})
    assert (r.status_code, r.json()) == (200, {"outcome": "confirmed"})
    assert confirmed() == [("+84912000002", "reply")]
    again = gateway.post(
        URL, {"phone": "+84912000002", "text": f"OK {asked.reply_code}"}
    )
    assert again.json() == {"outcome": "already_confirmed"}


def test_json_bodies_are_read_too(gateway, asked):
    r = gateway.post(
        URL,
        json.dumps({"phone": "84912000002", "text": f"OK{asked.reply_code}"}),
        content_type="application/json",
    )
    assert (r.status_code, r.json()) == (200, {"outcome": "confirmed"})


def test_other_texts_and_phones_change_nothing(gateway, asked):
    for phone, text, outcome in (
        ("0912000002", "Vâng, tôi nhận được", "not_understood"),
        ("0987654321", f"OK {asked.reply_code}", "unknown"),
        ("0912000002", "OK " + "1" * 9, "unknown"),
        ("0912000002", "x" * 1600, "not_understood"),
    ):
        r = gateway.post(URL, {"phone": phone, "text": text})
        assert (r.status_code, r.json()) == (200, {"outcome": outcome}), text[:20]
    assert confirmed() == []


def test_missing_fields_are_a_400_naming_them(gateway, asked):
    r = gateway.post(URL, {"text": f"OK {asked.reply_code}"})
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["phone"]
    broken = gateway.post(URL, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert confirmed() == []


@pytest.mark.parametrize("authorization", ["", "Bearer sai-bi-mat", SECRET[:-1]])
def test_without_the_secret_nothing_is_confirmed(settings, asked, authorization):
    settings.SMS_INCOMING_TOKEN = SECRET
    client = Client(HTTP_AUTHORIZATION=authorization)
    r = client.post(URL, {"phone": "0912000002", "text": f"OK {asked.reply_code}"})
    assert r.status_code == 403
    assert confirmed() == []


def test_while_no_secret_is_set_there_is_no_webhook(settings, asked):
    settings.SMS_INCOMING_TOKEN = ""
    client = Client(HTTP_AUTHORIZATION="Bearer ")
    r = client.post(URL, {"phone": "0912000002", "text": f"OK {asked.reply_code}"})
    assert r.status_code == 404
    assert confirmed() == []


def test_only_post(gateway):
    assert gateway.get(URL).status_code == 405
