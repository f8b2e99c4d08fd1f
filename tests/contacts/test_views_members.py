"""An organisation's members page and the invited person's link, as a
district head, a Department editor, an observer and the invitee use them."""

import datetime
import unicodedata

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Invitation,
    MemberRole,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    OutboundMessage,
    User,
)
from contacts.services.members import PersonDraft, person_invite
from tests.contacts.members import invitation_secret
from tests.contacts.test_second_factor import _code, _key_shown
from tests.factories import MembershipFactory

PASSWORD = "Mat-khau-rieng-2026"


@pytest.fixture
def head_a(world) -> User:
    membership = Membership.objects.get(user=world.district_a_officer)
    membership.is_head = True
    membership.save()
    return world.district_a_officer


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(world, organisation, email="tran.binh@thanhhoa.gov.vn", by=None):
    draft = PersonDraft(
        full_name="Trần Văn Bình",
        email=email,
        phone="",
        role=MemberRole.EDITOR,
        organisation=organisation,
    )
    return person_invite(draft=draft, by=by or world.staff)


def _members_url(organisation) -> str:
    return reverse("contacts:members", args=[organisation.pk])


def test_a_head_invites_a_new_member_of_their_own_organisation(world, head_a):
    client = _client(head_a)
    page = client.get(_members_url(world.district_a))
    assert "Mời thêm người" in page.content.decode()
    r = client.post(
        _members_url(world.district_a),
        {
            "full_name": "Phạm Thị Cúc",
            "email": "cuc.pham@tp.thanhhoa.gov.vn",
            "phone": "",
            "role": MemberRole.VIEWER,
        },
        follow=True,
    )
    text = r.content.decode()
    assert "Đã gửi lời mời đến Phạm Thị Cúc" in text
    person = User.objects.get(email="cuc.pham@tp.thanhhoa.gov.vn")
    assert person.membership.organisation == world.district_a
    assert person.membership.can_write is False
    assert "chưa tham gia" in text
    event = MembershipEvent.objects.get(person=person)
    assert event.by == head_a


def test_a_bad_address_keeps_what_was_typed(world, head_a):
    r = _client(head_a).post(
        _members_url(world.district_a),
        {"full_name": "Phạm Thị Cúc", "email": "cuc.pham@", "role": "editor"},
    )
    text = r.content.decode()
    assert "không phải là địa chỉ thư điện tử" in text
    assert 'value="Phạm Thị Cúc"' in text
    assert not User.objects.filter(full_name="Phạm Thị Cúc").exists()


def test_a_name_typed_with_combining_marks_is_kept_precomposed(world, head_a):
    """Found by the fuzz tests: the name was saved as typed (Unikey's
    "Unicode tổ hợp"), so that searching for it precomposed missed it."""
    typed = unicodedata.normalize("NFD", "  Phạm  Thị Cúc ")
    r = _client(head_a).post(
        _members_url(world.district_a),
        {"full_name": typed, "email": "cuc.pham@tp.thanhhoa.gov.vn", "role": "editor"},
    )
    assert r.status_code == 302
    person = User.objects.get(email="cuc.pham@tp.thanhhoa.gov.vn")
    assert person.full_name == "Phạm Thị Cúc"


def test_a_name_too_long_once_precomposed_is_refused(world, head_a):
    """ "क़" is one code point typed, two composed: 150 of them make 300,
    beyond the 200 a name holds (PostgreSQL would refuse the row)."""
    r = _client(head_a).post(
        _members_url(world.district_a),
        {
            "full_name": "\u0958" * 150,
            "email": "a@tp.thanhhoa.gov.vn",
            "role": "editor",
        },
    )
    assert r.status_code == 200
    assert "tối đa 200 kí tự (hiện có 300)" in r.content.decode()
    assert not User.objects.filter(email="a@tp.thanhhoa.gov.vn").exists()


def test_a_head_cannot_touch_another_organisations_people(world, head_a):
    client = _client(head_a)
    other = world.district_b_officer.membership
    assert client.get(_members_url(world.district_b)).status_code == 404
    assert client.post(_members_url(world.district_b), {}).status_code == 404
    for name in ("member_role", "member_deactivate", "member_resend"):
        url = reverse(f"contacts:{name}", args=[other.pk])
        assert client.post(url, {"role": "viewer"}).status_code == 404
    other.refresh_from_db()
    assert other.role == "editor" and other.deactivated_at is None


@pytest.mark.parametrize("role", [MemberRole.EDITOR, MemberRole.VIEWER])
def test_members_who_are_not_heads_read_the_page_but_change_nothing(world, role):
    member = MembershipFactory(organisation=world.district_a, role=role).user
    colleague = world.district_a_officer.membership
    client = _client(member)
    page = client.get(_members_url(world.district_a))
    assert page.status_code == 200
    assert "Mời thêm người" not in page.content.decode()
    assert client.post(_members_url(world.district_a), {}).status_code == 403
    url = reverse("contacts:member_deactivate", args=[colleague.pk])
    assert client.post(url).status_code == 403
    colleague.user.refresh_from_db()
    assert colleague.user.is_active


