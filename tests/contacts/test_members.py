import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    ApiToken,
    Channel,
    Invitation,
    InvitationEnd,
    MemberRole,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MessageStatus,
    OutboundMessage,
    User,
)
from contacts.services.api_tokens import api_token_create
from contacts.services.members import (
    InvitationNotValid,
    LinkState,
    PersonDraft,
    invitation_accept,
    invitation_find,
    invitation_renew,
    invitation_resend,
    invitation_state,
    member_deactivate,
    member_reactivate,
    member_role_set,
    person_invite,
)
from tests.contacts.members import invitation_secret

PASSWORD = "lua-chon-mat-khau-2026"


def _draft(world, **kw) -> PersonDraft:
    values = {
        "full_name": "Lê Thị Hoa",
        "email": "Hoa.Le@DongSon.gov.vn",
        "phone": "",
        "role": MemberRole.EDITOR,
        "organisation": world.district_b,
    }
    values.update(kw)
    return PersonDraft(**values)


def test_an_invited_person_has_an_inactive_account_and_a_vietnamese_email(world):
    invitation = person_invite(draft=_draft(world), by=world.staff)
    person = invitation.person
    assert person.is_active is False
    assert person.has_usable_password() is False
    assert person.username == "hoa.le@dongson.gov.vn"
    assert person.membership.organisation == world.district_b
    message = OutboundMessage.objects.get(recipient=person, kind="invitation")
    assert message.channel == Channel.EMAIL
    assert message.address == "hoa.le@dongson.gov.vn"
    assert message.subject.startswith("Lời mời tham gia UBND huyện Đông Sơn")
    assert "Đặt mật khẩu bằng đường dẫn này" in message.body
    assert "/accounts/invitation/" in message.body
    event = MembershipEvent.objects.get(person=person)
    assert (event.kind, event.by) == (MembershipEventKind.INVITED, world.staff)


def test_without_email_the_link_goes_by_sms_when_sms_is_on(world, settings):
    settings.USE_SMS = True
    invitation = person_invite(
        draft=_draft(world, email="", phone="0912 345 678"), by=world.staff
    )
    message = OutboundMessage.objects.get(recipient=invitation.person)
    assert (message.channel, message.address) == (Channel.SMS, "+84912345678")
    assert invitation.person.username == "+84912345678"


def test_without_email_and_sms_off_the_invitation_is_refused(world, settings):
    settings.USE_SMS = False
    with pytest.raises(ValidationError) as exc:
        person_invite(draft=_draft(world, email="", phone="0912345678"), by=world.staff)
    assert "email" in exc.value.message_dict
    assert not User.objects.filter(full_name="Lê Thị Hoa").exists()


def test_an_address_longer_than_a_login_name_is_refused(world):
    """People sign in with their e-mail address: one longer than a login
    name holds (150 characters) is refused, not cut nor a database error
    (PostgreSQL refuses the row)."""
    long_address = "a" * 64 + "@" + "b" * 63 + "." + "c" * 40 + ".vn"
    with pytest.raises(ValidationError) as exc:
        person_invite(draft=_draft(world, email=long_address), by=world.staff)
    assert exc.value.message_dict["email"] == [
        "Địa chỉ thư điện tử dài tối đa 150 ký tự (địa chỉ này có 172)."
    ]
    assert not User.objects.filter(full_name="Lê Thị Hoa").exists()


def test_an_address_of_another_organisation_is_refused(world):
    world.telecom_officer.email = "hoa.le@dongson.gov.vn"
    world.telecom_officer.save()
    with pytest.raises(ValidationError, match="đơn vị khác"):
        person_invite(draft=_draft(world), by=world.staff)


def test_the_link_sets_a_password_once(world):
    invitation = person_invite(draft=_draft(world), by=world.staff)
    found = invitation_find(invitation_secret(invitation.person))
    assert found == invitation
    assert invitation_state(found) == LinkState.VALID
    person = invitation_accept(invitation=found, password=PASSWORD)
    assert person.is_active and person.check_password(PASSWORD)
    assert invitation_state(Invitation.objects.get()) == LinkState.USED
    with pytest.raises(InvitationNotValid):
        invitation_accept(invitation=found, password="another-one-2026")


