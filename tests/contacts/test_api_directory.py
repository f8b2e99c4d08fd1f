"""GET /api/v1/directory/: the accepted contact directory for a carrier's
operations centre, with the web directory's scope, filters, `changed_since`
for sync, pages and errors in the error shape."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from contacts.api.directory import BAD_CODE, BAD_DATETIME, BAD_PAGE
from contacts.models import (
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    Organisation,
    OrganisationKind,
)
from contacts.services.api_tokens import api_token_revoke
from contacts.services.contact_lists import contact_list_accept, contact_list_submit
from tests.api import token_client
from tests.contacts.conftest import make_bodies
from tests.factories import VN, MembershipFactory, OrganisationFactory

URL = reverse("api:directory")
ACCEPTED_AT = datetime.datetime(2021, 4, 10, 9, 30, tzinfo=VN)
LATER = datetime.datetime(2021, 4, 20, 15, 0, tzinfo=VN)

A_COMMITTEE = "Ủy ban bầu cử thành phố Alpha"
A_TEAM_1 = "Tổ bầu cử số 1 Alpha"
A_TEAM_2 = "Tổ bầu cử số 2 Alpha"
A_NEW_TEAM = "Tổ bầu cử số 3 Alpha mới"
B_TEAM = "Tổ bầu cử số 7 Bravo"
A_DRAFT = "Tổ nháp Alpha"
B_SUBMITTED = "Tổ chờ duyệt Bravo"


def draft_body(contact_list, unit, name, *, kind=BodyKind.TEAM, people=()):
    body = ElectionBody.objects.create(
        contact_list=contact_list,
        kind=kind,
        level=unit.level,
        unit=unit,
        name=name,
        location=f"Nhà văn hóa {name}",
    )
    for full_name, phones in people:
        Contact.objects.create(
            body=body,
            full_name=full_name,
            position=ContactPosition.CHAIR,
            phones=phones,
            email="to@example.vn",
        )
    return body


def submit_and_accept(contact_list, world, at) -> ContactListVersion:
    """The district submits its draft the day before; staff accept it at `at`
    (the real services, as the web pages call them)."""
    version = contact_list_submit(
        contact_list=contact_list,
        by=world.district_a_officer,
        now=at - datetime.timedelta(days=1),
    )
    return contact_list_accept(version=version, by=world.staff, reason="Thử", now=at)


@dataclass
class Directory:
    list_a: ContactList
    list_b: ContactList
    version_a: ContactListVersion
    version_b: ContactListVersion
    commune_a1: object
    commune_a2: object
    commune_b1: object


@pytest.fixture
def directory(world) -> Directory:
    """District A: an accepted list of a district-level committee and two
    teams, and a later draft body. District B: an accepted list of one team
    and a second version awaiting review."""
    election = world.directive.election
    a1, a2 = world.district_a.unit.children.order_by("code")
    b1 = world.district_b.unit.children.order_by("code").first()
    list_a = ContactList.objects.create(
        election=election, organisation=world.district_a
    )
    list_b = ContactList.objects.create(
        election=election, organisation=world.district_b
    )
    draft_body(
        list_a,
        world.district_a.unit,
        A_COMMITTEE,
        kind=BodyKind.COMMITTEE,
        people=[("Trần Văn Chủ", "+842373718258")],
    )
    draft_body(
        list_a, a1, A_TEAM_1, people=[("Lê Thị Tổ", "+84912345678 +842373718258")]
    )
    draft_body(list_a, a2, A_TEAM_2, people=[("Phạm Văn Hai", "+84987000111")])
    draft_body(list_b, b1, B_TEAM, people=[("Bùi Bravo", "+84903111222")])
    version_a = submit_and_accept(list_a, world, ACCEPTED_AT)
    version_b = submit_and_accept(list_b, world, ACCEPTED_AT)
    draft_body(list_a, a1, A_DRAFT, people=[("Nháp", "+84912000000")])
    draft_body(list_b, b1, B_SUBMITTED, people=[("Chờ", "+84912000001")])
    contact_list_submit(contact_list=list_b, by=world.district_b_officer, now=LATER)
    return Directory(list_a, list_b, version_a, version_b, a1, a2, b1)


def carrier_serving(*units) -> Organisation:
    carrier = OrganisationFactory(kind=OrganisationKind.TELECOM)
    carrier.served_units.set(units)
    MembershipFactory(organisation=carrier)
    return carrier


def client_of(world, organisation, *, language="vi"):
    by = organisation.memberships.first().user
    by.language = language
    by.save(update_fields=["language"])
    return token_client(organisation=organisation, by=by)


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


# --- Who reads what ---------------------------------------------------------------


def test_a_carrier_reads_the_districts_it_serves_and_nothing_else(world, directory):
    r = client_of(world, world.telecom).get(URL)
    assert r.status_code == 200
    assert sorted(names(r)) == sorted([A_COMMITTEE, A_TEAM_1, A_TEAM_2])
    assert {i["district"]["code"] for i in r.json()["results"]} == {
        world.district_a.unit.code
    }
    assert [v["id"] for v in r.json()["versions"]] == [directory.version_a.pk]


def test_a_carrier_serving_another_district_sees_nothing_of_it(world, directory):
    client = client_of(world, carrier_serving(world.district_b.unit))
    r = client.get(URL)
    assert names(r) == [B_TEAM]
    assert [v["id"] for v in r.json()["versions"]] == [directory.version_b.pk]
    r = client.get(URL, {"district": world.district_a.unit.code})
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"
    r = client.get(URL, {"commune": directory.commune_a1.code})
    assert r.status_code == 404


def test_a_carrier_serving_no_district_reads_an_empty_directory(world, directory):
    r = client_of(world, world.postal).get(URL)
    assert r.status_code == 200
    assert r.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "versions": [],
        "results": [],
    }


def test_a_district_reads_its_own_list_and_not_anothers(world, directory):
    client = client_of(world, world.district_a)
    r = client.get(URL)
    assert sorted(names(r)) == sorted([A_COMMITTEE, A_TEAM_1, A_TEAM_2])
    assert client.get(URL, {"district": world.district_b.unit.code}).status_code == 404


def test_drafts_and_versions_awaiting_review_are_never_listed(world, directory):
    both = carrier_serving(world.district_a.unit, world.district_b.unit)
    listed = names(client_of(world, both).get(URL))
    assert B_TEAM in listed
    assert A_DRAFT not in listed
    assert B_SUBMITTED not in listed


def test_a_newly_accepted_version_replaces_the_previous_one(world, directory):
    v2 = submit_and_accept(directory.list_a, world, LATER)
    r = client_of(world, world.telecom).get(URL)
    assert sorted(names(r)) == sorted([A_COMMITTEE, A_DRAFT, A_TEAM_1, A_TEAM_2])
    assert {i["version"] for i in r.json()["results"]} == {v2.pk}
    [version] = r.json()["versions"]
    assert version["replaces_version"] == directory.version_a.pk
    assert version["number"] == 2


# --- What an item says ------------------------------------------------------------


def test_an_item_carries_its_district_commune_and_people(world, directory):
    r = client_of(world, world.telecom).get(URL, {"commune": directory.commune_a1.code})
    [item] = r.json()["results"]
    body = ElectionBody.objects.get(version=directory.version_a, name=A_TEAM_1)
    assert item == {
        "id": body.pk,
        "uid": str(body.uid),
        "list": directory.list_a.pk,
        "version": directory.version_a.pk,
        "accepted_at": "2021-04-10T09:30:00+07:00",
        "district": {
            "code": world.district_a.unit.code,
            "name": world.district_a.unit.name,
        },
        "commune": {
            "code": directory.commune_a1.code,
            "name": directory.commune_a1.name,
        },
        "kind": "team",
        "kind_label": "Tổ bầu cử",
        "name": A_TEAM_1,
        "polling_areas": "",
        "address": f"Nhà văn hóa {A_TEAM_1}",
        "contacts": [
            {
                "uid": str(body.contacts.get().uid),
                "name": "Lê Thị Tổ",
                "position": "chair",
                "position_label": "Chủ tịch / Trưởng ban / Tổ trưởng",
                "phones": [
                    {"number": "+84912345678", "type": "mobile"},
                    {"number": "+842373718258", "type": "fixed_line"},
                ],
                "email": "to@example.vn",
                "note": "",
            }
        ],
    }


def test_a_district_level_body_has_no_commune(world, directory):
    r = client_of(world, world.telecom).get(URL)
    committee = next(i for i in r.json()["results"] if i["name"] == A_COMMITTEE)
    assert committee["commune"] is None
    assert committee["kind"] == "committee"


def test_the_versions_say_which_list_to_replace(world, directory):
    r = client_of(world, world.telecom).get(URL)
    assert r.json()["versions"] == [
        {
            "id": directory.version_a.pk,
            "number": 1,
            "list": directory.list_a.pk,
            "district": {
                "code": world.district_a.unit.code,
                "name": world.district_a.unit.name,
            },
            "accepted_at": "2021-04-10T09:30:00+07:00",
            "replaces_version": None,
        }
    ]


# --- Filters ----------------------------------------------------------------------


def test_it_filters_by_district_gso_code(world, directory):
    client = client_of(world, carrier_serving(*world.province.children.all()))
    r = client.get(URL, {"district": world.district_b.unit.code})
    assert names(r) == [B_TEAM]
    assert [v["id"] for v in r.json()["versions"]] == [directory.version_b.pk]


def test_it_filters_by_commune_gso_code(world, directory):
    client = client_of(world, world.telecom)
    assert names(client.get(URL, {"commune": directory.commune_a2.code})) == [A_TEAM_2]
    both = {
        "district": world.district_a.unit.code,
        "commune": directory.commune_a1.code,
    }
    assert names(client.get(URL, both)) == [A_TEAM_1]


@pytest.mark.parametrize("which", ["unknown", "other_district", "district_unit"])
def test_a_commune_outside_the_readable_districts_is_404(world, directory, which):
    code = {
        "unknown": "99999",
        "other_district": directory.commune_b1.code,
        "district_unit": world.district_a.unit.code,  # not a commune
    }[which]
    r = client_of(world, world.telecom).get(URL, {"commune": code})
    assert r.status_code == 404


def test_a_commune_of_another_district_than_the_one_asked_is_404(world, directory):
    client = client_of(world, carrier_serving(*world.province.children.all()))
    params = {
        "district": world.district_a.unit.code,
        "commune": directory.commune_b1.code,
    }
    assert client.get(URL, params).status_code == 404


def test_a_served_district_without_an_accepted_list_is_404(world, directory):
    """As the web directory's district sheet: no accepted list to read."""
    ContactList.objects.filter(pk=directory.list_a.pk).update(accepted_version=None)
    r = client_of(world, world.telecom).get(
        URL, {"district": world.district_a.unit.code}
    )
    assert r.status_code == 404


