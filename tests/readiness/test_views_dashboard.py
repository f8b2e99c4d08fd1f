"""The province dashboard page: who may open it, the matrix's filters and
links, refreshing on polling day, and its cost at two sizes."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.services.members import member_deactivate
from contacts.templatetags.contacts_tags import members_url
from readiness.services.plans import plan_get_or_create, plan_submit
from tests.factories import VN, OrganisationFactory, UserFactory
from tests.readiness.test_selectors_compliance import save

URL = reverse("readiness:dashboard")
BEFORE = datetime.datetime(2021, 4, 20, 9, 0, tzinfo=VN)
POLLING_DAY = datetime.datetime(2021, 5, 23, 9, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(BEFORE, tick=False):
        yield


@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_staff_and_observers_see_the_dashboard(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(URL)
    assert response.status_code == 200
    assert world.directive.election.name in response.content.decode()


@pytest.mark.parametrize(
    "who", ["district_a_officer", "telecom_officer", "postal_officer"]
)
def test_recipients_do_not_get_the_dashboard(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_matrix_narrows_to_telecom_firms_and_links_to_the_plan(client, world):
    plan = plan_get_or_create(directive=world.directive, organisation=world.telecom)
    save(plan, "T1", "Phương án", by=world.telecom_officer, now=BEFORE)
    plan_submit(plan=plan, by=world.telecom_officer, now=BEFORE)
    client.force_login(world.staff)
    page = client.get(URL, {"group": "telecom"}).content.decode()
    matrix = page[page.index('class="table table-sm table-bordered') :]
    assert world.telecom.display_name in matrix
    assert world.district_a.display_name not in matrix
    plan_url = reverse("readiness:plan_detail", args=[plan.pk]) + "#section-T1"
    assert f'href="{plan_url}"' in matrix


def test_the_overdue_tile_links_each_late_organisation(client, world):
    client.force_login(world.staff)
    page = client.get(URL).content.decode()
    assert 'overdue-count">2<' in page  # D2 of both districts, due 8 April
    assert world.district_b.display_name in page


def test_it_refreshes_itself_on_polling_day_only(client, world):
    client.force_login(world.staff)
    assert 'hx-trigger="every' not in client.get(URL).content.decode()
    with time_machine.travel(POLLING_DAY, tick=False):
        client.force_login(world.staff)  # a new session: the old one expired
        page = client.get(URL).content.decode()
    assert 'hx-trigger="every 60s"' in page and 'hx-select="#dashboard"' in page


def test_unknown_filters_are_ignored(client, world):
    client.force_login(world.staff)
    response = client.get(URL, {"group": "<script>", "district": "x", "page": "99"})
    assert response.status_code == 200
    page = response.content.decode()
    matrix = page[page.index('class="table table-sm table-bordered') :]
    assert world.district_a.display_name in matrix  # no filter applied
    assert world.telecom.display_name in matrix


def test_the_page_costs_the_same_queries_for_few_and_many_organisations(client, world):
    client.force_login(world.staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(60):  # more than a page of the matrix
        carrier = OrganisationFactory(kind="telecom", code=f"t{n}", name=f"Mạng {n}")
        plan = plan_get_or_create(directive=world.directive, organisation=carrier)
        save(plan, "T1", "Phương án", by=UserFactory(), now=BEFORE)
    assert queries() == few


def test_an_ended_election_reads_as_ended_not_as_days_after(client, world):
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=VN)):
        client.force_login(world.staff)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(URL).content.decode()
    assert "Ended on 12/06/2021" in body
    assert "days after polling day" not in body


def test_organisations_with_obligations_and_nobody_active_are_flagged(client, world):
    """The postal firm's only officer was deactivated and a new telecom firm
    has nobody yet: both are named, linked to their people; the observer
    (no obligation) and the districts (an active officer each) are not."""
    member_deactivate(membership=world.postal_officer.membership, by=world.staff)
    newcomer = OrganisationFactory(kind="telecom", code="moi", name="Mạng Mới")
    OrganisationFactory(kind="observer", code="uy-ban-2", name="Ủy ban trống")
    client.force_login(world.observer)
    page = client.get(URL).content.decode()
    block = page[page.index('class="alert alert-warning without-members"') :]
    block = block[: block.index("</section>")]
    assert "2 đơn vị có nghĩa vụ nhưng không có thành viên đang hoạt động" in block
    for org in (world.postal, newcomer):
        assert f'<a href="{members_url(org.pk)}">{org.display_name}</a>' in block
    assert "Ủy ban trống" not in block
    assert world.district_a.display_name not in block
    assert reverse("contacts:adoption") + "?show=no-active" in block


def test_without_such_organisations_there_is_no_warning(client, world):
    client.force_login(world.staff)
    assert "without-members" not in client.get(URL).content.decode()
