"""GET /api/v1/obligations/ and /api/v1/obligations/{code}/: the token's
organisation's obligations with their deadlines and status, as its home
page shows them."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from contacts.models import ContactList, ContactListVersion, VersionStatus
from contacts.services.api_tokens import api_token_revoke
from readiness.models import EvidenceKind, RecipientGroup
from readiness.selectors.home import NOT_ACCEPTED
from tests.api import token_client
from tests.factories import VN, DeadlineFactory, ElectionFactory, ObligationFactory

LIST = reverse("api:obligations")
# A week before D2's deadline (E−45: 17:00 on 8 April 2021).
BEFORE_D2 = datetime.datetime(2021, 4, 1, 10, 0, tzinfo=VN)
AFTER_D2 = datetime.datetime(2021, 4, 10, 10, 0, tzinfo=VN)
D2_DUE = "2021-04-08T17:00:00+07:00"


def detail(code: str) -> str:
    return reverse("api:obligation", args=[code])


def client_of(organisation, by, *, language="vi"):
    by.language = language
    by.save(update_fields=["language"])
    return token_client(organisation=organisation, by=by)


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["results"]]


def item(response, code: str) -> dict:
    return next(i for i in response.json()["results"] if i["code"] == code)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


def accepted_list(world, district) -> ContactList:
    contact_list = ContactList.objects.create(
        election=world.directive.election, organisation=district
    )
    version = ContactListVersion.objects.create(
        contact_list=contact_list,
        number=1,
        status=VersionStatus.ACCEPTED,
        submitted_at=BEFORE_D2,
        submitted_by=world.district_a_officer,
        reviewed_at=BEFORE_D2,
    )
    contact_list.accepted_version = contact_list.latest_version = version
    contact_list.save()
    return contact_list


@pytest.fixture
def district_a(world):
    return client_of(world.district_a, world.district_a_officer, language="en")


# --- Who reads what ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("organisation", "officer", "expected"),
    [
        ("district_a", "district_a_officer", ["D2", "ALL"]),
        ("district_b", "district_b_officer", ["D2", "ALL"]),
        ("telecom", "telecom_officer", ["T1", "ALL"]),
        ("postal", "postal_officer", ["P1", "ALL"]),
    ],
)
def test_each_organisation_reads_the_obligations_addressed_to_it(
    world, organisation, officer, expected
):
    client = client_of(getattr(world, organisation), getattr(world, officer))
    r = client.get(LIST)
    assert r.status_code == 200
    assert codes(r) == expected


def test_the_list_names_the_directive(world, district_a):
    directive = world.directive
    assert district_a.get(LIST).json()["directive"] == {
        "id": directive.pk,
        "code": directive.code,
        "number": directive.number,
        "issued_on": "2021-02-01",
        "issued": {"year": 2021, "month": 2, "day": 1},
        "subject": "Ensuring communications for the election",
    }


def test_an_obligation_not_addressed_to_the_organisation_is_404(world, district_a):
    for code in ("T1", "P1"):
        r = district_a.get(detail(code))
        assert r.status_code == 404
        assert error_of(r)["code"] == "not_found"
    telecom = client_of(world.telecom, world.telecom_officer)
    assert telecom.get(detail("D2")).status_code == 404


@pytest.mark.parametrize("code", ["NOPE", "d2", "D2 ", "D2\n", "%00", "\x00"])
def test_an_unknown_code_is_404_in_the_error_shape(world, district_a, code):
    r = district_a.get(detail(code))
    assert r.status_code == 404
    assert error_of(r)["message"] == "Not found, or not yours to see."


@pytest.mark.parametrize("code", ["a/b", "D2/x"])
def test_a_code_with_a_slash_is_404_in_the_error_shape(world, district_a, code):
    r = district_a.get(LIST + code + "/")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"


def test_without_a_current_directive_the_list_is_empty(world, district_a):
    ElectionFactory(province=world.province, polling_day=datetime.date(2026, 3, 15))
    assert district_a.get(LIST).json() == {"directive": None, "results": []}
    assert district_a.get(detail("D2")).status_code == 404


# --- Deadlines and status -----------------------------------------------------------


@time_machine.travel(BEFORE_D2, tick=False)
def test_an_obligation_says_its_deadline_status_and_what_is_missing(world, district_a):
    r = district_a.get(detail("D2"))
    assert r.status_code == 200
    assert r.json() == {
        "code": "D2",
        "title": "Obligation D2",
        "recipient_group": RecipientGroup.DISTRICT,
        "evidence_kind": EvidenceKind.CONTACT_LIST,
        "evidence": "",
        "due_at": D2_DUE,
        "is_extension": False,
        "days_left": 7,
        "state": "not_started",
        "state_label": "not started",
        "is_met": False,
        "overdue": False,
        "roster_covered": None,
        "note": "",
        "missing": [
            {
                "code": "not_accepted",
                "message": "The Department has not accepted the contact list yet.",
            }
        ],
        "next_step": {"label": "Start", "url": "http://testserver/contact-lists/"},
    }
    assert r.json() == item(district_a.get(LIST), "D2")


@time_machine.travel(AFTER_D2, tick=False)
def test_past_its_deadline_an_unmet_obligation_is_overdue(world, district_a):
    d2 = district_a.get(detail("D2")).json()
    assert d2["overdue"] is True
    assert d2["days_left"] == -2


@time_machine.travel(AFTER_D2, tick=False)
def test_an_extension_moves_the_deadline_of_its_organisation_only(world, district_a):
    d2 = world.directive.obligations.get(code="D2")
    DeadlineFactory(
        obligation=d2,
        organisation=world.district_a,
        due_at=datetime.datetime(2021, 4, 15, 17, 0, tzinfo=VN),
        reason="Bão",
    )
    mine = district_a.get(detail("D2")).json()
    assert mine["due_at"] == "2021-04-15T17:00:00+07:00"
    assert mine["is_extension"] is True
    assert mine["overdue"] is False
    other = client_of(world.district_b, world.district_b_officer).get(detail("D2"))
    assert other.json()["due_at"] == D2_DUE
    assert other.json()["is_extension"] is False
    assert other.json()["overdue"] is True


@time_machine.travel(AFTER_D2, tick=False)
def test_an_accepted_contact_list_meets_d2(world, district_a):
    accepted_list(world, world.district_a)
    d2 = district_a.get(detail("D2")).json()
    assert (d2["state"], d2["is_met"], d2["overdue"]) == ("accepted", True, False)
    assert d2["missing"] == []
    assert d2["next_step"]["label"] == "View"


def test_a_submitted_list_awaits_review_with_no_next_step(world, district_a):
    contact_list = accepted_list(world, world.district_a)
    contact_list.accepted_version = None
    contact_list.save()
    latest = contact_list.latest_version
    assert latest is not None
    latest.status = VersionStatus.SUBMITTED
    latest.save()
    d2 = district_a.get(detail("D2")).json()
    assert (d2["state"], d2["state_label"], d2["next_step"]) == (
        "submitted",
        "submitted",
        None,
    )
    assert [m["code"] for m in d2["missing"]] == ["not_accepted"]


def test_the_reporting_channel_is_never_unmet(world, district_a):
    channel = district_a.get(detail("ALL")).json()
    assert channel["state"] == "channel"
    assert channel["state_label"] == "reporting channel"
    assert (channel["is_met"], channel["due_at"], channel["days_left"]) == (
        True,
        None,
        None,
    )
    assert channel["missing"] == []
    assert channel["next_step"]["label"] == "Report a difficulty"


def test_a_roster_obligation_lists_both_missing_pieces(world):
    ObligationFactory(
        directive=world.directive,
        code="T2",
        recipient_group=RecipientGroup.TELECOM,
        evidence_kind=EvidenceKind.DUTY_ROSTER,
        position=9,
    )
    client = client_of(world.telecom, world.telecom_officer, language="en")
    t2 = client.get(detail("T2")).json()
    assert t2["roster_covered"] is False
    assert t2["missing"] == [
        {
            "code": "not_accepted",
            "message": str(NOT_ACCEPTED[EvidenceKind.DUTY_ROSTER]),
        },
        {
            "code": "roster_gaps",
            "message": "The duty roster does not cover every period yet.",
        },
    ]


@time_machine.travel(AFTER_D2, tick=False)
def test_it_says_what_the_home_page_says(client, world, district_a):
    """The same rows, computed by the same selector (recipient_todo)."""
    DeadlineFactory(
        obligation=world.directive.obligations.get(code="D2"),
        organisation=world.district_a,
        due_at=datetime.datetime(2021, 4, 9, 17, 0, tzinfo=VN),
    )
    client.force_login(world.district_a_officer)
    todos = client.get(reverse("home")).context["todos"]
    page = [(t.cell.obligation.code, t.cell.state, t.cell.overdue) for t in todos]
    api = [
        (i["code"], i["state"], i["overdue"])
        for i in district_a.get(LIST).json()["results"]
    ]
    assert api == page


# --- Tokens, languages and queries ----------------------------------------------------


def test_without_a_token_it_is_401(world):
    for url in (LIST, detail("D2")):
        r = APIClient().get(url)
        assert r.status_code == 401
        assert error_of(r)["code"] == "not_authenticated"


def test_a_revoked_token_is_401(world, district_a):
    assert district_a.get(LIST).status_code == 200
    api_token_revoke(token=district_a.token, by=world.staff)
    for url in (LIST, detail("D2")):
        r = district_a.get(url)
        assert r.status_code == 401
        assert error_of(r)["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("language", "title", "not_found", "state_label"),
    [
        ("en", "Obligation D2", "Not found, or not yours to see.", "not started"),
        (
            "vi",
            "Nghĩa vụ D2",
            "Không tìm thấy, hoặc bạn không có quyền xem.",
            "chưa bắt đầu",
        ),
    ],
)
def test_it_answers_in_the_language_of_the_tokens_owner(
    world, language, title, not_found, state_label
):
    client = client_of(world.district_a, world.district_a_officer, language=language)
    d2 = client.get(detail("D2")).json()
    assert (d2["title"], d2["state_label"]) == (title, state_label)
    assert error_of(client.get(detail("T1")))["message"] == not_found


def test_the_query_count_does_not_grow_with_the_obligations(
    world, district_a, django_assert_num_queries
):
    """The request's savepoint and its release, the token, the election, the
    directive, and the compliance matrix's seven (obligations, organisation,
    deadlines, accepted and latest reviews, plan sections, contact lists)."""
    district_a.get(LIST)  # the token's first use writes its last_used_at
    with django_assert_num_queries(12):
        assert len(district_a.get(LIST).json()["results"]) == 2
    for n in range(8):
        obligation = ObligationFactory(
            directive=world.directive,
            code=f"D{n + 3}",
            recipient_group=RecipientGroup.DISTRICT,
            position=10 + n,
        )
        DeadlineFactory(obligation=obligation)
        DeadlineFactory(obligation=obligation, organisation=world.district_a)
    with django_assert_num_queries(12):
        assert len(district_a.get(LIST).json()["results"]) == 10


def test_the_schema_documents_both_endpoints_and_their_errors(world):
    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/obligations/"]["get"]
    one = schema["paths"]["/api/v1/obligations/{code}/"]["get"]
    assert set(listing["responses"]) == {"200", "401", "429"}
    assert set(one["responses"]) == {"200", "401", "404", "429"}
    assert [p["name"] for p in one["parameters"]] == ["code"]
