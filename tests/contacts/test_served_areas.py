"""A carrier's areas (the districts it serves, or the communes of a
two-tier structure) changed by a Department editor: what it reads follows,
areas of earlier structures stay, and only editors may."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.permissions import accepted_versions_visible_to
from contacts.services.closure import ElectionClosed
from contacts.services.registry import organisation_served_areas_set
from tests.factories import DistrictFactory, ProvinceFactory
from tests.incidents.test_roll_calls import district_list

pytestmark = pytest.mark.django_db


def page(organisation) -> str:
    return reverse("contacts:organisation_served_areas", args=[organisation.pk])


def served(organisation) -> set[str]:
    return set(organisation.served_units.values_list("name", flat=True))


def test_an_editor_ticks_the_areas_and_the_carrier_reads_their_lists(client, world):
    district_b_list = district_list(
        world, world.district_b, [("Bình", ("+84912000002",))], accept=True
    )
    district_b_list.refresh_from_db()
    assert district_b_list.accepted_version not in accepted_versions_visible_to(
        world.telecom_officer
    )
    client.force_login(world.staff)
    form = client.get(page(world.telecom)).content.decode()
    assert "Huyện Đông Sơn" in form and "Thành phố Thanh Hóa" in form
    ticked = re.findall(r'name="units" value="(\d+)"[^>]*checked', form)
    assert ticked == [str(world.district_a.unit_id)]
    response = client.post(
        page(world.telecom),
        {"units": [world.district_a.unit_id, world.district_b.unit_id]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "contacts:organisation_detail", args=[world.telecom.pk]
    )
    assert "Huyện Đông Sơn" in response.content.decode()
    assert served(world.telecom) == {"Thành phố Thanh Hóa", "Huyện Đông Sơn"}
    assert district_b_list.accepted_version in accepted_versions_visible_to(
        world.telecom_officer
    )
    latest = world.telecom.history.latest()
    assert latest.history_user == world.staff


def test_nothing_ticked_leaves_the_carrier_no_area_of_this_structure(client, world):
    client.force_login(world.staff)
    assert client.post(page(world.telecom), {}).status_code == 302
    assert served(world.telecom) == set()


def test_areas_of_another_structure_stay(world):
    """A district of the 2021 structure kept when the 2025 one is set:
    here, a unit under another province row stands for it."""
    earlier = DistrictFactory(parent=ProvinceFactory(code="99"), name="Huyện Cũ")
    world.telecom.served_units.add(earlier)
    organisation_served_areas_set(
        organisation=world.telecom,
        election=world.directive.election,
        units=[world.district_b.unit],
        by=world.staff,
    )
    assert served(world.telecom) == {"Huyện Cũ", "Huyện Đông Sơn"}


def test_an_area_of_another_province_sent_by_hand_is_refused_in_vietnamese(
    client, world
):
    elsewhere = DistrictFactory(parent=ProvinceFactory(code="99"), name="Huyện Khác")
    client.force_login(world.staff)
    response = client.post(page(world.telecom), {"units": [elsewhere.pk]})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert served(world.telecom) == {"Thành phố Thanh Hóa"}


def test_the_service_refuses_what_the_page_cannot_send(world):
    election = world.directive.election
    with pytest.raises(PermissionDenied):
        organisation_served_areas_set(
            organisation=world.telecom, election=election, units=[], by=world.observer
        )
    with pytest.raises(ValidationError):
        organisation_served_areas_set(
            organisation=world.district_a, election=election, units=[], by=world.staff
        )
    elsewhere = DistrictFactory(parent=ProvinceFactory(code="99"))
    with pytest.raises(ValidationError):
        organisation_served_areas_set(
            organisation=world.telecom,
            election=election,
            units=[elsewhere],
            by=world.staff,
        )
    election.closed_at = timezone.now()
    election.save(update_fields=["closed_at"])
    with pytest.raises(ElectionClosed):
        organisation_served_areas_set(
            organisation=world.telecom, election=election, units=[], by=world.staff
        )
    assert served(world.telecom) == {"Thành phố Thanh Hóa"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_viewer", 403),
        ("observer", 403),
        ("telecom_officer", 403),  # its own organisation: read, not change
        ("postal_officer", 404),
        ("district_a_officer", 404),
    ],
)
def test_who_may_not_change_them(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(page(world.telecom)).status_code == status
    post = client.post(page(world.telecom), {"units": [world.district_b.unit_id]})
    assert post.status_code == status
    assert served(world.telecom) == {"Thành phố Thanh Hóa"}


def test_a_district_has_no_areas_to_change(client, world):
    client.force_login(world.staff)
    assert client.get(page(world.district_a)).status_code == 404


def test_the_button_is_shown_to_editors_only(client, world):
    detail = reverse("contacts:organisation_detail", args=[world.telecom.pk])
    client.force_login(world.staff)
    assert page(world.telecom) in client.get(detail).content.decode()
    client.force_login(world.telecom_officer)
    assert page(world.telecom) not in client.get(detail).content.decode()