# --- changed_since ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changed_since", "listed"),
    [
        ("2021-04-10T09:29:59+07:00", True),
        ("2021-04-10T09:30:00+07:00", False),  # accepted *after* it only
        ("2021-04-10T02:29:00Z", True),
        ("2021-04-10T09:29:59", True),  # without a time zone: Vietnam time
        ("2021-04-10 09:30:00", False),
        ("2021-04-11T00:00:00+07:00", False),
    ],
)
def test_changed_since_lists_only_lists_accepted_after_it(
    world, directory, changed_since, listed
):
    r = client_of(world, world.telecom).get(URL, {"changed_since": changed_since})
    assert r.status_code == 200
    assert bool(r.json()["results"]) is listed
    assert bool(r.json()["versions"]) is listed


def test_changed_since_gives_a_sync_the_new_version_and_what_it_replaces(
    world, directory
):
    """A carrier serving A and B synced after the first acceptances; A's
    second version is accepted later: only A's list is to be replaced."""
    client = client_of(world, carrier_serving(*world.province.children.all()))
    first_sync = client.get(URL).json()
    synced_up_to = max(v["accepted_at"] for v in first_sync["versions"])
    v2 = submit_and_accept(directory.list_a, world, LATER)
    r = client.get(URL, {"changed_since": synced_up_to})
    assert r.json()["versions"] == [
        {
            "id": v2.pk,
            "number": 2,
            "list": directory.list_a.pk,
            "district": {
                "code": world.district_a.unit.code,
                "name": world.district_a.unit.name,
            },
            "accepted_at": "2021-04-20T15:00:00+07:00",
            "replaces_version": directory.version_a.pk,
        }
    ]
    assert sorted(names(r)) == sorted([A_COMMITTEE, A_DRAFT, A_TEAM_1, A_TEAM_2])
    assert B_TEAM not in names(r)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2021-04-10",  # a date without a time
        "2021-04-10T09:30:00 07:00",  # a "+" not percent-encoded
        "2021-13-40T25:61:00",
        "2021-04-10T09:30:00\x00",
        "\x00",
        "0001-01-01T00:00:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-14:00",  # after year 9999 in Vietnam
        "",
        "2021-04-10T09:30:00+07:00\n",
    ],
)
def test_a_bad_changed_since_is_400_in_the_error_shape(world, directory, value):
    client = client_of(world, world.telecom, language="en")
    r = client.get(URL, {"changed_since": value})
    assert r.status_code == 400
    assert error_of(r) == {
        "status": 400,
        "code": "invalid",
        "message": "Some values are not valid; see the fields.",
        "fields": {"changed_since": [str(BAD_DATETIME)]},
    }


