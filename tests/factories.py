"""Factories for the registry and readiness models (factory_boy)."""

import datetime
import zoneinfo
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db.models import Model

from contacts.models import (
    AdministrativeUnit,
    Election,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)
from contacts.names import peoples_committee
from readiness.models import (
    Deadline,
    Directive,
    EvidenceKind,
    Obligation,
    RecipientGroup,
)

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

M = TypeVar("M", bound=Model)


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A DjangoModelFactory whose call, `XFactory(...)`, makes an M for the
    type checker as it does at run time (factory_boy's metaclass returns the
    saved object; mypy would read the call as making a factory)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]


class ProvinceFactory(ModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 10}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    division_type = "tỉnh"
    level = UnitLevel.PROVINCE


class DistrictFactory(ModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"Huyện Thử {n}")
    division_type = "huyện"
    level = UnitLevel.DISTRICT
    parent = factory.SubFactory(ProvinceFactory)


class CommuneFactory(ModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    division_type = "xã"
    level = UnitLevel.COMMUNE
    parent = factory.SubFactory(DistrictFactory)


class OrganisationFactory(ModelFactory[Organisation]):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.TELECOM
    # A declaration of any kind (DistrictOrganisationFactory's is lazy).
    name: factory.declarations.BaseDeclaration = factory.Sequence(
        lambda n: f"Tổ chức {n}"
    )
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class DistrictOrganisationFactory(OrganisationFactory):
    kind = OrganisationKind.DISTRICT
    unit = factory.SubFactory(DistrictFactory)
    name = factory.LazyAttribute(lambda o: peoples_committee(o.unit))


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.django.Password("test-password")


class MembershipFactory(ModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.EDITOR


class ElectionFactory(ModelFactory[Election]):
    class Meta:
        model = Election

    name = "Bầu cử thử"
    name_en = "Test election"
    province = factory.SubFactory(ProvinceFactory)
    polling_day = datetime.date(2021, 5, 23)
    before_starts_on = factory.LazyAttribute(
        lambda e: e.polling_day - datetime.timedelta(days=105)
    )
    after_ends_on = factory.LazyAttribute(
        lambda e: e.polling_day + datetime.timedelta(days=20)
    )


class DirectiveFactory(ModelFactory[Directive]):
    class Meta:
        model = Directive

    election = factory.SubFactory(ElectionFactory)
    code = factory.Sequence(lambda n: f"directive-{n}")
    number = factory.Sequence(lambda n: f"{n}/STTTT-QLVT")
    issued_year = 2021
    issued_month = 2
    issued_day = 1
    issuer = "Sở Thông tin và Truyền thông"
    subject = "Đảm bảo thông tin liên lạc phục vụ bầu cử"
    subject_en = "Ensuring communications for the election"
    recipients = "UBND các huyện; các doanh nghiệp"


class ObligationFactory(ModelFactory[Obligation]):
    class Meta:
        model = Obligation

    directive = factory.SubFactory(DirectiveFactory)
    code = factory.Sequence(lambda n: f"X{n}")
    recipient_group = RecipientGroup.TELECOM
    title = factory.Sequence(lambda n: f"Nghĩa vụ {n}")
    title_en = factory.Sequence(lambda n: f"Obligation {n}")
    text = "Nội dung"
    evidence_kind = EvidenceKind.PLAN_SECTION


class DeadlineFactory(ModelFactory[Deadline]):
    class Meta:
        model = Deadline

    obligation = factory.SubFactory(ObligationFactory)
    due_at = datetime.datetime(2021, 4, 23, 17, 0, tzinfo=VN)


def directive_with_carrier_deadlines(
    *, obligations: int = 10, due_at: datetime.datetime
) -> Directive:
    """A directive with `obligations` telecom obligations due from `due_at`,
    an hour apart: the shape of the reminder scale test and benchmark."""
    directive = DirectiveFactory(
        election__polling_day=(due_at + datetime.timedelta(days=30)).date(),
        election__before_starts_on=(due_at - datetime.timedelta(days=60)).date(),
        election__after_ends_on=(due_at + datetime.timedelta(days=50)).date(),
    )
    for i in range(obligations):
        DeadlineFactory(
            obligation=ObligationFactory(directive=directive, code=f"O{i}", position=i),
            due_at=due_at + datetime.timedelta(hours=i),
        )
    return directive


def carriers_with_one_member(*, count: int, first: int = 0) -> None:
    """Carriers carrier-{first}… with one e-mail member each, in bulk
    inserts, so a thousand take a second."""
    numbers = range(first, first + count)
    carriers = Organisation.objects.bulk_create(
        Organisation(
            code=f"carrier-{i}", kind=OrganisationKind.TELECOM, name=f"Doanh nghiệp {i}"
        )
        for i in numbers
    )
    users = User.objects.bulk_create(
        User(username=f"carrier-{i}", email=f"carrier-{i}@example.vn") for i in numbers
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=carrier)
        for user, carrier in zip(users, carriers, strict=True)
    )