def test_a_link_expires_after_the_days_set(world, settings):
    settings.INVITATION_VALID_DAYS = 7
    invitation = person_invite(draft=_draft(world), by=world.staff)
    later = timezone.now() + datetime.timedelta(days=7, minutes=1)
    assert invitation_state(invitation, later) == LinkState.EXPIRED
    with pytest.raises(InvitationNotValid):
        invitation_accept(invitation=invitation, password=PASSWORD, now=later)


def test_resending_ends_the_previous_link(world):
    first = person_invite(draft=_draft(world), by=world.staff)
    old_secret = invitation_secret(first.person)
    invitation_resend(membership=first.person.membership, by=world.staff)
    old, new = (
        invitation_find(old_secret),
        invitation_find(invitation_secret(first.person)),
    )
    assert old is not None and new is not None
    assert invitation_state(old) == LinkState.SUPERSEDED
    assert invitation_state(new) == LinkState.VALID


def test_an_expired_link_can_ask_for_a_new_one_once_in_ten_minutes(world):
    invitation = person_invite(draft=_draft(world), by=world.staff)
    later = timezone.now() + datetime.timedelta(days=8)
    renewed = invitation_renew(invitation=invitation, now=later)
    assert renewed is not None and renewed.invited_by is None
    assert invitation_state(renewed, later) == LinkState.VALID
    # The old link, now superseded, renews nothing more.
    assert invitation_renew(invitation=invitation, now=later) is None
    assert Invitation.objects.count() == 2


def test_a_head_changes_a_role_but_not_their_own(world):
    head = Membership.objects.get(user=world.district_a_officer)
    head.is_head = True
    head.save()
    invitation = person_invite(
        draft=_draft(world, organisation=world.district_a), by=world.staff
    )
    membership = member_role_set(
        membership=invitation.person.membership,
        role=MemberRole.VIEWER,
        by=world.district_a_officer,
    )
    assert membership.can_write is False
    event = MembershipEvent.objects.get(kind=MembershipEventKind.ROLE_CHANGED)
    assert event.by == world.district_a_officer
    with pytest.raises(ValidationError):
        member_role_set(membership=head, role=MemberRole.VIEWER, by=head.user)


def test_deactivation_revokes_own_tokens_only_and_ends_open_invitations(world):
    officer = world.telecom_officer
    own, _secret = api_token_create(organisation=world.telecom, name="NOC", by=officer)
    others, _secret = api_token_create(
        organisation=world.telecom, name="Billing", by=world.staff
    )
    sent = person_invite(
        draft=_draft(world, organisation=world.telecom, email="noc@vt.vn"), by=officer
    )
    result = member_deactivate(membership=officer.membership, by=world.staff)
    assert (result.tokens_revoked, result.invitations_ended) == (1, 1)
    officer.refresh_from_db()
    assert officer.is_active is False and not officer.has_usable_password()
    assert ApiToken.objects.get(pk=own.pk).revoked_by == world.staff
    assert ApiToken.objects.get(pk=others.pk).revoked_at is None
    sent.refresh_from_db()
    assert sent.end_reason == InvitationEnd.DEACTIVATED
    assert invitation_state(sent) == LinkState.CANCELLED
    assert OutboundMessage.objects.get(recipient=sent.person).status in (
        MessageStatus.PENDING,
        MessageStatus.CANCELLED,
    )


def test_deactivation_ends_an_open_session_at_its_next_request(client, world):
    client.force_login(world.district_a_officer)
    assert client.get(reverse("home")).status_code == 200
    member_deactivate(membership=world.district_a_officer.membership, by=world.staff)
    r = client.get(reverse("home"))
    assert r.status_code == 302 and reverse("login") in r["Location"]
    assert "_auth_user_id" not in client.session


def test_reactivation_sends_a_new_invitation(world):
    membership = world.district_a_officer.membership
    member_deactivate(membership=membership, by=world.staff)
    invitation = member_reactivate(membership=membership, by=world.staff)
    assert invitation_state(invitation) == LinkState.VALID
    person = invitation_accept(invitation=invitation, password=PASSWORD)
    assert person.is_active
    kinds = list(
        MembershipEvent.objects.filter(person=person)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["deactivated", "reactivated", "joined"]
