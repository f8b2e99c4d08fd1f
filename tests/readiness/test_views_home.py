"""Each role's home page: its obligations and their deadlines."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import VN, DeadlineFactory, ObligationFactory


def obligation_codes(body: str) -> list[str]:
    return re.findall(r'<td class="obligation-code">(\w+)</td>', body)


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse("home"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("officer", "codes"),
    [
        ("district_a_officer", ["D2", "ALL"]),
        ("telecom_officer", ["T1", "ALL"]),
        ("postal_officer", ["P1", "ALL"]),
        ("staff", ["D2", "P1", "T1", "ALL"]),
        ("observer", ["D2", "P1", "T1", "ALL"]),
    ],
)
def test_each_role_sees_the_obligations_addressed_to_it(client, world, officer, codes):
    client.force_login(getattr(world, officer))
    body = client.get(reverse("home")).content.decode()
    assert obligation_codes(body) == codes


def test_a_district_home_names_the_district_and_its_deadline(client, world):
    client.force_login(world.district_a_officer)
    body = client.get(reverse("home")).content.decode()
    assert world.district_a.name in body
    assert "17:00 08/04/2021" in body  # D2 at E−45, 17:00 Vietnam time


def test_the_page_is_vietnamese_by_default_even_for_an_english_browser(client, world):
    client.force_login(world.district_a_officer)
    body = client.get(
        reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert '<html lang="vi">' in body
    assert "Nhiệm vụ của đơn vị và thời hạn" in body


def test_the_english_switch_translates_the_page_and_sticks(client, world):
    client.force_login(world.district_a_officer)
    r = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("home")}
    )
    assert r.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Your obligations and their deadlines" in body
    assert "Obligation D2" in body  # the English title of the obligation
    client.post(reverse("set_language"), {"language": "vi", "next": reverse("home")})
    assert '<html lang="vi">' in client.get(reverse("home")).content.decode()


@time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0, tzinfo=VN), tick=False)
def test_it_counts_the_days_left(client, world):
    client.force_login(world.district_a_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "7 days left" in body  # D2 due 8 April
    assert "52 days to polling day" in body


@time_machine.travel(datetime.datetime(2021, 4, 10, 9, 0, tzinfo=VN), tick=False)
def test_it_shows_an_overdue_deadline(client, world):
    client.force_login(world.district_a_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "overdue by 2 days" in body


def test_an_extension_replaces_the_default_deadline_for_that_organisation_only(
    client, world
):
    d2 = world.directive.obligations.get(code="D2")
    DeadlineFactory(
        obligation=d2,
        organisation=world.district_a,
        due_at=datetime.datetime(2021, 4, 15, 17, tzinfo=VN),
    )
    client.force_login(world.district_a_officer)
    assert "17:00 15/04/2021" in client.get(reverse("home")).content.decode()
    client.force_login(world.district_b_officer)
    body = client.get(reverse("home")).content.decode()
    assert "17:00 08/04/2021" in body and "15/04/2021" not in body


def test_a_user_without_an_organisation_is_told_so(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "not linked to an organisation" in body


@pytest.mark.parametrize("officer", ["staff", "telecom_officer"])
def test_home_makes_the_same_number_of_queries_with_more_obligations(
    client, world, officer, django_assert_num_queries
):
    from tests.incidents.helpers import report

    client.force_login(getattr(world, officer))
    report(world)  # one open incident: its districts are fetched at any size
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for _ in range(20):
        DeadlineFactory(obligation=ObligationFactory(directive=world.directive))
        report(world)  # an open incident of the telecom's
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(reverse("home")).content.decode()
    assert len(obligation_codes(body)) == (24 if officer == "staff" else 22)


# --- A recipient's next steps, incidents and notifications -----------------------


def english_home(client, user) -> str:
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client.get(reverse("home")).content.decode()


def row_of(body: str, code: str) -> str:
    start = body.index(f'data-obligation="{code}"')
    return body[start : body.index("</tr>", start)]


@time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0, tzinfo=VN), tick=False)
def test_each_obligation_offers_its_next_step(client, world):
    from readiness.services.plans import plan_get_or_create, plan_submit
    from tests.readiness.test_selectors_compliance import save

    body = english_home(client, world.district_a_officer)
    d2 = row_of(body, "D2")
    assert 'data-state="not_started"' in d2
    assert f'href="{reverse("contacts:contact_list_index")}">Start' in d2
    assert f'href="{reverse("incidents:report")}">Report a difficulty' in row_of(
        body, "ALL"
    )
    now = datetime.datetime(2021, 3, 30, 9, 0, tzinfo=VN)
    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    save(plan, "T1", "Phương án", by=world.telecom_officer, now=now)
    plan_submit(plan=plan, by=world.telecom_officer, now=now)
    t1 = row_of(english_home(client, world.telecom_officer), "T1")
    assert "Awaiting the Department's review" in t1 and "btn" not in t1


def test_a_recipient_sees_its_own_open_incidents_and_latest_notifications(
    client, world
):
    from contacts.models import OutboundMessage
    from incidents.services.incidents import incident_acknowledge, incident_resolve
    from tests.incidents.helpers import POLLING_MORNING, report

    with time_machine.travel(POLLING_MORNING, tick=False):
        own = report(world, title="Đứt cáp của mình")
        done = report(world, title="Đã xong")
        incident_acknowledge(incident=done, by=world.staff)
        incident_resolve(
            incident=done, by=world.staff, resolved_at=POLLING_MORNING, note="Xong"
        )
        report(
            world,
            organisation=world.postal,
            by=world.postal_officer,
            title="Của bưu điện",
        )
        OutboundMessage.objects.create(
            recipient=world.telecom_officer,
            channel="email",
            address="telecom@example.vn",
            subject="Nhắc việc: T1 còn 3 ngày",
            dedupe_key="k1",
            next_attempt_at=POLLING_MORNING,
        )
        body = english_home(client, world.telecom_officer)
    incidents = body[body.index('class="list-unstyled open-incidents"') :]
    incidents = incidents[: incidents.index("</ul>")]
    assert f"#{own.pk} Đứt cáp của mình" in incidents
    assert "Đã xong" not in incidents and "Của bưu điện" not in incidents
    assert "Nhắc việc: T1 còn 3 ngày" in body


# An ended election (past its results period, 12/06/2021) reads as ended:
# what was not done shows its deadline, not a count of days in years.
ENDED = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=VN)


@time_machine.travel(ENDED, tick=False)
@pytest.mark.parametrize("officer", ["district_a_officer", "staff"])
def test_an_ended_election_shows_what_was_not_done_by_its_deadline(
    client, world, officer
):
    client.force_login(getattr(world, officer))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "not done by 08/04/2021" in body  # D2, due 08/04/2021
    assert "overdue by" not in body
    assert "ended on 12/06/2021" in body


@time_machine.travel(ENDED, tick=False)
def test_a_closed_election_says_its_records_are_final(client, world):
    election = world.directive.election
    election.closed_at = datetime.datetime(2021, 6, 20, 10, 0, tzinfo=VN)
    election.save(update_fields=["closed_at"])
    client.force_login(world.district_a_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert "closed on 20/06/2021: its records are final" in body


def test_a_count_past_a_season_is_history_not_an_alarm():
    from readiness.selectors.obligations import SEASON_DAYS, overdue_as_history

    assert not overdue_as_history(days_overdue=SEASON_DAYS, election_over=False)
    assert overdue_as_history(days_overdue=SEASON_DAYS + 1, election_over=False)
    assert overdue_as_history(days_overdue=1, election_over=True)
    assert not overdue_as_history(days_overdue=0, election_over=True)