@pytest.mark.parametrize("field", ["district", "commune"])
@pytest.mark.parametrize(
    "value", ["", " 380", "380\n", "38 0", "a\x00", "1" * 11, "%", "ư"]
)
def test_a_bad_gso_code_is_400(world, directory, field, value):
    r = client_of(world, world.telecom, language="en").get(URL, {field: value})
    assert r.status_code == 400
    assert error_of(r)["fields"] == {field: [str(BAD_CODE)]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "9" * 2000}, "page_size"),
    ],
)
def test_a_bad_page_or_page_size_is_400(world, directory, params, field):
    r = client_of(world, world.telecom).get(URL, params)
    assert r.status_code == 400
    assert list(error_of(r)["fields"]) == [field]


def test_an_unknown_parameter_is_ignored(world, directory):
    """As everywhere in the API (tests/test_api_schema.py)."""
    r = client_of(world, world.telecom).get(URL, {"changed_sinse": "x", "": "y"})
    assert r.status_code == 200
    assert r.json()["count"] == 3


def test_a_page_past_the_last_is_404_in_the_error_shape(world, directory):
    r = client_of(world, world.telecom).get(URL, {"page": 2})
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


# --- Tokens and languages ---------------------------------------------------------


def test_without_a_token_it_is_401(world, directory):
    from rest_framework.test import APIClient

    r = APIClient().get(URL)
    assert r.status_code == 401
    assert error_of(r)["code"] == "not_authenticated"
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(world, directory):
    client = client_of(world, world.telecom)
    assert client.get(URL).status_code == 200
    api_token_revoke(token=client.token, by=world.staff)
    r = client.get(URL)
    assert r.status_code == 401
    assert error_of(r) == {
        "status": 401,
        "code": "authentication_failed",
        "message": "Mã truy cập API này không hợp lệ hoặc đã bị thu hồi.",
    }


