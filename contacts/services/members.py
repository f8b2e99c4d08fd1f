"""Bringing people in and letting them go: invitations, roles, deactivation.

A person is invited with their name, e-mail and/or phone, organisation and
role. Their account is made at once, inactive and without a password, with
its membership, so that the organisation's page lists them; the invitation
(contacts.models.Invitation) sends a one-time link, valid
INVITATION_VALID_DAYS, on which they set their own password and join.
Every change writes a line of the membership history (MembershipEvent) in
its own transaction.
"""

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.model_fields import max_length
from contacts.models import (
    ApiToken,
    Channel,
    Invitation,
    InvitationEnd,
    MemberRole,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipRole,
    MessageStatus,
    Organisation,
    OutboundMessage,
    SignedInSession,
    User,
)
from contacts.phones import InvalidPhone, normalise_phone
from contacts.services.api_tokens import api_token_revoke
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    relevance_check,
)

INVITATION_TOPIC = "invitation"
# A person asking for a new link from an expired one gets at most one per
# this many minutes (the page is open to anyone holding an old link).
RENEW_EVERY = datetime.timedelta(minutes=10)
SECRET_BYTES = 32


def invitation_valid_for() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# A signed-in session's record is kept at most this long (the longest a
# session lives is far shorter: SESSION_IDLE_MINUTES, and a day at most).
SESSION_RECORD_DAYS = 30


def session_record(*, user: User, session_key: str | None) -> None:
    """Remember a session someone signed in with (connected to
    user_logged_in in ContactsConfig.ready), forgetting their old ones."""
    if not session_key or user.pk is None:
        return
    now = timezone.now()
    SignedInSession.objects.filter(
        user=user, signed_in_at__lt=now - datetime.timedelta(days=SESSION_RECORD_DAYS)
    ).delete()
    SignedInSession.objects.create(user=user, session_key=session_key, signed_in_at=now)


