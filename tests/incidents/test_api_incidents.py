"""/api/v1/incidents/ by token: each organisation sees and changes what its
members see and change on the incident pages; a report is made once per
client key; errors come in one JSON shape, in the token owner's language.

Tokens are made for districts and carriers only (contacts.permissions.
API_TOKEN_KINDS): the Department and observers have none to test."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.models import Channel, OutboundMessage
from contacts.services.api_tokens import api_token_revoke
from incidents.models import Incident, IncidentStatus, IncidentUpdate
from incidents.services import incident_acknowledge, incident_close
from incidents.services import incidents as incident_services
from tests.api import token_client
from tests.incidents.helpers import fresh, many_incidents, report

LIST = reverse("api:incidents:list")
MINUTE = datetime.timedelta(minutes=1)


def detail(incident) -> str:
    return reverse("api:incidents:detail", args=[incident.pk])


def timeline(incident) -> str:
    return reverse("api:incidents:timeline", args=[incident.pk])


# Whose token: the organisation and the member who made it.
TOKENS = {
    "telecom": ("telecom", "telecom_officer"),  # reported `cut`
    "district_a": ("district_a", "district_a_officer"),  # `cut` is in it
    "district_b": ("district_b", "district_b_officer"),  # reported `in_b`
    "postal": ("postal", "postal_officer"),  # neither
}


@pytest.fixture
def api(world):
    def client_of(who: str, language: str | None = None):
        organisation, officer = TOKENS[who]
        by = getattr(world, officer)
        if language:
            by.language = language
            by.save()
        return token_client(organisation=getattr(world, organisation), by=by)

    return client_of


@pytest.fixture
def cut(world):
    """A critical fibre cut the telecom reported in district A."""
    return report(world)


@pytest.fixture
def in_b(world):
    """District B's own incident."""
    return report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        severity="minor",
        units=[world.district_b.unit],
        title="Mất điện UBND huyện",
    )


def a_report(world, **changes) -> dict:
    """What a carrier's system sends: a commune of district A, now."""
    now = timezone.now()
    commune = world.district_a.unit.children.order_by("code").first()
    return {
        "category": "fibre_cut",
        "severity": "major",
        "title": "Đứt cáp quang tuyến Quảng Xương",
        "units": [commune.code],
        "services": ["mobile_data"],
        "started_at": (now - 10 * MINUTE).isoformat(),
        "detected_at": (now - 5 * MINUTE).isoformat(),
    } | changes


