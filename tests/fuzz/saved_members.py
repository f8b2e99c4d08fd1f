"""What the forms that bring people in saved, read back for the fuzz tests
(tests/fuzz/test_fuzz_forms.py): inviting one person or a spreadsheet of
them, changing a role, sending the invitations again, joining on a link,
asking for and setting a new password. Also the records those forms need
that the authorization matrix's world does not have (an address on an
active account, a reset link opened, a deactivated member, an expired
link), made in the example's savepoint."""

import datetime
import unicodedata

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contacts.models import (
    Invitation,
    InvitationEnd,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    OutboundMessage,
    User,
)
from contacts.services.members import invitation_find, member_deactivate
from contacts.services.password_resets import RESET_TOPIC
from tests.fuzz.saved import _phone, _problems
from tests.fuzz.support import Matrix, Target, received, sent, typed

# --- Inviting ----------------------------------------------------------------------


def _invited(person: User, organisation_id: int, role: str) -> list[tuple]:
    """An account made by an invitation: not active, no password yet, a
    membership of the organisation with the role."""
    membership = Membership.objects.get(user=person)
    return [
        ("is_active", person.is_active, False),
        ("usable password", person.has_usable_password(), False),
        ("organisation", membership.organisation_id, organisation_id),
        ("role", membership.member_role, role),
        ("deactivated", membership.deactivated_at, None),
    ]


def saved_invited(m: Matrix, t: Target, data: dict) -> list[str]:
    """The person invited on the organisation's members page: the e-mail in
    lower case (the login name: the phone without one), the name trimmed
    with its inner spaces collapsed and precomposed, the phone in E.164."""
    email = typed(data, "email").lower()
    phone = _phone(data, "phone")
    person = User.objects.filter(username=email or phone).first()
    if person is None:
        return [f"no account named {email or phone!r}"]
    pairs = [
        ("full_name", person.full_name, " ".join(typed(data, "full_name").split())),
        ("email", person.email, email),
        ("phone", person.phone, phone),
        *_invited(person, t.pk, sent(data, "role")),
    ]
    return _problems(pairs)


def saved_role(m: Matrix, t: Target, data: dict) -> list[str]:
    membership = Membership.objects.get(pk=t.pk)
    return _problems([("role", membership.member_role, sent(data, "role"))])


def saved_resent(m: Matrix, t: Target, data: dict) -> list[str]:
    """Each person of the organisation still to join has one open link, a
    new one: the world's was ended (superseded)."""
    waiting = Membership.objects.filter(
        organisation_id=t.pk, user__is_active=False, deactivated_at=None
    )
    pairs = []
    for membership in waiting:
        links = Invitation.objects.filter(person_id=membership.user_id)
        pairs += [
            (
                f"open links of {membership.user_id}",
                links.filter(ended_at=None, accepted_at=None).count(),
                1,
            ),
            (
                f"superseded links of {membership.user_id}",
                links.filter(end_reason=InvitationEnd.SUPERSEDED).exists(),
                True,
            ),
        ]
    return _problems([("people waiting", bool(pairs), True), *pairs])


# The spreadsheet the import's confirmation invites (contacts:people_import).
PEOPLE = (
    ("Lê Thị Hoa", "hoa.lt@example.vn", "district-b", "editor"),
    ("Trịnh Văn Nam", "nam.tv@example.vn", "telecom", "viewer"),
)
PEOPLE_CSV = (
    "Họ và tên;Thư điện tử;Đơn vị;Vai trò\n"
    + "".join(
        f"{name};{email};{code};{'chỉ xem' if role == 'viewer' else 'chỉnh sửa'}\n"
        for name, email, code, role in PEOPLE
    )
).encode()


def saved_people_invited(m: Matrix, t, data: dict) -> list[str]:
    """Everyone in the spreadsheet invited, with the organisation and role
    of their row (the signed rows carry them, whatever else was posted)."""
    codes = {org.code: org.pk for org in m.orgs.values()}
    pairs: list[tuple] = []
    for name, email, code, role in PEOPLE:
        person = User.objects.filter(email=email).first()
        if person is None:
            pairs.append((email, None, "invited"))
            continue
        pairs.append((f"{email} full_name", person.full_name, name))
        pairs += [
            (f"{email} {k}", a, b) for k, a, b in _invited(person, codes[code], role)
        ]
    return _problems(pairs)


