"""The demo logins of `load_demo` (README "Demo logins"), also used by the
benchmarks and the tests that log in as them."""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from contacts.models import (
    MemberRole,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
)
from contacts.services.members import PersonDraft, person_invite
from demo.contacts import person_name

# Username → (organisation code, full name).
DEMO_USERS = {
    "staff": ("so-tttt-38", "Nguyễn Văn An"),
    "observer": ("uybc-38", "Trần Thị Bình"),
    "district": ("district-380", "Lê Văn Cường"),
    "district2": ("district-405", "Phạm Thị Dung"),
    "telecom": ("vnpt-thanhhoa", "Hoàng Văn Em"),
    "telecom2": ("viettel-thanhhoa", "Vũ Thị Giang"),
    "postal": ("vnpost-thanhhoa", "Đặng Văn Hùng"),
}
# The demo logins who head their organisation: they manage its members.
DEMO_HEADS = {"district"}


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[User]:
    """Create (or reset the password of) the demo users of the seed case."""
    users = []
    for username, (org_code, full_name) in DEMO_USERS.items():
        organisation = Organisation.objects.get(code=org_code)
        user = User.objects.filter(username=username).first() or User(
            username=username, full_name=full_name
        )
        user.email = f"{username}@example.invalid"
        # Department staff also manage the registry in the Django admin.
        user.is_staff = user.is_superuser = (
            organisation.kind == OrganisationKind.DEPARTMENT
        )
        user.set_password(password)
        user.save()
        _editor_of(user, organisation, is_head=username in DEMO_HEADS)
        users.append(user)
    return users


def _editor_of(
    user: User, organisation: Organisation, *, is_head: bool = False
) -> None:
    """The demo login's one membership: an editor of `organisation`."""
    Membership.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "role": MembershipRole.EDITOR,
            "is_head": is_head,
        },
    )


# The organisations with obligations (recipient groups of a directive).
WITH_OBLIGATIONS = (
    OrganisationKind.DISTRICT,
    OrganisationKind.POSTAL,
    OrganisationKind.TELECOM,
)


@transaction.atomic
def demo_organisation_logins_ensure(*, password: str) -> list[User]:
    """A login for every active organisation with obligations that has no
    member yet, named by the organisation's code (README "Demo logins"):
    `district-381`, `mobifone-thanhhoa`…"""
    hashed = make_password(password)  # one hash for all: PBKDF2 takes 0.3 s each
    organisations = Organisation.objects.filter(
        kind__in=WITH_OBLIGATIONS, is_active=True
    ).exclude(memberships__isnull=False)
    users = []
    for organisation in organisations.order_by("code"):
        user = User.objects.filter(username=organisation.code).first() or User(
            username=organisation.code, full_name=_officer_name(organisation)
        )
        user.email = f"{organisation.code}@example.invalid"
        user.password = hashed
        user.save()
        _editor_of(user, organisation)
        users.append(user)
    # Those made by an earlier run get the password of this one.
    User.objects.filter(
        membership__organisation__kind__in=WITH_OBLIGATIONS,
        username=F("membership__organisation__code"),
    ).update(password=hashed)
    return list(
        User.objects.filter(
            membership__organisation__kind__in=WITH_OBLIGATIONS,
            username=F("membership__organisation__code"),
        )
    )


def _officer_name(organisation: Organisation) -> str:
    rng = random.Random(organisation.code)  # noqa: S311 (demo names, not secrets)
    return person_name(rng)


# People invited who have not joined yet (the adoption page, the members
# page): (organisation code, full name, e-mail, role, days before the
# demo's day the link was sent). Links last INVITATION_VALID_DAYS (7): the
# one sent twelve days before has expired.
DEMO_INVITED = (
    ("district-380", "Nguyễn Thị Thu", "thu.nguyen", MemberRole.EDITOR, 1),
    ("district-380", "Trịnh Văn Long", "long.trinh", MemberRole.VIEWER, 12),
    ("vnpost-thanhhoa", "Lê Thị Mai", "mai.le", MemberRole.HEAD, 2),
)


@transaction.atomic
def demo_invitations_ensure(*, staff: User, today: datetime.date) -> list[User]:
    """Invite the DEMO_INVITED people through the real service, each link
    sent at 09:00 so many days before `today` (the demo calendar's day, so
    that the links sent move with it: demo.calendar). Someone already
    there is left as they are (they may have joined in the demo since)."""
    people = []
    for code, full_name, mailbox, role, days_before in DEMO_INVITED:
        email = f"{mailbox}@example.invalid"
        person = User.objects.filter(username=email).first()
        if person is None:
            sent = datetime.datetime.combine(
                today - datetime.timedelta(days=days_before),
                datetime.time(9),
                tzinfo=timezone.get_current_timezone(),
            )
            draft = PersonDraft(
                full_name=full_name,
                email=email,
                phone="",
                role=role,
                organisation=Organisation.objects.get(code=code),
            )
            person = person_invite(draft=draft, by=staff, now=sent).person
        people.append(person)
    return people
