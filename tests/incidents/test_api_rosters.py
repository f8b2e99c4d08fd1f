"""/api/v1/rosters/{organisation}/{period}/ by token: a carrier reads and
replaces its own duty roster over a period, every shift or none, with the
roster pages' permission rule (districts keep none; nobody else's).

The world's election (tests/factories.ElectionFactory): polling day
23/05/2021; "before" from 07/02/2021, "after" to 12/06/2021."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.services.api_tokens import api_token_revoke
from incidents.models import Shift
from tests.api import token_client
from tests.incidents.conftest import on

HOUR = datetime.timedelta(hours=1)


def roster(organisation, period: str = "during") -> str:
    return reverse("api:incidents:roster", args=[organisation.pk, period])


@pytest.fixture
def api(world):
    def client_of(organisation: str, language: str | None = None):
        org = getattr(world, organisation)
        by = org.memberships.get().user
        if language:
            by.language = language
            by.save()
        return token_client(organisation=org, by=by)

    return client_of


def shift(starts_at, ends_at, **changes) -> dict:
    return {
        "person_name": "Nguyễn Văn Trực",
        "role": "Trực kỹ thuật",
        "phone": "0912 345 678",
        "location": "Trung tâm điều hành",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
    } | changes


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    return body["error"]


def names(organisation) -> list[tuple]:
    return list(
        Shift.objects.filter(organisation=organisation)
        .order_by("starts_at")
        .values_list("person_name", "starts_at")
    )


# --- Reading ---------------------------------------------------------------------


def test_a_carrier_reads_its_polling_day_with_its_gaps(api, world, make_shift):
    make_shift(world.telecom, on(-1, 20), on(0, 8), person_name="Đêm trước")
    make_shift(world.telecom, on(0, 8), on(0, 16), person_name="Ca ngày")
    make_shift(world.telecom, on(-10, 8), on(-10, 17), person_name="Trước")
    response = api("telecom").get(roster(world.telecom))
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == {"id": world.telecom.pk, "name": world.telecom.name}
    assert body["period"] == "during"
    assert body["starts_at"] == on(0).isoformat()
    assert body["ends_at"] == on(1).isoformat()
    # What a PUT replaces: the shifts starting on polling day.
    assert [s["person_name"] for s in body["shifts"]] == ["Ca ngày"]
    assert body["shifts"][0]["phone"] == "+84912345678"
    assert body["shifts"][0]["phone_is_mobile"] is True
    # The night shift from the eve covers the morning; 16:00–24:00 is open.
    assert body["gaps"] == [
        {"starts_at": on(0, 16).isoformat(), "ends_at": on(1).isoformat()}
    ]


def test_a_span_of_days_and_the_other_periods_are_read(api, world, make_shift):
    make_shift(world.telecom, on(-10, 8), on(-10, 17))
    client = api("telecom")
    days = client.get(roster(world.telecom, "2021-05-13..2021-05-13")).json()
    assert (days["starts_at"], days["ends_at"]) == (
        on(-10).isoformat(),
        on(-9).isoformat(),
    )
    assert len(days["shifts"]) == 1
    assert len(client.get(roster(world.telecom, "before")).json()["shifts"]) == 1
    assert client.get(roster(world.telecom, "after")).json()["shifts"] == []


@pytest.mark.parametrize(
    "period",
    [
        "yesterday",
        "2021-05-23",
        "2021-05-24..2021-05-23",  # ends before it starts
        "2021-02-30..2021-03-01",  # no such day
        "2021-01-01..2022-12-31",  # more than a year
        "1999-12-31..1999-12-31",
    ],
)
def test_a_period_that_is_not_one_is_404(api, world, period):
    assert error(api("telecom").get(roster(world.telecom, period)), 404)


@pytest.mark.parametrize(
    ("token", "organisation", "status"),
    [
        ("telecom", "telecom", 200),
        ("postal", "postal", 200),
        ("postal", "telecom", 404),  # another carrier's
        ("district_a", "telecom", 404),  # a district it serves is no reason
        ("district_a", "district_a", 404),  # districts keep no roster
        ("telecom", "department", 404),
    ],
)
def test_only_a_carrier_reads_its_own_roster(api, world, token, organisation, status):
    response = api(token).get(roster(getattr(world, organisation)))
    if status == 404:
        assert error(response, 404)["code"] == "not_found"
    else:
        assert response.status_code == 200


def test_without_a_valid_token_the_roster_is_not_answered(api, world):
    assert error(APIClient().get(roster(world.telecom)), 401)
    client = api("telecom")
    api_token_revoke(token=client.token, by=world.telecom_officer)
    assert error(client.get(roster(world.telecom)), 401)
    assert error(client.put(roster(world.telecom), {"shifts": []}), 401)


# --- Replacing -------------------------------------------------------------------


def test_a_put_replaces_the_shifts_starting_in_the_period(api, world, make_shift):
    make_shift(world.telecom, on(-1, 20), on(0, 8), person_name="Đêm trước")
    old = make_shift(world.telecom, on(0, 8), on(0, 16), person_name="Cũ")
    make_shift(world.telecom, on(1, 8), on(1, 16), person_name="Ngày sau")
    make_shift(world.postal, on(0, 8), on(0, 16), person_name="Bưu điện")
    client = api("telecom")
    sent = {
        "shifts": [
            shift(on(0, 8), on(0, 16), person_name="Ca sáng"),
            shift(on(0, 16), on(1), person_name="Ca tối", phone="024 3825 1234"),
        ]
    }
    response = client.put(roster(world.telecom), sent)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["person_name"] for s in body["shifts"]] == ["Ca sáng", "Ca tối"]
    assert body["shifts"][1]["phone_is_mobile"] is False  # a landline: flagged
    assert body["gaps"] == []
    assert [n for n, _ in names(world.telecom)] == [
        "Đêm trước",
        "Ca sáng",
        "Ca tối",
        "Ngày sau",
    ]
    assert names(world.postal) == [("Bưu điện", on(0, 8))]
    # The removed shift stays in the audit trail, removed by the token.
    removal = Shift.history.get(id=old.pk, history_type="-")
    assert removal.history_user == client.token.user
    added = Shift.objects.get(person_name="Ca sáng")
    assert added.created_by == client.token.user
    # The same body again changes nothing but the ids.
    again = client.put(roster(world.telecom), sent).json()
    assert [s["person_name"] for s in again["shifts"]] == ["Ca sáng", "Ca tối"]


def test_an_empty_list_empties_the_period(api, world, make_shift):
    make_shift(world.telecom, on(0, 8), on(0, 16))
    make_shift(world.telecom, on(-10, 8), on(-10, 17))
    response = api("telecom").put(roster(world.telecom), {"shifts": []})
    assert response.status_code == 200
    assert response.json()["gaps"] == [
        {"starts_at": on(0).isoformat(), "ends_at": on(1).isoformat()}
    ]
    assert [s for _, s in names(world.telecom)] == [on(-10, 8)]


def test_a_span_of_days_is_replaced(api, world, make_shift):
    make_shift(world.telecom, on(-10, 8), on(-10, 17), person_name="Cũ")
    make_shift(world.telecom, on(-9, 8), on(-9, 17), person_name="Ngày sau")
    response = api("telecom").put(
        roster(world.telecom, "2021-05-13..2021-05-13"),
        {"shifts": [shift(on(-10, 7), on(-10, 19), person_name="Mới")]},
    )
    assert response.status_code == 200
    assert [n for n, _ in names(world.telecom)] == ["Mới", "Ngày sau"]


def test_one_bad_shift_saves_nothing_and_every_error_names_its_shift(
    api, world, make_shift
):
    make_shift(world.telecom, on(0, 8), on(0, 16), person_name="Cũ")
    before = names(world.telecom)
    sent = {
        "shifts": [
            shift(on(0, 0), on(0, 8)),
            shift(on(0, 8), on(0, 16), phone="12345"),
            shift(on(0, 16), on(0, 15), person_name="Ngược"),
            shift(on(1, 8), on(1, 16), person_name="Ngày sau"),  # not polling day
        ]
    }
    client = api("telecom", language="en")
    refused = error(client.put(roster(world.telecom), sent), 400)
    assert refused["code"] == "invalid"
    assert refused["fields"] == {
        "shifts[1].phone": ["“12345” is not a valid Vietnamese phone number."],
        "shifts[2].ends_at": ["The shift must end after it starts."],
        "shifts[3].starts_at": ["The shift must start within the period replaced."],
    }
    assert names(world.telecom) == before


def test_a_shift_of_the_wrong_shape_saves_nothing(api, world, make_shift):
    make_shift(world.telecom, on(0, 8), on(0, 16), person_name="Cũ")
    sent = {
        "shifts": [
            shift(on(0, 0), on(0, 8)),
            {"phone": "0912345678", "starts_at": "sáng nay", "ends_at": None},
        ]
    }
    refused = error(api("telecom", language="en").put(roster(world.telecom), sent), 400)
    assert set(refused["fields"]) == {
        "shifts[1].person_name",
        "shifts[1].starts_at",
        "shifts[1].ends_at",
    }
    assert refused["fields"]["shifts[1].person_name"] == ["This field is required."]
    assert [n for n, _ in names(world.telecom)] == ["Cũ"]
    no_list = error(api("telecom").put(roster(world.telecom), {"shifts": "x"}), 400)
    assert list(no_list["fields"]) == ["shifts"]


def test_the_same_shift_twice_is_refused(api, world):
    sent = {"shifts": [shift(on(0, 8), on(0, 16))] * 2}
    refused = error(api("telecom", language="en").put(roster(world.telecom), sent), 400)
    assert refused["fields"] == {
        "shifts[1]": ["The same person, start and end as shifts[0]."]
    }
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "“12345” không phải là số điện thoại Việt Nam hợp lệ."),
        ("en", "“12345” is not a valid Vietnamese phone number."),
    ],
)
def test_roster_errors_are_in_the_token_owners_language(api, world, language, message):
    sent = {"shifts": [shift(on(0, 8), on(0, 16), phone="12345")]}
    refused = error(
        api("telecom", language=language).put(roster(world.telecom), sent), 400
    )
    assert refused["fields"] == {"shifts[0].phone": [message]}


@pytest.mark.parametrize(
    ("token", "organisation"),
    [
        ("postal", "telecom"),  # another carrier's
        ("district_a", "telecom"),
        ("district_a", "district_a"),  # districts keep no roster
    ],
)
def test_nobody_replaces_another_organisations_roster(
    api, world, make_shift, token, organisation
):
    kept = make_shift(world.telecom, on(0, 8), on(0, 16))
    sent = {"shifts": [shift(on(0, 8), on(0, 16), person_name="Kẻ lạ")]}
    response = api(token).put(roster(getattr(world, organisation)), sent)
    assert error(response, 404)
    assert list(Shift.objects.all()) == [kept]