def sessions_end(*, user: User) -> int:
    """End every session the user signed in with."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = SignedInSession.objects.filter(user=user)
    keys = list(records.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    records.delete()
    return len(keys)


def membership_event(
    kind: str,
    *,
    at: datetime.datetime,
    organisation: Organisation | int | None,
    person: User | None,
    by: User | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> MembershipEvent:
    """Write one line of the membership history."""
    organisation_id = (
        organisation.pk if isinstance(organisation, Organisation) else organisation
    )
    return MembershipEvent.objects.create(
        kind=kind,
        at=at,
        organisation_id=organisation_id,
        person=person,
        by=by if by is not None and by.is_authenticated else None,
        detail=detail[:300],
        ip_address=ip_address,
    )


# --- Who a person is ------------------------------------------------------------


@dataclass(frozen=True)
class PersonDraft:
    """A person to invite, as typed in the form or read from a spreadsheet
    row; `clean_person` checks it and puts the e-mail and phone in the form
    they are kept in."""

    full_name: str
    email: str
    phone: str
    role: str
    organisation: Organisation


def no_address_message() -> str:
    if settings.USE_SMS:
        return _("Give an e-mail address or a mobile phone number to send the link.")
    return _("Give an e-mail address: the link is sent by e-mail (SMS is off).")


def clean_person(draft: PersonDraft) -> tuple[PersonDraft, dict[str, list[str]]]:
    """The draft with its e-mail in lower case and its phone in E.164, and
    the errors by field (full_name, email, phone, role)."""
    errors: dict[str, list[str]] = {}
    full_name = " ".join(draft.full_name.split())
    email = draft.email.strip().lower()
    phone = draft.phone.strip()
    if not full_name:
        errors.setdefault("full_name", []).append(_("Give the person's full name."))
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                _("“%(value)s” is not an e-mail address.") % {"value": draft.email}
            )
        else:
            if too_long := _email_too_long(email):
                errors.setdefault("email", []).append(too_long)
    if phone:
        try:
            phone = normalise_phone(phone)
        except InvalidPhone as exc:
            errors.setdefault("phone", []).append(exc.message)
    if not email and not (phone and settings.USE_SMS):
        errors.setdefault("email", []).append(no_address_message())
    if draft.role not in MemberRole.values:
        errors.setdefault("role", []).append(_("Choose head, editor or reader."))
    cleaned = PersonDraft(full_name, email, phone, draft.role, draft.organisation)
    return cleaned, errors


def _email_too_long(email: str) -> str | None:
    """Why the address cannot be the login name (_username): longer than a
    login name holds (PostgreSQL would refuse the row). None if it can."""
    limit = max_length(User, "username")
    if len(email) <= limit:
        return None
    return _(
        "An e-mail address is at most %(limit)d characters long "
        "(this one has %(length)d)."
    ) % {"limit": limit, "length": len(email)}


def account_of(*, email: str, phone: str) -> User | None:
    """The account (not an API token's) already using this e-mail or phone."""
    q = Q()
    if email:
        q |= Q(email__iexact=email) | Q(username__iexact=email)
    if phone:
        q |= Q(phone=phone) | Q(username=phone)
    if not q:
        return None
    return (
        User.objects.filter(q, api_token__isnull=True)
        .select_related("membership__organisation")
        .order_by("pk")
        .first()
    )


def taken_message(person: User, organisation: Organisation) -> str:
    membership = getattr(person, "membership", None)
    if membership is not None and membership.organisation_id == organisation.pk:
        return _("%(name)s is already a member of %(organisation)s.") % {
            "name": person,
            "organisation": organisation.display_name,
        }
    return _(
        "This e-mail or phone already belongs to an account of another "
        "organisation; a person acts for one organisation only."
    )


def _username(email: str, phone: str) -> str:
    """People sign in with their e-mail address, or their phone number when
    they have none."""
    return email or phone


def _membership_fields(role: str) -> dict:
    if role == MemberRole.HEAD:
        return {"role": MembershipRole.EDITOR, "is_head": True}
    return {"role": role, "is_head": False}


# --- Inviting ----------------------------------------------------------------------


@transaction.atomic
def person_invite(
    *,
    draft: PersonDraft,
    by: User,
    language: str = "vi",
    now: datetime.datetime | None = None,
) -> Invitation:
    """Make the person's inactive account and membership and send them an
    invitation. Raises ValidationError (by field) for a draft that does not
    check out or whose e-mail or phone is already someone's."""
    now = now or timezone.now()
    draft, errors = clean_person(draft)
    if errors:
        raise ValidationError(errors)
    existing = account_of(email=draft.email, phone=draft.phone)
    if existing is not None:
        raise ValidationError(taken_message(existing, draft.organisation))
    person = User(
        username=_username(draft.email, draft.phone),
        full_name=draft.full_name,
        email=draft.email,
        phone=draft.phone,
        language=language,
        is_active=False,
    )
    person.set_unusable_password()
    person.save()
    Membership.objects.create(
        user=person, organisation=draft.organisation, **_membership_fields(draft.role)
    )
    invitation = _issue(person, draft.organisation, by=by, now=now)
    membership_event(
        MembershipEventKind.INVITED,
        at=now,
        organisation=draft.organisation,
        person=person,
        by=by,
        detail=str(MemberRole(draft.role).label),
    )
    return invitation


def _issue(
    person: User,
    organisation: Organisation,
    *,
    by: User | None,
    now: datetime.datetime,
) -> Invitation:
    """A new invitation for the person, ending any open one (SUPERSEDED),
    and its message in the outbox."""
    _end_open(Q(person=person), InvitationEnd.SUPERSEDED, now)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    invitation = Invitation.objects.create(
        person=person,
        organisation=organisation,
        secret_hash=_hash(secret),
        invited_by=by,
        created_at=now,
        expires_at=now + invitation_valid_for(),
    )
    outbox_enqueue(messages=[_message(invitation, secret, now)])
    return invitation


def invitation_link(secret: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[secret])


def _message(
    invitation: Invitation, secret: str, now: datetime.datetime
) -> OutboundMessage:
    """By e-mail, or by SMS to a person without an address."""
    person = invitation.person
    link = invitation_link(secret)
    with override(person.language):
        expires = formats.date_format(
            timezone.localtime(invitation.expires_at), "SHORT_DATETIME_FORMAT"
        )
    ctx = {
        "person": person,
        "organisation": invitation.organisation,
        "invited_by": invitation.invited_by,
        "link": link,
        "expires": expires,
        "username": person.username,
    }
    subject, body, html = notification_render(
        name="invitation", ctx=ctx, language=person.language
    )
    by_email = bool(person.email)
    return OutboundMessage(
        dedupe_key=f"invitation:{invitation.pk}",
        kind="invitation",
        recipient=person,
        organisation=invitation.organisation,
        channel=Channel.EMAIL if by_email else Channel.SMS,
        address=person.email if by_email else person.phone,
        language=person.language,
        subject=subject,
        body=body,
        body_html=html if by_email else "",
        # The link holds the secret: the inbox never shows it.
        in_inbox=False,
        topic=f"{INVITATION_TOPIC}:{invitation.pk}",
        next_attempt_at=now,
    )


@relevance_check(INVITATION_TOPIC)
def invitations_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """An invitation not yet sent is dropped once it was accepted, ended or
    expired (one query per batch)."""
    ids = {m.pk: int(m.topic.split(":")[1]) for m in messages}
    open_ids = set(
        Invitation.objects.filter(
            pk__in=set(ids.values()),
            accepted_at=None,
            ended_at=None,
            expires_at__gt=now,
        ).values_list("pk", flat=True)
    )
    return {
        pk: "the invitation was accepted, ended or expired"
        for pk, invitation_id in ids.items()
        if invitation_id not in open_ids
    }


def _end_open(q: Q, reason: str, now: datetime.datetime) -> int:
    return Invitation.objects.filter(q, accepted_at=None, ended_at=None).update(
        ended_at=now, end_reason=reason
    )


def not_invitable_message() -> str:
    return _("This person has already joined; they can reset their password.")


@transaction.atomic
def invitation_resend(
    *, membership: Membership, by: User, now: datetime.datetime | None = None
) -> Invitation:
    """A new link for someone who has not joined yet (the previous one no
    longer works)."""
    now = now or timezone.now()
    person = membership.user
    if person.is_active or membership.deactivated_at is not None:
        raise ValidationError(not_invitable_message())
    invitation = _issue(person, membership.organisation, by=by, now=now)
    membership_event(
        MembershipEventKind.INVITATION_RESENT,
        at=now,
        organisation=membership.organisation,
        person=person,
        by=by,
    )
    return invitation


# --- Following a link -----------------------------------------------------------


class LinkState:
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


def invitation_find(secret: str) -> Invitation | None:
    if not secret or len(secret) > 100:
        return None
    return (
        Invitation.objects.select_related("person", "organisation")
        .filter(secret_hash=_hash(secret))
        .first()
    )


def invitation_state(
    invitation: Invitation, now: datetime.datetime | None = None
) -> str:
    now = now or timezone.now()
    if invitation.accepted_at is not None:
        return LinkState.USED
    if invitation.end_reason == InvitationEnd.SUPERSEDED:
        return LinkState.SUPERSEDED
    if invitation.ended_at is not None:
        return LinkState.CANCELLED
    if invitation.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


class InvitationNotValid(Exception):
    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    password: str,
    now: datetime.datetime | None = None,
) -> User:
    """The person sets their password and joins: their account becomes
    active. Raises InvitationNotValid for a link used, ended or expired (a
    second tab, a double click)."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = invitation_state(invitation, now)
    if state != LinkState.VALID:
        raise InvitationNotValid(state)
    person = User.objects.get(pk=invitation.person_id)
    person.set_password(password)
    person.is_active = True
    person.save(update_fields=["password", "is_active"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    membership_event(
        MembershipEventKind.JOINED,
        at=now,
        organisation=invitation.organisation_id,
        person=person,
    )
    return person


@transaction.atomic
def invitation_renew(
    *,
    invitation: Invitation,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> Invitation | None:
    """A new link asked for from an expired one, sent to the person's own
    address. None (nothing sent) when the link was not the person's latest
    expired one, or a link went out less than RENEW_EVERY ago."""
    now = now or timezone.now()
    if invitation_state(invitation, now) != LinkState.EXPIRED:
        return None
    membership = Membership.objects.filter(user_id=invitation.person_id).first()
    if membership is None or membership.deactivated_at is not None:
        return None
    recent = Invitation.objects.filter(
        person_id=invitation.person_id, created_at__gt=now - RENEW_EVERY
    )
    if recent.exists():
        return None
    renewed = _issue(invitation.person, membership.organisation, by=None, now=now)
    membership_event(
        MembershipEventKind.INVITATION_RENEWED,
        at=now,
        organisation=membership.organisation_id,
        person=invitation.person,
        ip_address=ip_address,
    )
    return renewed


# --- Roles and leaving -----------------------------------------------------------


def not_yourself_message() -> str:
    return _(
        "You cannot change your own membership; ask another head or the Department."
    )


def _refuse_self(membership: Membership, by: User) -> None:
    if membership.user_id == by.pk:
        raise ValidationError(not_yourself_message())


@transaction.atomic
def member_role_set(
    *,
    membership: Membership,
    role: str,
    by: User,
    now: datetime.datetime | None = None,
) -> Membership:
    now = now or timezone.now()
    _refuse_self(membership, by)
    if role not in MemberRole.values:
        raise ValidationError(_("Choose head, editor or reader."))
    before = membership.member_role
    if before == role:
        return membership
    for name, value in _membership_fields(role).items():
        setattr(membership, name, value)
    membership._change_reason = "role"  # type: ignore[attr-defined]
    membership.save(update_fields=["role", "is_head"])
    membership_event(
        MembershipEventKind.ROLE_CHANGED,
        at=now,
        organisation=membership.organisation_id,
        person=membership.user,
        by=by,
        detail=f"{MemberRole(before).label} → {MemberRole(role).label}",
    )
    return membership


@dataclass
class Deactivated:
    tokens_revoked: int
    invitations_ended: int
    messages_cancelled: int


@transaction.atomic
def member_deactivate(
    *,
    membership: Membership,
    by: User,
    now: datetime.datetime | None = None,
) -> Deactivated:
    """The person loses access at once: the account no longer signs in, its
    password is removed and the sessions it signed in with are ended (and
    any other would fail Django's check of a session against the password
    at its next request); the API tokens
    they made are revoked (the organisation's others are untouched); their
    invitation and the invitations they sent that are still open end; the
    messages still waiting for them are not sent; their authenticator is
    forgotten. Their records keep their name."""
    now = now or timezone.now()
    _refuse_self(membership, by)
    if membership.deactivated_at is not None:
        return Deactivated(0, 0, 0)
    person = User.objects.select_for_update().get(pk=membership.user_id)
    person.is_active = False
    person.set_unusable_password()
    person.save(update_fields=["is_active", "password"])
    sessions_end(user=person)
    membership.deactivated_at, membership.deactivated_by = now, by
    membership.save(update_fields=["deactivated_at", "deactivated_by"])
    tokens = ApiToken.objects.filter(created_by=person, revoked_at=None)
    revoked = 0
    for token in tokens:
        api_token_revoke(token=token, by=by, now=now)
        revoked += 1
    ended = _end_open(
        Q(person=person) | Q(invited_by=person), InvitationEnd.DEACTIVATED, now
    )
    cancelled = OutboundMessage.objects.filter(
        recipient=person, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED, last_error="the person was deactivated")
    TOTPDevice.objects.filter(user=person).delete()
    membership_event(
        MembershipEventKind.DEACTIVATED,
        at=now,
        organisation=membership.organisation_id,
        person=person,
        by=by,
    )
    return Deactivated(revoked, ended, cancelled)


@transaction.atomic
def member_reactivate(
    *,
    membership: Membership,
    by: User,
    now: datetime.datetime | None = None,
) -> Invitation:
    """Back in: a new invitation, on which the person sets a new password."""
    now = now or timezone.now()
    _refuse_self(membership, by)
    if membership.deactivated_at is None:
        raise ValidationError(_("This person is not deactivated."))
    membership.deactivated_at, membership.deactivated_by = None, None
    membership.save(update_fields=["deactivated_at", "deactivated_by"])
    invitation = _issue(membership.user, membership.organisation, by=by, now=now)
    membership_event(
        MembershipEventKind.REACTIVATED,
        at=now,
        organisation=membership.organisation_id,
        person=membership.user,
        by=by,
    )
    return invitation


def people_invite_many(
    *, drafts: Iterable[PersonDraft], by: User, language: str = "vi"
) -> list[Invitation]:
    """Invite each draft, all or none (the spreadsheet's confirmation):
    the first error rolls every one back and is raised."""
    now = timezone.now()
    with transaction.atomic():
        return [
            person_invite(draft=draft, by=by, language=language, now=now)
            for draft in drafts
        ]