def error(response, status: int) -> dict:
    """The error body, after checking the status and the one shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


# --- Who sees what -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_cut", "sees_b"),
    [
        ("telecom", True, False),  # its own
        ("district_a", True, False),  # affects its district
        ("district_b", False, True),  # its own only
        ("postal", False, False),
    ],
)
def test_each_token_lists_what_its_members_see(api, cut, in_b, who, sees_cut, sees_b):
    response = api(who).get(LIST)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {i.pk for i, seen in ((cut, sees_cut), (in_b, sees_b)) if seen}


@pytest.mark.parametrize(
    ("who", "status"),
    [("telecom", 200), ("district_a", 200), ("district_b", 404), ("postal", 404)],
)
def test_one_incident_is_read_by_whoever_sees_it_and_404_for_others(
    api, cut, who, status
):
    response = api(who).get(detail(cut))
    if status == 404:
        assert error(response, 404)["code"] == "not_found"
        return
    body = response.json()
    assert response.status_code == 200
    assert body["organisation"]["id"] == cut.organisation_id
    assert body["timeline"][0]["status_to"] == "reported"
    assert body["timeline"][0]["status_from"] == ""
    assert body["districts"] == [cut.districts.get().code]
    assert body["moves"] == []  # only the Department acknowledges


def test_the_list_shows_areas_by_gso_code_and_filters(api, world, cut, in_b):
    client = api("telecom")
    row = client.get(LIST).json()["results"][0]
    assert row["units"] == [u.code for u in cut.units.all()]
    assert row["services"] == ["landline", "mobile_data"]
    assert "timeline" not in row
    Incident.objects.filter(pk=cut.pk).update(status=IncidentStatus.RESOLVED)
    assert client.get(LIST, {"status": "open"}).json()["count"] == 0
    assert client.get(LIST, {"status": "resolved"}).json()["count"] == 1
    later = (timezone.now() + MINUTE).isoformat()
    assert client.get(LIST, {"since": later}).json()["count"] == 0
    assert client.get(LIST, {"severity": "minor"}).json()["count"] == 0
    bad = error(client.get(LIST, {"status": "lost"}), 400)
    assert bad["code"] == "invalid" and "status" in bad["fields"]


def test_a_missing_incident_is_404(api, cut):
    assert error(api("telecom").get(f"{LIST}{cut.pk + 1000}/"), 404)


# --- Tokens ----------------------------------------------------------------------


def test_without_a_token_nothing_is_answered(cut):
    response = APIClient().get(LIST)
    assert error(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error(APIClient().post(LIST, {}, format="json"), 401)


def test_a_revoked_token_is_refused_at_once(api, world, cut):
    client = api("telecom")
    assert client.get(detail(cut)).status_code == 200
    api_token_revoke(token=client.token, by=world.telecom_officer)
    assert error(client.get(detail(cut)), 401)["code"] == "authentication_failed"
    assert error(client.post(timeline(cut), {"text": "x"}), 401)
    assert not IncidentUpdate.objects.filter(kind="comment").exists()


def test_a_made_up_token_is_refused(cut):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer ttll_0000_nothing")
    assert error(client.get(LIST), 401)


# --- Reporting -------------------------------------------------------------------


def test_a_carrier_reports_through_the_report_service(api, world):
    client = api("telecom")
    response = client.post(LIST, a_report(world, severity="minor"))
    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert response["Location"] == detail(incident)
    body = response.json()
    assert (body["id"], body["status"]) == (incident.pk, "reported")
    assert body["districts"] == [world.district_a.unit.code]
    assert incident.organisation == world.telecom
    # The token's own user reported it: the audit trail names the token.
    assert incident.reported_by == client.token.user
    assert incident.ack_due_at is not None  # the severity's time limit
    assert incident.updates.get().status_to == IncidentStatus.REPORTED
    assert incident.history.get().history_user == client.token.user


def test_a_district_reports_its_own(api, world):
    body = api("district_b").post(
        LIST, a_report(world, units=[world.district_b.unit.code])
    )
    assert body.status_code == 201
    assert Incident.objects.get().organisation == world.district_b


def test_a_critical_report_tells_the_affected_district_as_the_report_page_does(
    api, client, world
):
    for officer in (world.district_a_officer, world.district_b_officer):
        officer.email = f"{officer.username}@example.vn"
        officer.save()
    moment = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.force_login(world.telecom_officer)
    client.post(
        reverse("incidents:report"),
        {
            "category": "fibre_cut",
            "severity": "critical",
            "title": "Đứt cáp",
            "units": [world.district_a.unit.pk],
            "started_at": moment,
            "detected_at": moment,
        },
    )
    response = api("telecom").post(LIST, a_report(world, severity="critical"))
    assert response.status_code == 201
    by_page, by_api = Incident.objects.order_by("pk")
    assert (
        _told(by_page)
        == _told(by_api)
        == [(world.district_a_officer.pk, "incident-district")]
    )


def _told(incident) -> list[tuple]:
    """Who has a notice of the incident in their inbox, and which."""
    return list(
        OutboundMessage.objects.filter(
            dedupe_key__startswith=f"incident:{incident.pk}:", channel=Channel.APP
        ).values_list("recipient", "kind")
    )


def test_the_same_client_key_reports_once(api, world):
    client = api("telecom")
    sent = a_report(world, client_key="noc-2021-05-23-0001")
    first = client.post(LIST, sent)
    again = client.post(LIST, sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert "Location" not in again
    assert Incident.objects.count() == 1
    assert IncidentUpdate.objects.count() == 1  # one "reported" entry


def test_the_same_key_of_another_organisation_is_another_incident(api, world):
    sent = a_report(world, client_key="0001")
    first = api("telecom").post(LIST, sent)
    other = api("district_a").post(LIST, sent)
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json()["id"] != other.json()["id"]
    assert set(Incident.objects.values_list("organisation", flat=True)) == {
        world.telecom.pk,
        world.district_a.pk,
    }


def test_reports_without_a_key_are_each_new(api, world):
    client = api("telecom")
    assert client.post(LIST, a_report(world)).status_code == 201
    assert client.post(LIST, a_report(world)).status_code == 201
    assert Incident.objects.count() == 2


@pytest.mark.parametrize("refused_by", ["check", "constraint"])
def test_a_key_saved_meanwhile_gives_that_incident(api, world, monkeypatch, refused_by):
    """Two requests with one key at once: the second misses the first's
    incident when it looks, and is refused by the unique constraint (or its
    check) when it saves; it answers with the first's incident."""
    client = api("telecom")
    first = client.post(LIST, a_report(world, client_key="k1")).json()
    monkeypatch.setattr(
        incident_services, "_reported_with_key", _misses_once(incident_services)
    )
    if refused_by == "constraint":
        monkeypatch.setattr(Incident, "validate_constraints", lambda *a, **k: None)
    again = client.post(LIST, a_report(world, client_key="k1"))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Incident.objects.count() == 1