def test_a_signed_in_web_session_is_not_a_token(client, world, directory):
    client.force_login(world.telecom_officer)
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("language", "not_found", "kind_label"),
    [
        ("en", "Not found, or not yours to see.", "Election Team"),
        ("vi", "Không tìm thấy, hoặc bạn không có quyền xem.", "Tổ bầu cử"),
    ],
)
def test_it_answers_in_the_language_of_the_tokens_owner(
    world, directory, language, not_found, kind_label
):
    client = client_of(world, world.telecom, language=language)
    r = client.get(URL, {"district": world.district_b.unit.code})
    assert error_of(r)["message"] == not_found
    r = client.get(URL, {"commune": directory.commune_a1.code})
    assert r.json()["results"][0]["kind_label"] == kind_label


def test_english_field_messages_for_an_english_token(world, directory):
    r = client_of(world, world.telecom, language="en").get(URL, {"page": "0"})
    assert error_of(r)["fields"] == {"page": [str(BAD_PAGE)]}
    assert error_of(r)["fields"]["page"] == ["Give a page number, 1 or more."]


# --- Pages and queries ------------------------------------------------------------


@pytest.fixture
def big_directory(world, directory) -> list[str]:
    """District A's second version with 25 more teams; the names of its
    bodies in the directory's order."""
    communes = [directory.commune_a1, directory.commune_a2]
    make_bodies(directory.list_a, communes, 25)
    submit_and_accept(directory.list_a, world, LATER)
    return names(client_of(world, world.telecom).get(URL, {"page_size": 500}))


def test_pages_follow_one_another_in_a_stable_order(world, big_directory):
    client = client_of(world, world.telecom)
    seen, url = [], URL + "?page_size=4"
    while url:
        r = client.get(url)
        assert r.json()["count"] == len(big_directory) == 29
        seen += names(r)
        url = r.json()["next"]
    assert seen == big_directory
    last = client.get(URL, {"page_size": 4, "page": 8}).json()
    assert last["next"] is None
    assert "page=7" in last["previous"]
    assert "page_size=4" in last["previous"]


@pytest.mark.parametrize("page_size", [2, 29])
def test_the_query_count_does_not_grow_with_the_page_size(
    world, big_directory, django_assert_num_queries, page_size
):
    """The request's savepoint and its release (ATOMIC_REQUESTS), the token,
    the versions in force, bodies per version, the page's bodies and their
    contacts, and the access log's row and its districts."""
    client = client_of(world, world.telecom)
    client.get(URL)  # the token's first use writes its last_used_at
    with django_assert_num_queries(9):
        r = client.get(URL, {"page_size": page_size})
    assert len(r.json()["results"]) == page_size


def test_the_schema_documents_the_parameters_and_the_error_answers(world):
    from rest_framework.test import APIClient

    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/directory/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "district",
        "commune",
        "changed_since",
        "page",
        "page_size",
    }
    assert set(operation["responses"]) == {"200", "400", "401", "404", "429"}
    assert "replaces_version" in operation["description"]
