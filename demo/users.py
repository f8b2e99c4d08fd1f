"""The demo logins of `load_demo` (README "Demo logins"), also used by the
benchmarks and the tests that log in as them."""

from django.db import transaction

from contacts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
)

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
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "role": MembershipRole.EDITOR,
                "is_head": False,
            },
        )
        users.append(user)
    return users
