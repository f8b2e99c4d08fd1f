"""API tokens: made by staff or an organisation's editors on the web page,
shown once, kept only as a hash, listed with their last use, revoked."""

import datetime
import hashlib

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from contacts.models import ApiToken, MembershipRole
from contacts.services.api_tokens import api_token_authenticate, api_token_create
from tests.api import token_client
from tests.factories import VN, MembershipFactory

PAGE = reverse("contacts:api_tokens")
OBLIGATIONS = "/api/v1/obligations/"


def _make(client, organisation, name="NOC Viễn thông"):
    return client.post(PAGE, {"organisation": organisation.pk, "name": name})


def test_a_carrier_editor_makes_a_token_and_sees_the_secret_once(client, world):
    client.force_login(world.telecom_officer)
    made = _make(client, world.telecom)
    assert made["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    token = ApiToken.objects.get()
    secret = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert secret.startswith(f"ttll_{token.prefix}_")
    assert "không hiển thị lại" in page
    # Kept as a hash only; the page never shows it again.
    assert secret not in str(ApiToken.objects.values().get())
    assert (
        token.secret_hash
        == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    )
    again = client.get(PAGE).content.decode()
    assert secret not in again and f"ttll_{token.prefix}…" in again
    assert api_token_authenticate(raw=secret) == token


def test_a_district_editor_makes_tokens_for_its_own_organisation_only(client, world):
    client.force_login(world.district_a_officer)
    refused = _make(client, world.district_b)  # an id typed into the request
    assert refused.status_code == 200  # the form again, saying why
    assert "Trang này đã cũ" in refused.content.decode()
    assert not ApiToken.objects.exists()
    assert _make(client, world.district_a).status_code == 302
    assert ApiToken.objects.get().organisation == world.district_a


def test_department_editors_make_tokens_for_any_district_or_carrier(client, world):
    client.force_login(world.staff)
    assert _make(client, world.postal).status_code == 302
    assert _make(client, world.department).status_code == 200  # not for itself
    assert list(ApiToken.objects.values_list("organisation", flat=True)) == [
        world.postal.pk
    ]


@pytest.mark.parametrize("who", ["observer", "staff_viewer", "carrier_viewer"])
def test_readers_have_no_token_page(client, world, who):
    users = {
        "observer": world.observer,
        "staff_viewer": world.staff_viewer,
        "carrier_viewer": MembershipFactory(
            organisation=world.telecom, role=MembershipRole.VIEWER
        ).user,
    }
    client.force_login(users[who])
    assert client.get(PAGE).status_code == 403
    assert _make(client, world.telecom).status_code == 403
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once_and_is_kept(client, world):
    token, secret = api_token_create(
        organisation=world.telecom, name="NOC", by=world.telecom_officer
    )
    client.force_login(world.telecom_officer)
    page = client.post(reverse("contacts:api_token_revoke", args=[token.pk]))
    assert page.status_code == 302
    assert api_token_authenticate(raw=secret) is None
    token.refresh_from_db()
    assert token.revoked_by == world.telecom_officer
    assert not token.user.is_active
    assert "thu hồi" in client.get(PAGE).content.decode()


def test_another_organisation_cannot_see_or_revoke_a_token(client, world):
    token, secret = api_token_create(
        organisation=world.telecom, name="Hệ thống VT-42", by=world.telecom_officer
    )
    client.force_login(world.postal_officer)
    assert "VT-42" not in client.get(PAGE).content.decode()
    page = client.post(reverse("contacts:api_token_revoke", args=[token.pk]))
    assert page.status_code == 404
    assert api_token_authenticate(raw=secret) == token


def test_a_wrong_secret_with_a_real_prefix_is_refused(world):
    token, secret = api_token_create(
        organisation=world.telecom, name="NOC", by=world.telecom_officer
    )
    # The secret is random: change its last character to one it is not.
    altered = secret[:-1] + ("x" if secret[-1] != "x" else "y")
    assert api_token_authenticate(raw=altered) is None
    assert api_token_authenticate(raw=f"ttll_{token.prefix}_") is None
    assert api_token_authenticate(raw="Bearer") is None


@override_settings(API_RATE_LIMIT="3/minute")
def test_each_token_has_its_own_rate_and_is_told_when_to_come_back(world):
    noc = token_client(organisation=world.telecom, by=world.telecom_officer)
    other = token_client(organisation=world.postal, by=world.postal_officer)
    for _ in range(3):
        assert noc.get(OBLIGATIONS).status_code == 200
    refused = noc.get(OBLIGATIONS)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled" and error["retry_after"] >= 1
    assert "giới hạn" in error["message"]  # the token's maker reads Vietnamese
    assert int(refused["Retry-After"]) >= 1
    assert other.get(OBLIGATIONS).status_code == 200  # its own count


def test_a_signed_in_browser_cannot_use_the_api(client, world):
    """Only a token opens the API: a page's session cookie does not, so no
    other site can make a user's browser call it (no CSRF to defend)."""
    client.force_login(world.staff)
    page = client.get(OBLIGATIONS)
    assert page.status_code == 401
    assert page.json()["error"]["code"] == "not_authenticated"


def test_a_token_used_is_shown_with_its_last_use(client, world):
    noc = token_client(organisation=world.telecom, by=world.telecom_officer)
    with time_machine.travel(datetime.datetime(2021, 5, 23, 9, 30, tzinfo=VN)):
        assert noc.get(OBLIGATIONS).status_code == 200
    client.force_login(world.telecom_officer)
    assert "09:30 23/05/2021" in client.get(PAGE).content.decode()
