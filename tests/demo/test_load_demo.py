import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from contacts.models import Membership, Organisation
from demo.users import DEMO_USERS
from readiness.services import seed_case_load
from tests.demo.loading import demo_loaded, seed_loaded

pytestmark = pytest.mark.django_db


def _logs_in(username: str, password: str) -> bool:
    """Through the login page, as a person would (django-axes wants the
    request)."""
    response = Client().post(
        reverse("login"), {"username": username, "password": password}
    )
    return response.status_code == 302


def test_it_refuses_to_run_without_debug():
    seed_case_load()
    with (
        override_settings(DEBUG=False),
        pytest.raises(CommandError, match="only with DEBUG on"),
    ):
        call_command("load_demo")
    assert Membership.objects.count() == 0


@override_settings(DEBUG=True)
def test_it_creates_each_demo_login_in_its_organisation(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed_loaded()
    demo_loaded()
    call_command("load_demo")
    # The logins, not the people invited who have not joined (they have no
    # password yet: test_some_people_are_invited_and_one_link_has_expired).
    logins = Membership.objects.filter(user__is_active=True)
    orgs = dict(logins.values_list("user__username", "organisation__code"))
    named = {u: orgs.pop(u) for u in DEMO_USERS}
    assert named == {
        "staff": "so-tttt-38",
        "observer": "uybc-38",
        "district": "district-380",
        "district2": "district-405",
        "telecom": "vnpt-thanhhoa",
        "telecom2": "viettel-thanhhoa",
        "postal": "vnpost-thanhhoa",
    }
    assert _logs_in("district", "demo-password")
    # Every other organisation with obligations: a login named by its code.
    assert all(username == code for username, code in orgs.items())
    with_obligations = Organisation.objects.filter(
        kind__in=["district", "postal", "telecom"]
    )
    assert set(with_obligations.values_list("code", flat=True)) == set(orgs) | {
        named[u] for u in ("district", "district2", "telecom", "telecom2", "postal")
    }
    assert _logs_in("district-381", "demo-password")
    assert _logs_in("mobifone-thanhhoa", "demo-password")


@override_settings(DEBUG=True)
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret-1")
    seed_loaded()
    call_command("load_demo")
    assert _logs_in("telecom", "another-secret-1")
    assert not _logs_in("telecom", "demo-password")


@override_settings(DEBUG=True)
def test_without_the_seed_it_says_what_to_run():
    with pytest.raises(CommandError, match="load_seed"):
        call_command("load_demo")


@override_settings(DEBUG=True)
def test_it_gives_the_demo_districts_contact_lists_once():
    from contacts.models import ContactList, ElectionBody, SubmissionState

    seed_loaded()
    demo_loaded()
    call_command("load_demo")
    # (the other districts' lists: test_the_province_is_at_work_in_every_state)
    named = ContactList.objects.filter(
        organisation__code__in=["district-380", "district-405"]
    )
    states = dict(named.values_list("organisation__code", "latest_version__status"))
    assert states == {"district-380": "submitted", "district-405": "accepted"}
    dong_son = ContactList.objects.get(organisation__code="district-405")
    assert dong_son.state == SubmissionState.ACCEPTED
    in_force = dong_son.accepted_version
    assert in_force is not None
    assert in_force.communes_covered == in_force.communes_total
    assert ElectionBody.objects.filter(version=dong_son.accepted_version).count() > 20


@override_settings(DEBUG=True)
def test_it_reports_the_demo_incidents_once_for_the_live_board():
    from incidents.models import Incident
    from incidents.selectors.incidents import difficulties_unanswered
    from incidents.services.escalation import incidents_escalate_due

    seed_loaded()
    demo_loaded()
    call_command("load_demo")
    # (MobiFone's closed one: test_the_province_is_at_work_in_every_state)
    named = Incident.objects.exclude(organisation__code="mobifone-thanhhoa")
    statuses = dict(named.values_list("organisation__code", "status").order_by("pk"))
    assert statuses == {
        "vnpt-thanhhoa": "reported",
        "viettel-thanhhoa": "acknowledged",
        "vnpost-thanhhoa": "resolved",
        "district-380": "reported",
        "district-405": "acknowledged",  # answered
    }
    unanswered = [i.organisation.code for i in difficulties_unanswered(named)]
    assert unanswered == ["district-380"]
    # The fibre cut is past its acknowledgement limit: the first tick
    # escalates it to the Department's officer on duty.
    assert incidents_escalate_due() > 0
    fibre_cut = Incident.objects.get(organisation__code="vnpt-thanhhoa")
    assert fibre_cut.escalation_step == 1


@override_settings(DEBUG=True)
def test_the_province_is_at_work_in_every_state():
    from contacts.models import (
        ContactList,
        MessageStatus,
        OutboundMessage,
        User,
    )
    from contacts.selectors.inbox import inbox_messages
    from readiness.models import Deadline, SectionReview

    demo_loaded(seed=True)
    call_command("load_demo", seed=True)
    lists = {
        c.latest_version.status if c.latest_version else "draft"
        for c in ContactList.objects.all()
    }
    assert lists == {"accepted", "returned", "submitted", "draft"}
    districts = Organisation.objects.filter(kind="district")
    assert ContactList.objects.count() < districts.count()  # some not started
    reviews = set(SectionReview.objects.values_list("status", flat=True))
    assert reviews == {"accepted", "returned", "submitted"}
    assert Deadline.objects.exclude(organisation=None).exists()  # extensions
    from incidents.models import Incident

    statuses = set(Incident.objects.values_list("status", flat=True))
    assert statuses == {"reported", "acknowledged", "resolved", "closed"}
    assert OutboundMessage.objects.filter(
        kind="reminder", status=MessageStatus.SENT
    ).exists()
    users = ("staff", "district", "district2", "telecom", "telecom2", "observer")
    for username in users:
        user = User.objects.get(username=username)
        assert inbox_messages(user=user).exists(), username


@override_settings(DEBUG=True)
def test_some_people_are_invited_and_one_link_has_expired():
    """Through the real service, at moments of the demo's calendar: the
    adoption page shows people still to join, one whose link expired; a
    second run invites nobody again."""
    from django.utils import timezone

    from contacts.models import Invitation
    from contacts.selectors.adoption import MemberState, adoption_people

    seed_loaded()
    demo_loaded()
    call_command("load_demo")
    states = {
        p.membership.user.full_name: (p.membership.organisation.code, p.state)
        for p in adoption_people(now=timezone.now())
        if not p.membership.user.is_active
    }
    assert states == {
        "Nguyễn Thị Thu": ("district-380", MemberState.INVITED),
        "Trịnh Văn Long": ("district-380", MemberState.EXPIRED),
        "Lê Thị Mai": ("vnpost-thanhhoa", MemberState.INVITED),
    }
    assert Invitation.objects.count() == 3
