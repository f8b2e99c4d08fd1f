"""contacts.permissions: what each role may do to each object."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from contacts.models import Election, Organisation
from contacts.permissions import (
    Action,
    get_object_for_user,
    may,
    organisations_visible_to,
    overseer_membership,
)
from tests.factories import UserFactory


def test_department_editor_sees_and_changes_every_organisation(world):
    for org in (world.district_a, world.telecom, world.department):
        assert may(world.staff, Action.VIEW, org) is True
        assert may(world.staff, Action.CHANGE, org) is True


def test_department_read_only_member_sees_but_does_not_change(world):
    assert may(world.staff_viewer, Action.VIEW, world.district_b) is True
    assert may(world.staff_viewer, Action.CHANGE, world.district_b) is False


def test_observer_sees_everything_and_changes_nothing(world):
    assert may(world.observer, Action.VIEW, world.postal) is True
    assert may(world.observer, Action.CHANGE, world.postal) is False
    assert may(world.observer, Action.CHANGE, world.directive) is False


@pytest.mark.parametrize(
    ("officer", "own", "other"),
    [
        ("district_a_officer", "district_a", "district_b"),
        ("district_b_officer", "district_b", "district_a"),
        ("telecom_officer", "telecom", "postal"),
        ("postal_officer", "postal", "telecom"),
    ],
)
def test_recipients_see_only_their_own_organisation(world, officer, own, other):
    user = getattr(world, officer)
    assert may(user, Action.VIEW, getattr(world, own)) is True
    assert may(user, Action.VIEW, getattr(world, other)) is False
    assert may(user, Action.VIEW, world.department) is False
    # The register of organisations is the Department's to change.
    assert may(user, Action.CHANGE, getattr(world, own)) is False


def test_every_member_reads_the_directive_only_the_department_changes_it(world):
    for user in (
        world.observer,
        world.district_a_officer,
        world.telecom_officer,
        world.postal_officer,
    ):
        assert may(user, Action.VIEW, world.directive) is True
        assert may(user, Action.CHANGE, world.directive) is False
    assert may(world.staff, Action.CHANGE, world.directive) is True
    obligation = world.directive.obligations.first()
    assert may(world.district_a_officer, Action.VIEW, obligation) is True
    assert may(world.district_a_officer, Action.CHANGE, obligation) is False


def test_anonymous_and_unaffiliated_users_may_do_nothing(world):
    loner = UserFactory(username="loner")
    for user in (AnonymousUser(), loner):
        assert may(user, Action.VIEW, world.district_a) is False
        assert may(user, Action.VIEW, world.directive) is False
    assert organisations_visible_to(loner).count() == 0


def test_an_inactive_user_may_do_nothing(world):
    world.staff.is_active = False
    assert may(world.staff, Action.VIEW, world.district_a) is False


def test_election_is_read_by_all_members_changed_by_the_department(world):
    election = Election.objects.get()
    assert may(world.telecom_officer, Action.VIEW, election) is True
    assert may(world.telecom_officer, Action.CHANGE, election) is False
    assert may(world.staff, Action.CHANGE, election) is True


def test_get_object_for_user_hides_others_objects_with_404(world):
    with pytest.raises(Http404):
        get_object_for_user(
            world.district_a_officer, Organisation.objects.all(), world.district_b.pk
        )
    with pytest.raises(Http404):
        get_object_for_user(world.staff, Organisation.objects.all(), 999_999)


def test_get_object_for_user_refuses_a_read_only_change_with_403(world):
    with pytest.raises(PermissionDenied):
        get_object_for_user(
            world.observer,
            Organisation.objects.all(),
            world.district_a.pk,
            Action.CHANGE,
        )
    org = get_object_for_user(
        world.staff, Organisation.objects.all(), world.district_a.pk, Action.CHANGE
    )
    assert org == world.district_a


@pytest.mark.parametrize("who", ["staff", "staff_viewer", "observer"])
def test_the_department_and_observers_open_the_overseers_pages(world, who):
    user = getattr(world, who)
    assert overseer_membership(user).user == user


@pytest.mark.parametrize(
    "who", ["district_a_officer", "telecom_officer", "postal_officer"]
)
def test_anyone_else_finds_no_overseers_page(world, who):
    for action in (Action.VIEW, Action.CHANGE):
        with pytest.raises(Http404):
            overseer_membership(getattr(world, who), action)
    loner = UserFactory(username="loner")
    with pytest.raises(Http404):
        overseer_membership(loner)


def test_only_department_editors_change_on_the_overseers_pages(world):
    assert overseer_membership(world.staff, Action.CHANGE).user == world.staff
    for user in (world.staff_viewer, world.observer):
        with pytest.raises(PermissionDenied):
            overseer_membership(user, Action.CHANGE)


def test_visible_organisations_follow_the_role(world):
    assert set(organisations_visible_to(world.district_a_officer)) == {world.district_a}
    assert (
        organisations_visible_to(world.observer).count() == Organisation.objects.count()
    )
