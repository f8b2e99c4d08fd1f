import pytest
from django.urls import reverse

from tests.factories import DistrictOrganisationFactory


def url_detail(org):
    return reverse("contacts:organisation_detail", args=[org.pk])


def test_staff_lists_every_organisation(client, world):
    client.force_login(world.staff)
    r = client.get(reverse("contacts:organisation_list"))
    assert r.status_code == 200
    for org in (world.district_a, world.district_b, world.telecom, world.postal):
        assert org.name in r.content.decode()


def test_a_district_officer_lists_only_its_own_organisation(client, world):
    client.force_login(world.district_a_officer)
    body = client.get(reverse("contacts:organisation_list")).content.decode()
    assert world.district_a.name in body
    assert world.district_b.name not in body


def test_the_list_makes_the_same_number_of_queries_for_more_organisations(
    client, world, django_assert_num_queries
):
    client.force_login(world.staff)
    client.get(reverse("contacts:organisation_list"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("contacts:organisation_list"))
    DistrictOrganisationFactory.create_batch(60)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(reverse("contacts:organisation_list")).content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    assert table.count("<tr>") == 50  # a page of 66
    assert "1 / 2" in body


def test_owner_sees_its_organisation(client, world):
    client.force_login(world.telecom_officer)
    r = client.get(url_detail(world.telecom))
    assert r.status_code == 200
    assert "Thành phố Thanh Hóa" in r.content.decode()  # the district it serves


def test_an_outsider_gets_404_for_another_organisation(client, world):
    client.force_login(world.district_a_officer)
    assert client.get(url_detail(world.district_b)).status_code == 404
    assert client.get(url_detail(world.telecom)).status_code == 404


def test_observer_reads_any_organisation(client, world):
    client.force_login(world.observer)
    assert client.get(url_detail(world.district_b)).status_code == 200


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(url_detail(world.district_a))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


def test_a_bad_id_is_404(client, world):
    client.force_login(world.staff)
    assert (
        client.get(reverse("contacts:organisation_detail", args=[987654])).status_code
        == 404
    )


@pytest.mark.parametrize("username", ["district_a_officer", "observer"])
def test_the_admin_is_closed_to_non_department_users(client, world, username):
    client.force_login(getattr(world, username))
    r = client.get(reverse("admin:index"))
    assert r.status_code == 302