def test_an_observer_reads_any_organisations_members_and_changes_none(world):
    client = _client(world.observer)
    assert client.get(_members_url(world.telecom)).status_code == 200
    membership = world.telecom_officer.membership
    url = reverse("contacts:member_role", args=[membership.pk])
    assert client.post(url, {"role": "viewer"}).status_code == 403


def test_a_department_editor_changes_a_districts_role(world):
    membership = world.district_b_officer.membership
    url = reverse("contacts:member_role", args=[membership.pk])
    r = _client(world.staff).post(url, {"role": MemberRole.HEAD}, follow=True)
    assert "thủ trưởng" in r.content.decode()
    membership.refresh_from_db()
    assert membership.manages_members


def test_a_head_deactivates_a_member_whose_open_session_ends(world, head_a):
    colleague = MembershipFactory(organisation=world.district_a).user
    theirs = _client(colleague)
    assert theirs.get(reverse("home")).status_code == 200
    url = reverse("contacts:member_deactivate", args=[colleague.membership.pk])
    r = _client(head_a).post(url, follow=True)
    assert "đã bị ngừng kích hoạt" in r.content.decode() or (
        "ngừng kích hoạt" in r.content.decode()
    )
    r = theirs.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_nobody_deactivates_themselves(world, head_a):
    url = reverse("contacts:member_deactivate", args=[head_a.membership.pk])
    r = _client(head_a).post(url, follow=True)
    assert "Bạn không thể tự thay đổi" in r.content.decode()
    head_a.refresh_from_db()
    assert head_a.is_active


def test_the_history_says_who_did_what(world, head_a):
    invitation = _invite(world, world.district_a, by=head_a)
    url = reverse("contacts:member_deactivate", args=[invitation.person.membership.pk])
    _client(world.staff).post(url)
    page = _client(head_a).get(
        reverse("contacts:member_history", args=[world.district_a.pk])
    )
    text = page.content.decode()
    assert "Trần Văn Bình" in text and "đã mời" in text
    assert "đã ngừng kích hoạt" in text


# --- The invited person's link ------------------------------------------------------


def test_the_link_sets_the_password_and_lands_on_the_home_page(world):
    invitation = _invite(world, world.district_b)
    url = reverse("invitation_accept", args=[invitation_secret(invitation.person)])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "tran.binh@thanhhoa.gov.vn" in page.content.decode()
    r = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    signed_in = Client().post(
        reverse("login"),
        {"username": "tran.binh@thanhhoa.gov.vn", "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    again = Client().get(url)
    assert again.status_code == 410
    assert "đã được sử dụng" in again.content.decode()


def test_a_weak_password_is_refused_and_the_link_still_works(world):
    invitation = _invite(world, world.district_b)
    url = reverse("invitation_accept", args=[invitation_secret(invitation.person)])
    r = Client().post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert r.status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_expired_link_offers_a_new_one(world):
    invitation = _invite(world, world.district_b)
    url = reverse("invitation_accept", args=[invitation_secret(invitation.person)])
    later = timezone.now() + datetime.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        page = Client().get(url)
        assert page.status_code == 410
        assert "đã hết hạn" in page.content.decode()
        renew = reverse("invitation_renew", args=[invitation_secret(invitation.person)])
        assert Client().post(renew).status_code == 200
    assert Invitation.objects.filter(person=invitation.person).count() == 2
    fresh = reverse("invitation_accept", args=[invitation_secret(invitation.person)])
    assert fresh != url
    with time_machine.travel(later, tick=False):
        assert Client().get(fresh).status_code == 200


def test_an_unknown_link_says_so(db):
    page = Client().get(reverse("invitation_accept", args=["not-a-real-secret"]))
    assert page.status_code == 404
    assert "không dùng được" in page.content.decode()


@override_settings(SECOND_FACTOR_FOR_DEPARTMENT=True)
def test_department_staff_set_up_their_authenticator_while_joining(world):
    invitation = _invite(world, world.department, email="can.bo@stttt.gov.vn")
    url = reverse("invitation_accept", args=[invitation_secret(invitation.person)])
    client = Client()
    assert "Bước 1/2" in client.get(url).content.decode()
    r = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert r["Location"].startswith(reverse("second_factor"))
    page = client.get(r["Location"])
    assert "Bước 2/2" in page.content.decode()
    key = _key_shown(page)
    done = client.post(
        reverse("second_factor"), {"code": _code(key), "next": "/", "joining": "1"}
    )
    assert done["Location"] == "/"
    assert client.get(reverse("readiness:dashboard")).status_code == 200


def test_an_invitation_message_is_not_sent_once_accepted(world):
    from contacts.services.outbox import outbox_deliver

    invitation = _invite(world, world.district_b)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    message = OutboundMessage.objects.get(recipient=invitation.person)
    outbox_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert MembershipEvent.objects.filter(kind=MembershipEventKind.INVITED).exists()