# --- Joining and passwords ---------------------------------------------------------


def saved_joined(m: Matrix, t: Target, data: dict) -> list[str]:
    """The invited person joined with the password posted."""
    invitation = invitation_find(t.pk)
    assert invitation is not None
    person = User.objects.get(pk=invitation.person_id)
    return _problems(
        [
            ("password", person.check_password(sent(data, "new_password1")), True),
            ("is_active", person.is_active, True),
        ]
    )


# An active account with a password, given an address for the reset form
# (the world's accounts have none).
RESET_ACCOUNT = "district_b"
RESET_ADDRESS = "district-b@example.vn"


def reset_account_addressed(m: Matrix, client: Client) -> None:
    User.objects.filter(pk=m.users[RESET_ACCOUNT].pk).update(email=RESET_ADDRESS)


def _reset_recipients(address: str) -> set[int]:
    """Who a link goes to: the active accounts with a usable password whose
    e-mail is the address, in any case (Django's PasswordResetForm rule);
    nobody for an invited person who has not joined, or an unknown address."""
    folded = unicodedata.normalize("NFKC", address).casefold()
    return {
        user.pk
        for user in User.objects.filter(email__iexact=address, is_active=True)
        if user.has_usable_password()
        and unicodedata.normalize("NFKC", user.email).casefold() == folded
    }


def saved_reset_requested(m: Matrix, t, data: dict) -> list[str]:
    """Whatever the address, one line of the membership history (the
    address as typed, trimmed), and a link to each account it names:
    none to anyone else. The world asked for no reset before, so no limit
    is reached."""
    address = sent(data, "email").strip()
    events = list(
        MembershipEvent.objects.filter(
            kind__in=[
                MembershipEventKind.RESET_REQUESTED,
                MembershipEventKind.RESET_REFUSED,
            ]
        )
    )
    if len(events) != 1:
        return [f"{len(events)} reset events, wanted 1"]
    event = events[0]
    links = OutboundMessage.objects.filter(
        kind=RESET_TOPIC, dedupe_key__endswith=f":{event.pk}"
    )
    return _problems(
        [
            ("event", event.kind, MembershipEventKind.RESET_REQUESTED),
            ("detail", event.detail, address),
            (
                "links to",
                {msg.recipient_id for msg in links},
                _reset_recipients(address),
            ),
            (
                "addresses",
                {msg.address for msg in links} - {RESET_ADDRESS},
                set(),
            ),
        ]
    )


def _reset_uid(m: Matrix) -> str:
    return urlsafe_base64_encode(force_bytes(m.users[RESET_ACCOUNT].pk))


def reset_form_url(m: Matrix, t) -> str:
    """Where the reset link's form posts: Django keeps the token in the
    session and the URL says "set-password" instead."""
    return reverse("password_reset_confirm", args=[_reset_uid(m), "set-password"])


def reset_link_opened(m: Matrix, client: Client) -> None:
    """The client follows a real reset link (Django's default token for
    the account as it is now), as from the e-mail."""
    user = User.objects.get(pk=m.users[RESET_ACCOUNT].pk)
    token = default_token_generator.make_token(user)
    url = reverse("password_reset_confirm", args=[_reset_uid(m), token])
    response = client.get(url)
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reset_form_url(m, None)


def saved_reset_done(m: Matrix, t, data: dict) -> list[str]:
    user = User.objects.get(pk=m.users[RESET_ACCOUNT].pk)
    done = MembershipEvent.objects.filter(
        kind=MembershipEventKind.RESET_DONE, person=user
    )
    return _problems(
        [
            ("password", user.check_password(received(data, "new_password1")), True),
            ("history", done.count(), 1),
        ]
    )


# --- Records the buttons need ------------------------------------------------------


def deactivated_member(m: Matrix) -> Target:
    """District A's invited person, deactivated: their row shows the
    reactivate button."""
    target = next(t for t in m.targets["member"] if t.owner == "district_a")
    membership = Membership.objects.select_related("user", "organisation")
    member_deactivate(membership=membership.get(pk=target.pk), by=m.users["staff"])
    return target


def expired_link(m: Matrix) -> Target:
    """The world's invitation link, expired: its page offers a new one."""
    target = m.targets["invitation_link"][0]
    invitation = invitation_find(target.pk)
    assert invitation is not None
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=yesterday)
    return target
