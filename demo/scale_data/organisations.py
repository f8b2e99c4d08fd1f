"""District organisations and carrier branches, and one officer for each."""

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from contacts.models import (
    CARRIER_KINDS,
    AdministrativeUnit,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)
from contacts.names import peoples_committee, place_name
from contacts.selectors.units import district_unit
from demo.contacts import mobile_phone, person_name
from demo.scale_data.bulk import insert
from demo.scale_data.world import World, e164

# (code, kind, Vietnamese name, English name, loaded by load_seed for the
# seed's province under its own code). Sixteen brands × 63 provinces ≈ 1,000.
BRANDS = [
    ("vnpt", OrganisationKind.TELECOM, "Viễn thông {}", "VNPT {}", True),
    ("viettel", OrganisationKind.TELECOM, "Viettel {}", "Viettel {}", True),
    ("mobifone", OrganisationKind.TELECOM, "MobiFone tại {}", "MobiFone {}", True),
    (
        "vnmobile",
        OrganisationKind.TELECOM,
        "Vietnamobile tại {}",
        "Vietnamobile {}",
        True,
    ),
    (
        "fpt",
        OrganisationKind.TELECOM,
        "FPT Telecom Chi nhánh {}",
        "FPT Telecom {}",
        True,
    ),
    ("vnpost", OrganisationKind.POSTAL, "Bưu điện tỉnh {}", "Vietnam Post {}", True),
    (
        "vtpost",
        OrganisationKind.POSTAL,
        "Bưu chính Viettel Chi nhánh {}",
        "Viettel Post {}",
        True,
    ),
    (
        "cmc",
        OrganisationKind.TELECOM,
        "CMC Telecom Chi nhánh {}",
        "CMC Telecom {}",
        False,
    ),
    ("sctv", OrganisationKind.TELECOM, "SCTV Chi nhánh {}", "SCTV {}", False),
    ("gtel", OrganisationKind.TELECOM, "Gtel Mobile tại {}", "Gtel Mobile {}", False),
    ("vtvcab", OrganisationKind.TELECOM, "VTVcab Chi nhánh {}", "VTVcab {}", False),
    ("netnam", OrganisationKind.TELECOM, "NetNam Chi nhánh {}", "NetNam {}", False),
    ("ems", OrganisationKind.POSTAL, "EMS Chi nhánh {}", "EMS {}", False),
    ("ghn", OrganisationKind.POSTAL, "Giao Hàng Nhanh Chi nhánh {}", "GHN {}", False),
    (
        "ghtk",
        OrganisationKind.POSTAL,
        "Giao Hàng Tiết Kiệm Chi nhánh {}",
        "GHTK {}",
        False,
    ),
    ("nhattin", OrganisationKind.POSTAL, "Nhất Tín Chi nhánh {}", "Nhat Tin {}", False),
]


def _districts_by_province(world: World) -> dict[int, list[AdministrativeUnit]]:
    found: dict[int, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=UnitLevel.DISTRICT, parent__in=world.provinces
    ).order_by("code"):
        if unit.parent_id is not None:  # (filtered on the parent)
            found.setdefault(unit.parent_id, []).append(unit)
    return found


def organisations_generate(world: World) -> None:
    """District organisations missing from the seed, and carrier branches
    in every province in scope, each serving the province's districts."""
    districts = _districts_by_province(world)
    have = set(Organisation.objects.values_list("code", flat=True))
    new = [
        Organisation(
            code=f"district-{unit.code}",
            kind=OrganisationKind.DISTRICT,
            name=peoples_committee(unit),
            name_en=f"People's Committee of {unit.name}",
            unit=unit,
        )
        for units in districts.values()
        for unit in units
        if f"district-{unit.code}" not in have
    ]
    carriers = _carriers(world, districts)
    insert(new + [org for org, _units in carriers])
    Through = Organisation.served_units.through
    insert(
        [
            Through(organisation_id=org.pk, administrativeunit_id=unit.pk)
            for org, units in carriers
            for unit in units
        ],
        ids=False,
    )
    for org in new + [org for org, _units in carriers]:
        world.audit.add(org, world.now, user_id=None)
    world.counts.organisations = len(new) + len(carriers)


def _carriers(world: World, districts: dict) -> list[tuple[Organisation, list]]:
    seed_province = world.election.province_id
    found = []
    for province in world.provinces:
        for code, kind, name, name_en, seeded in BRANDS[: world.spec.carrier_brands]:
            if seeded and province.pk == seed_province:
                continue  # load_seed has it (contacts/data/thanh-hoa-carriers.csv)
            org = Organisation(
                code=f"{code}-{province.code}",
                kind=kind,
                name=name.format(place_name(province)),
                name_en=name_en.format(place_name(province)),
                phone=e164(mobile_phone(world.rng(f"org:{code}:{province.code}"))),
            )
            found.append((org, districts.get(province.pk, [])))
    return found


def in_scope(world: World, kinds) -> list[Organisation]:
    q = Organisation.objects.filter(kind__in=kinds, is_active=True)
    if not world.spec.whole_country:
        province = world.election.province_id
        q = q.filter(Q(unit=None) | Q(unit_id=province) | Q(unit__parent_id=province))
    return list(q.select_related("unit").order_by("kind", "code"))


def officers_generate(world: World) -> None:
    """One editor per organisation, with an unusable password: pages have
    someone to show, and nobody can sign in as them."""
    rng = world.rng("officers")
    orgs = in_scope(world, [*CARRIER_KINDS, OrganisationKind.DISTRICT])
    orgs += [world.department]
    users = []
    for org in orgs:
        users.append(
            User(
                username=f"scale-{org.code}",
                full_name=person_name(rng),
                phone=e164(mobile_phone(rng)),
                email=f"scale-{org.code}@example.invalid",
                password=make_password(None),
                date_joined=world.now,
            )
        )
    insert(users)
    memberships = [
        Membership(
            user_id=user.pk,
            organisation_id=org.pk,
            role=MembershipRole.EDITOR,
            is_head=org.pk == world.department.pk,
        )
        for org, user in zip(orgs, users, strict=True)
    ]
    insert(memberships)
    for obj in users + memberships:
        world.audit.add(obj, world.now, user_id=None)
    for org, user in zip(orgs, users, strict=True):
        world.officers[org.pk] = user
    world.counts.users = len(users)


def active_districts(world: World) -> list[Organisation]:
    """The districts that get lists, reports and incidents."""
    districts = sorted(
        in_scope(world, [OrganisationKind.DISTRICT]),
        key=lambda o: district_unit(o).code,
    )
    return districts[: world.spec.districts]