def _misses_once(module):
    real, calls = module._reported_with_key, []

    def lookup(organisation, client_key):
        calls.append(client_key)
        return None if len(calls) == 1 else real(organisation, client_key)

    return lookup


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_one_key_make_one_incident(api, world):
    """PostgreSQL: the second insert waits on the first's uncommitted row,
    is refused by the unique index when it commits, and gives it back."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    client = api("telecom")
    inserted, go_on = threading.Event(), threading.Event()

    def first_request():
        try:
            with transaction.atomic():
                incident_services.incident_report(
                    election=world.directive.election,
                    organisation=world.telecom,
                    report=incident_services.IncidentReport(**_report_values(world)),
                    by=world.telecom_officer,
                    client_key="race",
                )
                inserted.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert inserted.wait(5)
    threading.Timer(0.5, go_on.set).start()  # commit while the second waits
    response = client.post(LIST, a_report(world, client_key="race"))
    thread.join()
    assert response.status_code == 200, response.content
    assert Incident.objects.filter(client_key="race").count() == 1
    assert response.json()["id"] == Incident.objects.get(client_key="race").pk


def _report_values(world) -> dict:
    now = timezone.now()
    return {
        "category": "fibre_cut",
        "severity": "minor",
        "title": "Đứt cáp",
        "description": "",
        "units": [world.district_a.unit],
        "affected_bodies": "",
        "services": [],
        "started_at": now - 10 * MINUTE,
        "detected_at": now - 5 * MINUTE,
    }


# --- Errors, in the token owner's language ---------------------------------------


@pytest.mark.parametrize(
    ("language", "detected", "required", "message"),
    [
        (
            "vi",
            "Thời điểm phát hiện không thể trước thời điểm xảy ra sự cố.",
            "Trường này là bắt buộc.",
            "Một số giá trị không hợp lệ; xem chi tiết từng trường.",
        ),
        (
            "en",
            "It cannot have been detected before it started.",
            "This field is required.",
            "Some values are not valid; see the fields.",
        ),
    ],
)
def test_errors_are_in_the_token_owners_language(
    api, world, language, detected, required, message
):
    client = api("telecom", language=language)
    now = timezone.now()
    backwards = a_report(
        world,
        started_at=now.isoformat(),
        detected_at=(now - MINUTE).isoformat(),
    )
    refused = error(client.post(LIST, backwards), 400)
    assert refused["message"] == message
    assert refused["fields"] == {"detected_at": [detected]}
    shapeless = error(client.post(LIST, {"title": "Đứt cáp"}), 400)
    assert shapeless["fields"]["category"] == [required]
    assert not Incident.objects.exists()


def test_areas_must_be_known_and_of_the_province(api, world):
    from tests.factories import DistrictFactory, ProvinceFactory

    client = api("telecom", language="en")
    unknown = error(client.post(LIST, a_report(world, units=["99999"])), 400)
    assert unknown["fields"] == {
        "units": ["No district or commune has the GSO code 99999."]
    }
    elsewhere = DistrictFactory(parent=ProvinceFactory(code="40"))
    outside = error(client.post(LIST, a_report(world, units=[elsewhere.code])), 400)
    assert list(outside["fields"]) == ["units"]
    assert not Incident.objects.exists()


def test_moments_far_off_are_refused_not_stored(api, world):
    client = api("telecom", language="en")
    sent = a_report(world, started_at="0001-01-01T00:00:00+07:00")
    refused = error(client.post(LIST, sent), 400)
    assert "started_at" in refused["fields"]


# --- Moving an incident ----------------------------------------------------------


def resolve(**changes) -> dict:
    return {
        "status": "resolved",
        "note": "Đã hàn nối",
        "resolved_at": timezone.now().isoformat(),
    } | changes


def test_the_reporting_carrier_resolves_and_reopens(api, world, cut):
    incident_acknowledge(incident=cut, by=world.staff)
    client = api("telecom")
    assert client.get(detail(cut)).json()["moves"] == ["resolved"]
    response = client.patch(detail(cut), resolve())
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["resolution_note"]) == ("resolved", "Đã hàn nối")
    assert body["timeline"][-1]["status_to"] == "resolved"
    assert body["moves"] == ["acknowledged"]
    reopened = client.patch(detail(cut), {"status": "acknowledged", "note": "Lại mất"})
    assert reopened.json()["status"] == "acknowledged"
    assert fresh(cut).resolved_at is None


def test_resolving_needs_a_note_and_nothing_changes_without(api, world, cut):
    incident_acknowledge(incident=cut, by=world.staff)
    client = api("telecom", language="en")
    refused = error(client.patch(detail(cut), resolve(note="")), 400)
    assert refused["fields"] == {
        "non_field_errors": ["Say when it was resolved and how."]
    }
    assert fresh(cut).status == IncidentStatus.ACKNOWLEDGED


def test_a_move_the_life_cycle_lacks_is_refused(api, cut):
    client = api("telecom", language="en")
    refused = error(client.patch(detail(cut), resolve()), 400)  # not acknowledged
    assert refused["fields"] == {
        "non_field_errors": ["An incident that is reported cannot be resolved."]
    }
    assert fresh(cut).status == IncidentStatus.REPORTED


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("district_a", resolve(), 403),  # sees it, does not move it
        ("telecom", {"status": "closed"}, 403),  # the Department closes
        ("district_b", resolve(), 404),
        ("postal", resolve(), 404),
    ],
)
def test_others_do_not_move_the_carriers_incident(api, world, cut, who, body, status):
    incident_acknowledge(incident=cut, by=world.staff)
    client = api(who)
    if body["status"] == "closed":  # resolved first, by its reporter
        client.patch(detail(cut), resolve())
    before = fresh(cut).status
    assert error(client.patch(detail(cut), body), status)
    assert fresh(cut).status == before


def test_a_closed_incident_is_reopened_by_the_department_only(api, world, cut):
    incident_acknowledge(incident=cut, by=world.staff)
    client = api("telecom")
    client.patch(detail(cut), resolve())
    incident_close(incident=fresh(cut), by=world.staff)
    assert error(client.patch(detail(cut), {"status": "acknowledged"}), 403)
    assert fresh(cut).status == IncidentStatus.CLOSED


# --- The timeline ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("telecom", 201), ("district_a", 201), ("district_b", 404), ("postal", 404)],
)
def test_whoever_sees_the_incident_adds_to_its_timeline(api, world, cut, who, status):
    client = api(who)
    response = client.post(timeline(cut), {"text": "Xã Đông Hải vẫn mất sóng"})
    comments = IncidentUpdate.objects.filter(kind="comment")
    if status == 404:
        assert error(response, 404)
        assert not comments.exists()
        return
    assert response.status_code == 201
    entry = comments.get()
    assert response.json() == {
        "id": entry.pk,
        "kind": "comment",
        "text": "Xã Đông Hải vẫn mất sóng",
        "author": client.token.user.full_name,
        "organisation": getattr(world, TOKENS[who][0]).name,
        "status_from": "",
        "status_to": "",
        "step": 0,
        "file_name": "",
        "created_at": response.json()["created_at"],
    }
    assert entry.author == client.token.user
    assert fresh(cut).status == IncidentStatus.REPORTED  # a comment moves nothing


def test_an_empty_update_is_refused(api, cut):
    refused = error(api("telecom").post(timeline(cut), {"text": "   "}), 400)
    assert list(refused["fields"]) == ["text"]
    assert not IncidentUpdate.objects.filter(kind="comment").exists()


def test_an_update_tells_whom_the_timeline_form_tells(api, client, world, cut):
    """The timeline form's update writes a timeline entry and tells nobody
    (the board shows it); the API's does the same, no more, no less."""
    for user in (world.district_a_officer, world.staff, world.telecom_officer):
        user.email = f"{user.username}@example.vn"
        user.save()
    messages = OutboundMessage.objects
    at_start = messages.count()
    client.force_login(world.district_a_officer)
    client.post(reverse("incidents:update", args=[cut.pk]), {"text": "Từ trang"})
    by_page = messages.count() - at_start
    api("district_a").post(timeline(cut), {"text": "Từ API"})
    by_api = messages.count() - at_start - by_page
    assert by_api == by_page
    texts = IncidentUpdate.objects.filter(kind="comment").values_list("text", flat=True)
    assert sorted(texts) == ["Từ API", "Từ trang"]


# --- Cost ------------------------------------------------------------------------


def test_the_list_makes_the_same_queries_for_10_and_300_incidents(
    api, world, django_assert_num_queries
):
    client = api("telecom")
    many_incidents(world, 10)
    client.get(LIST)  # the token's first use writes its last_used_at
    # The token, the districts it serves, the election, the count, the page,
    # its districts and its areas; the request's savepoint and its release
    # (ATOMIC_REQUESTS).
    with django_assert_num_queries(9):
        assert client.get(LIST).json()["count"] == 10
    many_incidents(world, 290)
    with django_assert_num_queries(9):
        response = client.get(LIST, {"page_size": 300})
    assert len(response.json()["results"]) == 300
