"""Synthetic data at province or country scale, on top of the real units and
the Thanh Hóa 2021 election and directive that `load_seed` loads.

Used by the generate_scale_data management command and by the benchmarks:
district organisations and carriers (at country scale, every district of
the country and about 1,000 carrier branches, all addressed by the seed's
directive), one officer per organisation, contact lists, readiness plans,
duty rosters and incidents in every state, spread with random.Random(seed):
the same seed gives the same rows (ids aside).

Rows look like what the services write (contacts.services.contact_lists,
readiness.services.plans, incidents.services): a submitted contact list is
a ContactListVersion with frozen copies of the draft's bodies and contacts
(same uids); a plan version holds the JSON content plan_submit writes, with
one SectionReview per submitted section; an incident's status changes are
in its timeline (IncidentUpdate), as the committee report reads them.

Inserts are bulk: COPY on PostgreSQL, bulk_create elsewhere (SQLite, for the
tests). Audit trail (django-simple-history): rows the app reads the history
of get their historical rows, dated when the service would have written
them (organisations, users, memberships, contact lists and versions, plans,
sections, versions and reviews, shifts, incidents). Not written, because
nothing reads them and they would double the biggest tables: the history
of election bodies and contacts (the real import writes it for the draft),
of incident timeline rows (the timeline is itself a log), of the incident
areas and of carriers' served districts (m2m).

Runs once: it refuses an election that already has contact lists, plans,
shifts or incidents (a second run, or load_demo), so it never mixes its rows
with others. Start from a fresh database.
"""

import copy
import datetime
import io
import json
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from contacts import seed as contacts_seed
from contacts.models import (
    CARRIER_KINDS,
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    ContactPosition,
    Election,
    ElectionBody,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
    VersionStatus,
)
from contacts.services.demo import mobile_phone, person_name
from incidents.models import (
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Service,
    Severity,
    Shift,
    UpdateKind,
)
from incidents.services.limits import severity_policy_for
from readiness import seed as readiness_seed
from readiness.models import (
    PLAN_EVIDENCE,
    Deadline,
    Directive,
    Obligation,
    PlanEvent,
    PlanEventKind,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ReviewStatus,
    SectionReview,
    groups_for_kind,
)

BATCH = 2000
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
_Time = TypeVar("_Time", datetime.datetime, datetime.timedelta)
ALREADY_GENERATED = (
    "The election already has contact lists, plans, shifts or incidents; "
    "generate scale data on a freshly migrated database."
)


class AlreadyGenerated(ValueError):
    """Raised by scale_data_generate on an election that has data already."""


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate. SCALES holds the two the command offers; tests
    pass a tiny one."""

    whole_country: bool
    # Districts given contact lists, plans and incidents, first by code
    # (None: all). Organisations exist for every district in scope anyway.
    districts: int | None = None
    # Eight on average: ~4,700 in Thanh Hóa, ~85,000 in the country when
    # every commune is covered.
    teams_per_commune: tuple[int, int] = (4, 12)
    contacts_per_team: int = 4
    # Carrier brands per province (at most len(BRANDS)).
    carrier_brands: int = 16
    incidents: int = 400


SCALES = {
    "province": ScaleSpec(whole_country=False, incidents=400),
    "country": ScaleSpec(whole_country=True, incidents=30_000),
}


@dataclass
class ScaleCounts:
    organisations: int = 0
    users: int = 0
    contact_lists: int = 0
    contact_list_versions: int = 0
    # Rows, drafts and frozen copies of submitted versions together.
    election_bodies: int = 0
    contacts: int = 0
    # The drafts alone: the people of the registry.
    teams_in_drafts: int = 0
    contacts_in_drafts: int = 0
    plans: int = 0
    plan_versions: int = 0
    section_reviews: int = 0
    shifts: int = 0
    incidents: int = 0
    incident_updates: int = 0
    history_rows: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- Bulk inserts ----------------------------------------------------------------


@contextmanager
def _given_times(model: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the times set on the objects: auto_now(_add)
    would stamp them all with the moment of the run."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _add in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in stamped:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime.date | datetime.datetime):
        value = value.isoformat()
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[Model], objs: list[Model], *, ids: bool) -> None:
    """COPY the objects in; with `ids`, take their ids from the sequence
    first so that children can point at them."""
    concrete = list(model._meta.concrete_fields)
    if ids:
        for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
    else:
        concrete = [f for f in concrete if not f.primary_key]
    buffer = io.StringIO()
    for obj in objs:
        buffer.write("\t".join(_copy_text(getattr(obj, f.attname)) for f in concrete))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in concrete)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def _insert(objs: list[Model], *, ids: bool = True) -> list[Model]:
    """Insert objects of one model in bulk; with `ids`, each gets its id."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor == "postgresql":
        _copy(model, objs, ids=ids)
    else:
        with _given_times(model):
            model._default_manager.bulk_create(objs, batch_size=BATCH)
    return objs


@dataclass
class _Audit:
    """Historical rows waiting to be written, by model."""

    rows: dict[type[Model], list[Model]] = field(default_factory=dict)

    def add(
        self,
        obj: Model,
        at: datetime.datetime,
        *,
        user_id: int | None,
        kind: str = "+",
        **then: object,
    ) -> None:
        """Record `obj` as it was at `at` (its fields, changed by `then`)."""
        if then:
            obj = copy.copy(obj)
            for name, value in then.items():
                setattr(obj, name, value)
        history = type(obj).history.model
        row = history(
            history_date=at,
            history_type=kind,
            history_user_id=user_id,
            **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
        )
        self.rows.setdefault(history, []).append(row)

    def write(self) -> int:
        written = 0
        for rows in self.rows.values():
            written += len(_insert(rows, ids=False))
        self.rows.clear()
        return written


# --- Spreading states ------------------------------------------------------------


def _spread(rng: random.Random, weights: dict[str, float], count: int) -> list[str]:
    """`count` states drawn by weight, each state at least once when there
    is room for all (so a tiny run still shows every state)."""
    states = list(weights)[:count]
    states += rng.choices(list(weights), weights=list(weights.values()), k=count)[
        : count - len(states)
    ]
    rng.shuffle(states)
    return states


def _between(rng: random.Random, start: _Time, end: _Time) -> _Time:
    """A moment (or a duration) between the two, to the second."""
    value = start + (end - start) * rng.random()
    if isinstance(value, datetime.timedelta):
        return datetime.timedelta(seconds=round(value.total_seconds()))
    return value.replace(microsecond=0)


def _e164(national: str) -> str:
    """contacts.demo's mobile numbers ("0912 345 678") in E.164, as
    contacts.phones.normalise_phone writes them (tests check a sample
    against it; calling it for 500,000 numbers would take 20 s)."""
    return "+84" + national.replace(" ", "")[1:]


def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- The world the generator works in -----------------------------------------


@dataclass
class _World:
    spec: ScaleSpec
    seed: int
    now: datetime.datetime
    election: Election
    directive: Directive
    department: Organisation
    provinces: list[AdministrativeUnit]
    audit: _Audit = field(default_factory=_Audit)
    counts: ScaleCounts = field(default_factory=ScaleCounts)
    officers: dict[int, User] = field(default_factory=dict)  # organisation id →

    def rng(self, phase: str) -> random.Random:
        """A generator per phase, so that one phase's draws do not shift the
        next one's."""
        return random.Random(f"{self.seed}:{phase}")  # noqa: S311 (not secrets)

    @property
    def staff(self) -> User:
        return self.officers[self.department.pk]

    @property
    def start(self) -> datetime.datetime:
        """When districts and carriers start filing: the directive's date."""
        day = max(self.directive.issued_on, self.election.before_starts_on)
        return _at(day, 8)

    def due(self, code: str) -> datetime.datetime:
        deadline = Deadline.objects.get(
            obligation__directive=self.directive,
            obligation__code=code,
            organisation=None,
        )
        return deadline.due_at


def _at(day: datetime.date, hour: float) -> datetime.datetime:
    midnight = datetime.datetime.combine(
        day, datetime.time(0), tzinfo=timezone.get_default_timezone()
    )
    return midnight + hour * HOUR


def _filed(rng: random.Random, start: datetime.datetime, due: datetime.datetime):
    """When something due at `due` was filed: mostly on time, some late."""
    if rng.random() < 0.85:
        return _between(rng, start, due)
    return _between(rng, due, due + 10 * DAY)


def _world(*, spec: ScaleSpec, seed: int, now: datetime.datetime) -> _World:
    election_spec = contacts_seed.read_election()
    election = Election.objects.get(
        province__code=election_spec.province_code,
        polling_day=election_spec.polling_day,
    )
    directive = Directive.objects.get(code=readiness_seed.read_directive().code)
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
    if not spec.whole_country:
        provinces = provinces.filter(pk=election.province_id)
    department = Organisation.objects.get(
        kind=OrganisationKind.DEPARTMENT, unit=election.province
    )
    return _World(
        spec,
        seed,
        now,
        election,
        directive,
        department,
        list(provinces.order_by("code")),
    )


def _refuse_if_generated(election: Election) -> None:
    if (
        ContactList.objects.filter(election=election).exists()
        or ReadinessPlan.objects.filter(directive__election=election).exists()
        or Shift.objects.filter(election=election).exists()
        or Incident.objects.filter(election=election).exists()
    ):
        raise AlreadyGenerated(ALREADY_GENERATED)


# --- Organisations and their officers -----------------------------------------

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


def _place(province: AdministrativeUnit) -> str:
    return province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")


def _districts_by_province(world: _World) -> dict[int, list[AdministrativeUnit]]:
    found: dict[int, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=UnitLevel.DISTRICT, parent__in=world.provinces
    ).order_by("code"):
        found.setdefault(unit.parent_id, []).append(unit)
    return found


def _organisations_generate(world: _World) -> None:
    """District organisations missing from the seed, and carrier branches
    in every province in scope, each serving the province's districts."""
    districts = _districts_by_province(world)
    have = set(Organisation.objects.values_list("code", flat=True))
    new = [
        Organisation(
            code=f"district-{unit.code}",
            kind=OrganisationKind.DISTRICT,
            name=f"UBND {unit.name}",
            name_en=f"People's Committee of {unit.name}",
            unit=unit,
        )
        for units in districts.values()
        for unit in units
        if f"district-{unit.code}" not in have
    ]
    carriers = _carriers(world, districts)
    _insert(new + [org for org, _units in carriers])
    Through = Organisation.served_units.through
    _insert(
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


def _carriers(world: _World, districts: dict) -> list[tuple[Organisation, list]]:
    seed_province = world.election.province_id
    found = []
    for province in world.provinces:
        for code, kind, name, name_en, seeded in BRANDS[: world.spec.carrier_brands]:
            if seeded and province.pk == seed_province:
                continue  # load_seed has it (contacts/data/thanh-hoa-carriers.csv)
            org = Organisation(
                code=f"{code}-{province.code}",
                kind=kind,
                name=name.format(_place(province)),
                name_en=name_en.format(_place(province)),
                phone=_e164(mobile_phone(world.rng(f"org:{code}:{province.code}"))),
            )
            found.append((org, districts.get(province.pk, [])))
    return found


def _in_scope(world: _World, kinds) -> list[Organisation]:
    q = Organisation.objects.filter(kind__in=kinds, is_active=True)
    if not world.spec.whole_country:
        province = world.election.province_id
        q = q.filter(Q(unit=None) | Q(unit_id=province) | Q(unit__parent_id=province))
    return list(q.select_related("unit").order_by("kind", "code"))


def _officers_generate(world: _World) -> None:
    """One editor per organisation, with an unusable password: pages have
    someone to show, and nobody can sign in as them."""
    rng = world.rng("officers")
    orgs = _in_scope(world, [*CARRIER_KINDS, OrganisationKind.DISTRICT])
    orgs += [world.department]
    users = []
    for org in orgs:
        users.append(
            User(
                username=f"scale-{org.code}",
                full_name=person_name(rng),
                phone=_e164(mobile_phone(rng)),
                email=f"scale-{org.code}@example.invalid",
                password=make_password(None),
                date_joined=world.now,
            )
        )
    _insert(users)
    memberships = [
        Membership(
            user_id=user.pk,
            organisation_id=org.pk,
            role=MembershipRole.EDITOR,
            is_head=org.pk == world.department.pk,
        )
        for org, user in zip(orgs, users, strict=True)
    ]
    _insert(memberships)
    for obj in users + memberships:
        world.audit.add(obj, world.now, user_id=None)
    for org, user in zip(orgs, users, strict=True):
        user._organisation_id = org.pk  # for the timeline rows they write
        world.officers[org.pk] = user
    world.counts.users = len(users)


def _communes_by_district(districts: list[Organisation]) -> dict[int, list]:
    found: dict[int, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, parent_id__in=[d.unit_id for d in districts]
    ).order_by("code"):
        found.setdefault(unit.parent_id, []).append(unit)
    return found


def _active_districts(world: _World) -> list[Organisation]:
    """The districts that get lists, reports and incidents."""
    districts = sorted(
        _in_scope(world, [OrganisationKind.DISTRICT]), key=lambda o: o.unit.code
    )
    return districts[: world.spec.districts]


# --- Contact lists (D2) --------------------------------------------------------

LIST_STATES = {
    "accepted": 45,
    "submitted": 15,
    "returned": 10,
    "draft": 15,
    "not_started": 15,
}
# How likely a list in each state covers every commune.
FULL_COVERAGE = {"accepted": 0.85, "submitted": 0.7, "returned": 0.2, "draft": 0.5}
VERSION_STATUS = {
    "accepted": VersionStatus.ACCEPTED,
    "submitted": VersionStatus.SUBMITTED,
    "returned": VersionStatus.RETURNED,
}
INCOMPLETE_REASON = (
    "Các xã còn lại đang kiện toàn Tổ bầu cử; huyện cam kết bổ sung số điện "
    "thoại trước ngày bầu cử."
)
TEAM_POSITIONS = [
    ContactPosition.CHAIR,
    ContactPosition.VICE_CHAIR,
    ContactPosition.SECRETARY,
]
COMMITTEE_POSITIONS = [
    ContactPosition.CHAIR,
    ContactPosition.VICE_CHAIR,
    ContactPosition.VICE_CHAIR,
    ContactPosition.SECRETARY,
    ContactPosition.ON_DUTY,
]
BOARD_POSITIONS = TEAM_POSITIONS


@dataclass
class _ListDraft:
    """One district's list while it is generated."""

    organisation: Organisation
    state: str
    contact_list: ContactList
    communes: list[AdministrativeUnit]
    covered: list[AdministrativeUnit]
    version: ContactListVersion | None = None


def _contact_lists_generate(world: _World, districts: list[Organisation]) -> None:
    """Lists in every state; the bodies of those with content, their
    frozen copies for submitted versions."""
    rng = world.rng("contact-lists")
    communes = _communes_by_district(districts)
    due = world.due("D2")
    drafts = []
    for org, state in zip(
        districts, _spread(rng, LIST_STATES, len(districts)), strict=True
    ):
        if state == "not_started" and rng.random() < 0.5:
            continue  # never opened: no list row at all
        drafts.append(
            _list_draft(world, rng, org, state, communes.get(org.unit_id, []), due)
        )
    _insert([d.contact_list for d in drafts])
    versions = [d.version for d in drafts if d.version is not None]
    for d in drafts:
        if d.version is not None:
            d.version.contact_list_id = d.contact_list.pk
    _insert(versions)
    _link_versions(world, drafts)
    for start in range(0, len(drafts), 50):
        _bodies_generate(world, drafts[start : start + 50])
    world.counts.contact_lists = len(drafts)
    world.counts.contact_list_versions = len(versions)


def _list_draft(world, rng, org, state, communes, due) -> _ListDraft:
    covered = list(communes)
    if state != "not_started" and rng.random() > FULL_COVERAGE[state] and communes:
        dropped = max(1, round(len(communes) * rng.uniform(0.05, 0.4)))
        covered = sorted(rng.sample(communes, len(communes) - dropped), key=_code)
    filed = _filed(rng, world.start + 5 * DAY, due)
    changed = filed - _between(rng, HOUR, 5 * DAY + HOUR) if state != "draft" else filed
    contact_list = ContactList(
        election=world.election,
        organisation=org,
        draft_changed_at=None if state == "not_started" else changed,
    )
    # Opened after the directive arrived, before the first change.
    opened = changed - _between(rng, HOUR, 10 * DAY)
    contact_list._created_at = max(opened, min(world.start, changed - HOUR))
    if state == "not_started":
        covered = []
    draft = _ListDraft(org, state, contact_list, communes, covered)
    if state in VERSION_STATUS:
        draft.version = _version(world, rng, draft, filed, len(communes))
    return draft


def _code(unit: AdministrativeUnit) -> str:
    return unit.code


def _version(world, rng, draft: _ListDraft, filed, total: int) -> ContactListVersion:
    status = VERSION_STATUS[draft.state]
    covered = len(draft.covered)
    reviewed = status != VersionStatus.SUBMITTED
    return ContactListVersion(
        number=1,
        status=status,
        submitted_at=filed,
        submitted_by=world.officers[draft.organisation.pk],
        reviewed_at=filed + _between(rng, 2 * HOUR, 3 * DAY) if reviewed else None,
        reviewed_by=world.staff if reviewed else None,
        review_comment=(
            f"Còn {total - covered} xã chưa có Tổ bầu cử có số điện thoại; "
            "đề nghị bổ sung và gửi lại."
            if status == VersionStatus.RETURNED
            else ""
        ),
        incomplete_coverage_reason=(
            INCOMPLETE_REASON
            if status == VersionStatus.ACCEPTED and covered < total
            else ""
        ),
        communes_covered=covered,
        communes_total=total,
    )


def _link_versions(world: _World, drafts: list[_ListDraft]) -> None:
    """Point each list at its version, as contact_list_submit and
    contact_list_accept do, and write the audit rows they would."""
    linked = []
    for d in drafts:
        cl, version = d.contact_list, d.version
        officer = world.officers[d.organisation.pk].pk
        world.audit.add(
            cl,
            cl._created_at,
            user_id=officer,
            draft_changed_at=None,
        )
        if version is None:
            continue
        cl.latest_version = version
        if version.status == VersionStatus.ACCEPTED:
            cl.accepted_version = version
        linked.append(cl)
        world.audit.add(
            cl, version.submitted_at, user_id=officer, kind="~", accepted_version=None
        )
        _version_audit(world, version, officer)
    ContactList.objects.bulk_update(
        linked, ["latest_version", "accepted_version"], batch_size=500
    )


def _version_audit(world: _World, version: ContactListVersion, officer: int) -> None:
    world.audit.add(
        version,
        version.submitted_at,
        user_id=officer,
        status=VersionStatus.SUBMITTED,
        reviewed_at=None,
        reviewed_by=None,
        review_comment="",
        incomplete_coverage_reason="",
    )
    if version.reviewed_at is not None:
        world.audit.add(version, version.reviewed_at, user_id=world.staff.pk, kind="~")


def _bodies_generate(world: _World, drafts: list[_ListDraft]) -> None:
    """The draft's bodies and contacts, and a frozen copy of both for the
    submitted version (same uids, as contacts.services' _freeze makes)."""
    bodies, people = [], []
    for d in drafts:
        if d.state == "not_started":
            continue
        rng = world.rng(f"bodies:{d.organisation.code}")
        for body, contacts in _district_bodies(world, rng, d):
            bodies.append(body)
            people.append(contacts)
            if d.version is not None:
                bodies.append(body.frozen_for(d.version.pk))
                people.append(contacts)
    _insert(bodies)
    contacts = [
        Contact(body_id=body.pk, **values)
        for body, values_list in zip(bodies, people, strict=True)
        for values in values_list
    ]
    _insert(contacts, ids=False)
    world.counts.election_bodies += len(bodies)
    world.counts.contacts += len(contacts)
    drafts_only = [
        (b, p) for b, p in zip(bodies, people, strict=True) if not b.version_id
    ]
    world.counts.teams_in_drafts += sum(
        b.kind == BodyKind.TEAM for b, _p in drafts_only
    )
    world.counts.contacts_in_drafts += sum(len(p) for _b, p in drafts_only)


def _district_bodies(world, rng, draft: _ListDraft):
    """(body, [contact values]) for the district's Committee and Board, a
    Board in every commune and Election Teams in the covered communes."""
    district = draft.organisation.unit
    cl = draft.contact_list
    covered = {u.pk for u in draft.covered}
    yield _body(
        rng,
        cl,
        BodyKind.COMMITTEE,
        district,
        f"Ủy ban bầu cử {district.name}",
        "",
        COMMITTEE_POSITIONS,
    )
    yield _body(
        rng,
        cl,
        BodyKind.BOARD,
        district,
        f"Ban bầu cử HĐND {district.name}",
        "",
        BOARD_POSITIONS,
    )
    low, high = world.spec.teams_per_commune
    n = 0
    for commune in draft.communes:
        yield _body(
            rng,
            cl,
            BodyKind.BOARD,
            commune,
            f"Ban bầu cử HĐND {commune.name}",
            "",
            BOARD_POSITIONS,
        )
        if commune.pk not in covered:
            continue
        for _team in range(rng.randint(low, high)):
            n += 1
            yield _body(
                rng,
                cl,
                BodyKind.TEAM,
                commune,
                f"Tổ bầu cử số {n}",
                f"KVBP số {n}",
                _team_positions(world.spec.contacts_per_team),
            )


def _team_positions(count: int) -> list[str]:
    extra = max(0, count - len(TEAM_POSITIONS))
    return (TEAM_POSITIONS + [ContactPosition.MEMBER] * extra)[:count]


def _body(rng, cl, kind, unit, name, areas, positions) -> tuple[ElectionBody, list]:
    location = (
        f"Nhà văn hóa thôn {rng.randint(1, 15)}, {unit.name}"
        if kind == BodyKind.TEAM
        else f"Trụ sở UBND {unit.name}"
    )
    body = ElectionBody(
        contact_list_id=cl.pk,
        uid=_uid(rng),
        kind=kind,
        level=unit.level,
        unit_id=unit.pk,
        name=name,
        polling_areas=areas,
        location=location,
    )
    return body, [_contact_values(rng, position) for position in positions]


def _contact_values(rng: random.Random, position: str) -> dict:
    phones = [_e164(mobile_phone(rng))]
    if rng.random() < 0.15:
        phones.append(_e164(mobile_phone(rng)))
    return {
        "uid": _uid(rng),
        "full_name": person_name(rng),
        "position": position,
        "phones": " ".join(phones),
    }


# --- Readiness plans and district reports (D1, P1, P2, T1–T3) -----------------

SECTION_STATES = {
    "accepted": 45,
    "submitted": 15,
    "returned": 10,
    "draft": 15,
    "not_started": 15,
}
IN_VERSION = ("accepted", "submitted", "returned")
MEASURES = (
    "Bố trí cán bộ trực 24/24 trong thời gian bầu cử; kiểm tra, bảo dưỡng "
    "thiết bị, máy phát điện dự phòng; phối hợp với UBND các huyện bảo đảm "
    "thông tin liên lạc thông suốt tại các điểm bỏ phiếu."
)
RETURN_COMMENT = "Bổ sung số lượng máy phát điện dự phòng và đầu mối liên hệ."


@dataclass
class _PlanDraft:
    organisation: Organisation
    plan: ReadinessPlan
    sections: list[tuple[PlanSection, str]]  # with the state to reach
    version: PlanVersion | None = None
    reviews: list[SectionReview] = field(default_factory=list)


def _plans_generate(world: _World, organisations: list[Organisation]) -> None:
    """Plans whose sections reach every state through one submitted
    version, as plan_section_save, plan_submit and section_accept /
    section_return leave them."""
    rng = world.rng("plans")
    obligations = list(
        Obligation.objects.filter(
            directive=world.directive, evidence_kind__in=PLAN_EVIDENCE
        ).order_by("position")
    )
    wanted = [
        (
            org,
            [o for o in obligations if o.recipient_group in groups_for_kind(org.kind)],
        )
        for org in organisations
    ]
    states = iter(_spread(rng, SECTION_STATES, sum(len(o) for _org, o in wanted)))
    due = {o.pk: world.due(o.code) for o in obligations}
    drafts = []
    for org, own in wanted:
        chosen = [(o, next(states)) for o in own]
        if all(s == "not_started" for _o, s in chosen) and rng.random() < 0.5:
            continue  # never opened: no plan row
        first_due = min(due[o.pk] for o, _s in chosen)
        drafts.append(_plan_draft(world, rng, org, chosen, first_due))
    _plans_insert(world, drafts)


def _plan_draft(world, rng, org, chosen, due) -> _PlanDraft:
    officer = world.officers[org.pk]
    submitted = _filed(rng, world.start + 5 * DAY, due)
    created = max(world.start, submitted - _between(rng, 2 * DAY, 20 * DAY))
    plan = ReadinessPlan(
        directive=world.directive, organisation=org, created_at=created
    )
    draft = _PlanDraft(org, plan, [])
    for obligation, state in chosen:
        section = PlanSection(obligation=obligation)
        if state in IN_VERSION:
            _fill(section, rng, officer, _between(rng, created, submitted))
        elif state == "draft":
            _fill(section, rng, officer, submitted + _between(rng, HOUR, 3 * DAY))
        draft.sections.append((section, state))
    if any(state in IN_VERSION for _s, state in draft.sections):
        draft.version = PlanVersion(
            number=1,
            submitted_at=submitted,
            submitted_by=officer,
            content={
                s.obligation.code: _section_content(s)
                for s, state in draft.sections
                if state in IN_VERSION
            },
        )
    return draft


def _fill(section: PlanSection, rng, officer: User, at: datetime.datetime) -> None:
    section.measures = MEASURES
    section.responsible_name = person_name(rng)
    section.responsible_phone = _e164(mobile_phone(rng))
    section.revision = 1
    section.updated_at, section.updated_by = at, officer


def _section_content(section: PlanSection) -> dict:
    """What readiness.services.plans._section_content keeps (no resources
    or attachments here)."""
    return {
        "measures": section.measures,
        "responsible_name": section.responsible_name,
        "responsible_phone": section.responsible_phone,
        "resources": [],
        "attachments": [],
    }


def _plans_insert(world: _World, drafts: list[_PlanDraft]) -> None:
    _insert([d.plan for d in drafts])
    for d in drafts:
        for section, _state in d.sections:
            section.plan = d.plan
        if d.version is not None:
            d.version.plan = d.plan
    _insert([s for d in drafts for s, _state in d.sections])
    _insert([d.version for d in drafts if d.version is not None])
    rng = world.rng("reviews")
    for d in drafts:
        if d.version is not None:
            d.reviews = _reviews(world, rng, d)
            d.plan.latest_version = d.version
    _insert([r for d in drafts for r in d.reviews])
    ReadinessPlan.objects.bulk_update(
        [d.plan for d in drafts if d.version is not None],
        ["latest_version"],
        batch_size=500,
    )
    events = [e for d in drafts for e in _plan_audit(world, d)]
    _insert(events, ids=False)
    world.counts.plans = len(drafts)
    world.counts.plan_versions = sum(d.version is not None for d in drafts)
    world.counts.section_reviews = sum(len(d.reviews) for d in drafts)


REVIEW_STATUS = {
    "accepted": ReviewStatus.ACCEPTED,
    "returned": ReviewStatus.RETURNED,
    "submitted": ReviewStatus.SUBMITTED,
}


def _reviews(world, rng, draft: _PlanDraft) -> list[SectionReview]:
    reviews = []
    for section, state in draft.sections:
        if state not in IN_VERSION:
            continue
        reviewed = state != "submitted"
        reviews.append(
            SectionReview(
                version=draft.version,
                obligation=section.obligation,
                status=REVIEW_STATUS[state],
                comment=RETURN_COMMENT if state == "returned" else "",
                reviewed_by=world.staff if reviewed else None,
                reviewed_at=(
                    draft.version.submitted_at + _between(rng, HOUR, 4 * DAY)
                    if reviewed
                    else None
                ),
            )
        )
    return reviews


def _plan_audit(world: _World, draft: _PlanDraft) -> Iterator[PlanEvent]:
    """The plan's timeline, and the audit rows the services write."""
    officer = world.officers[draft.organisation.pk]
    plan, version = draft.plan, draft.version
    audit = world.audit
    audit.add(plan, plan.created_at, user_id=officer.pk, latest_version=None)
    for section, _state in draft.sections:
        audit.add(
            section,
            plan.created_at,
            user_id=officer.pk,
            measures="",
            responsible_name="",
            responsible_phone="",
            revision=0,
            updated_at=None,
            updated_by=None,
        )
        if section.updated_at is not None:
            audit.add(section, section.updated_at, user_id=officer.pk, kind="~")
            yield PlanEvent(
                plan=plan,
                kind=PlanEventKind.SAVED,
                obligation=section.obligation,
                by=officer,
                at=section.updated_at,
            )
    if version is None:
        return
    audit.add(plan, version.submitted_at, user_id=officer.pk, kind="~")
    audit.add(version, version.submitted_at, user_id=officer.pk)
    yield PlanEvent(
        plan=plan,
        kind=PlanEventKind.SUBMITTED,
        version=version,
        by=officer,
        at=version.submitted_at,
    )
    for review in draft.reviews:
        yield from _review_audit(world, plan, review, officer)


def _review_audit(world, plan, review: SectionReview, officer: User):
    version = review.version
    world.audit.add(
        review,
        version.submitted_at,
        user_id=officer.pk,
        status=ReviewStatus.SUBMITTED,
        comment="",
        reviewed_by=None,
        reviewed_at=None,
    )
    if review.reviewed_at is None:
        return
    world.audit.add(review, review.reviewed_at, user_id=world.staff.pk, kind="~")
    kind = (
        PlanEventKind.ACCEPTED
        if review.status == ReviewStatus.ACCEPTED
        else PlanEventKind.RETURNED
    )
    yield PlanEvent(
        plan=plan,
        kind=kind,
        obligation=review.obligation,
        version=version,
        by=world.staff,
        at=review.reviewed_at,
        comment=review.comment,
    )


# --- Duty rosters (T2) -----------------------------------------------------------

ROSTER_STATES = {"covered": 60, "polling_day_gap": 15, "daytime_only": 10, "none": 15}
DAY_AND_NIGHT = [(7, 19), (19, 31)]  # hours from midnight; 31 = 07:00 next day
GAP_AT_NOON = [(7, 12), (14, 19), (19, 31)]
DUTIES = ["Trực điều hành mạng", "Trực kỹ thuật", "Trực ứng cứu thông tin"]


def _rosters_generate(world: _World, carriers: list[Organisation]) -> None:
    """The Department's roster, covered, and the carriers' in every state:
    covered (the week before, polling day and three days after, day and
    night), a gap at noon on polling day, polling-day daytime only, none."""
    rng = world.rng("rosters")
    orgs = [world.department, *carriers]
    states = ["covered", *_spread(rng, ROSTER_STATES, len(carriers))]
    shifts = []
    for org, state in zip(orgs, states, strict=True):
        shifts += _roster(world, rng, org, state)
    _insert(shifts)
    for shift in shifts:
        world.audit.add(shift, shift.created_at, user_id=shift.created_by_id)
    world.counts.shifts = len(shifts)


def _slots(polling: datetime.date, state: str) -> list[tuple[datetime.date, tuple]]:
    if state == "none":
        return []
    if state == "daytime_only":
        return [(polling, (6, 22))]
    days = [polling + n * DAY for n in range(-7, 4)]
    return [
        (day, hours)
        for day in days
        for hours in (
            GAP_AT_NOON
            if day == polling and state == "polling_day_gap"
            else DAY_AND_NIGHT
        )
    ]


def _roster(world, rng, org: Organisation, state: str) -> list[Shift]:
    officer = world.officers[org.pk]
    people = [(officer.full_name, officer.phone, True, officer)]
    for _n in range(rng.randint(1, 2)):
        landline = rng.random() < 0.1
        phone = _landline(rng) if landline else _e164(mobile_phone(rng))
        people.append((person_name(rng), phone, not landline, None))
    filed = _at(world.election.polling_day, 9) - _between(rng, 10 * DAY, 20 * DAY)
    shifts = []
    for n, (day, (start, end)) in enumerate(_slots(world.election.polling_day, state)):
        name, phone, mobile, user = people[n % len(people)]
        shifts.append(
            Shift(
                election=world.election,
                organisation=org,
                person_name=name,
                role=DUTIES[n % len(DUTIES)],
                phone=phone,
                phone_is_mobile=mobile,
                location=f"Trung tâm điều hành {org.name}"[:200],
                starts_at=_at(day, start),
                ends_at=_at(day, end),
                user=user,
                created_by=officer,
                created_at=filed,
            )
        )
    return shifts


def _landline(rng: random.Random) -> str:
    """A Thanh Hóa landline (0237 + seven digits): valid, not a mobile."""
    return f"+84237{rng.randrange(2_000_000, 9_999_999)}"


# --- Incidents -------------------------------------------------------------------

INCIDENT_STATES = {
    IncidentStatus.CLOSED: 60,
    IncidentStatus.RESOLVED: 30,
    IncidentStatus.ACKNOWLEDGED: 1.2,
    IncidentStatus.REPORTED: 0.6,
}
SEVERITIES = {Severity.CRITICAL: 10, Severity.MAJOR: 30, Severity.MINOR: 60}
CATEGORIES = {
    Category.NETWORK_OUTAGE: 14,
    Category.FIBRE_CUT: 10,
    Category.POWER_OUTAGE: 9,
    Category.CONGESTION: 9,
    Category.POSTAL_DELIVERY: 10,
    Category.SECURITY: 3,
    Category.MISUSE: 3,
    Category.CYBER_ATTACK: 2,
    Category.DIFFICULTY: 30,
    Category.OTHER: 10,
}
# Who reports each category, by organisation kind and weight.
REPORTERS = {
    Category.POSTAL_DELIVERY: {OrganisationKind.POSTAL: 1},
    Category.DIFFICULTY: {
        OrganisationKind.DISTRICT: 8,
        OrganisationKind.TELECOM: 1,
        OrganisationKind.POSTAL: 1,
    },
    Category.NETWORK_OUTAGE: {
        OrganisationKind.TELECOM: 85,
        OrganisationKind.DISTRICT: 15,
    },
    Category.POWER_OUTAGE: {
        OrganisationKind.TELECOM: 85,
        OrganisationKind.DISTRICT: 15,
    },
    Category.OTHER: {
        OrganisationKind.TELECOM: 5,
        OrganisationKind.POSTAL: 2,
        OrganisationKind.DISTRICT: 3,
    },
}
TITLES = {
    Category.NETWORK_OUTAGE: "Mất liên lạc trạm BTS tại {}",
    Category.FIBRE_CUT: "Đứt cáp quang tuyến {}",
    Category.POWER_OUTAGE: "Mất điện lưới, trạm viễn thông {} chạy máy phát",
    Category.CONGESTION: "Nghẽn mạng di động khu vực {}",
    Category.POSTAL_DELIVERY: "Chậm chuyển phát tài liệu bầu cử đến {}",
    Category.SECURITY: "Phát hiện truy cập trái phép hệ thống tại {}",
    Category.MISUSE: "Tin nhắn rác, nội dung xấu độc về bầu cử tại {}",
    Category.CYBER_ATTACK: "Tấn công từ chối dịch vụ cổng thông tin {}",
    Category.DIFFICULTY: "Thiếu điện thoại cố định tại khu vực bỏ phiếu ở {}",
    Category.OTHER: "Sự cố thông tin liên lạc tại {}",
}
SERVICES = {
    Category.NETWORK_OUTAGE: [Service.MOBILE_VOICE, Service.MOBILE_DATA],
    Category.FIBRE_CUT: [Service.FIXED_BROADBAND, Service.LANDLINE],
    Category.POWER_OUTAGE: [Service.MOBILE_VOICE],
    Category.CONGESTION: [Service.MOBILE_DATA],
    Category.POSTAL_DELIVERY: [Service.POSTAL],
}
# When incidents happen: most on polling day (DESIGN.md "Scale to plan for").
PERIODS = {"before": 30, "during": 50, "after": 20}
ANSWER = "Sở đã chỉ đạo doanh nghiệp viễn thông hỗ trợ; đề nghị huyện phối hợp."
RESOLUTION = "Đã khắc phục, dịch vụ hoạt động bình thường."
COMMENT = "Đã điều động tổ ứng cứu và trạm phát di động đến khu vực."
CHUNK = 5000


@dataclass
class _Reporters:
    """Who may report, and which districts each may name."""

    by_kind: dict[str, list[Organisation]]
    districts_of: dict[int, list[AdministrativeUnit]]  # organisation id →
    communes_of: dict[int, list[AdministrativeUnit]]  # district unit id →


def _reporters(world, districts, carriers) -> _Reporters:
    Through = Organisation.served_units.through
    units = {d.unit_id: d.unit for d in districts}
    served: dict[int, list[AdministrativeUnit]] = {}
    rows = Through.objects.filter(organisation__in=carriers).select_related(
        "administrativeunit"
    )
    for row in rows.order_by("organisation_id", "administrativeunit__code"):
        served.setdefault(row.organisation_id, []).append(row.administrativeunit)
        units[row.administrativeunit_id] = row.administrativeunit
    served.update({d.pk: [d.unit] for d in districts})
    by_kind: dict[str, list[Organisation]] = {}
    for org in [*districts, *carriers]:
        if served.get(org.pk):
            by_kind.setdefault(org.kind, []).append(org)
    return _Reporters(by_kind, served, _communes_by_unit(list(units)))


def _communes_by_unit(unit_ids: list[int]) -> dict[int, list]:
    found: dict[int, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, parent_id__in=unit_ids
    ).order_by("code"):
        found.setdefault(unit.parent_id, []).append(unit)
    return found


def _incidents_generate(world, districts, carriers) -> None:
    """Incidents over the before / polling-day / after periods, in every
    category, severity and status, with the timeline the services write."""
    rng = world.rng("incidents")
    reporters = _reporters(world, districts, carriers)
    count = world.spec.incidents
    plan = list(
        zip(
            _spread(rng, CATEGORIES, count),
            _spread(rng, SEVERITIES, count),
            _spread(rng, INCIDENT_STATES, count),
            strict=True,
        )
    )
    limits = {s: severity_policy_for(s) for s in SEVERITIES}
    for start in range(0, count, CHUNK):
        incidents = [
            _incident(world, rng, reporters, limits, *item)
            for item in plan[start : start + CHUNK]
        ]
        _incidents_insert(world, [i for i in incidents if i is not None])


def _reporter(rng, reporters: _Reporters, category: str) -> Organisation | None:
    weights = {
        k: w
        for k, w in REPORTERS.get(category, {OrganisationKind.TELECOM: 1}).items()
        if reporters.by_kind.get(k)
    } or dict.fromkeys(reporters.by_kind, 1)
    if not weights:
        return None
    kind = rng.choices(list(weights), weights=list(weights.values()))[0]
    return rng.choice(reporters.by_kind[kind])


def _incident_start(world: _World, rng) -> datetime.datetime:
    polling = world.election.polling_day
    period = rng.choices(list(PERIODS), weights=list(PERIODS.values()))[0]
    if period == "during":
        return _between(rng, _at(polling, 0), _at(polling, 24))
    if period == "after":
        return _between(rng, _at(polling, 24), _at(world.election.after_ends_on, 24))
    first = world.election.before_starts_on
    if rng.random() < 0.7:  # mostly in the last fortnight
        first = polling - 14 * DAY
    return _between(rng, _at(first, 0), _at(polling, 0))


def _incident(world, rng, reporters, limits, category, severity, status):
    org = _reporter(rng, reporters, category)
    if org is None:
        return None
    district = rng.choice(reporters.districts_of[org.pk])
    communes = reporters.communes_of.get(district.pk, [])
    units = rng.sample(communes, min(len(communes), rng.randint(1, 3))) or [district]
    started = _incident_start(world, rng)
    detected = started + _between(rng, datetime.timedelta(0), 30 * MINUTE)
    reported = detected + _between(rng, MINUTE, 20 * MINUTE)
    incident = Incident(
        election=world.election,
        organisation=org,
        reported_by=world.officers[org.pk],
        category=category,
        severity=severity,
        title=TITLES[category].format(units[0].name)[:200],
        description=f"{TITLES[category].format(units[0].name)}; {district.name}.",
        affected_bodies=f"Tổ bầu cử số {rng.randint(1, 40)}"
        if rng.random() < 0.3
        else "",
        services=[str(s) for s in SERVICES.get(category, [])],
        started_at=started,
        detected_at=detected,
        status=status,
        created_at=reported,
        updated_at=reported,
    )
    if category != Category.DIFFICULTY:
        policy = limits[severity]
        incident.ack_due_at = reported + policy.acknowledge_within
        incident.leadership_due_at = incident.ack_due_at + policy.leadership_after
    incident._units = units
    incident._district = district
    incident._timeline = _life(world, rng, incident)
    return incident


MINUTE = datetime.timedelta(minutes=1)
ACK_WITHIN = {Severity.CRITICAL: 25, Severity.MAJOR: 90, Severity.MINOR: 300}


def _life(world, rng, incident: Incident) -> list[IncidentUpdate]:
    """Walk the incident through its statuses up to the one chosen, setting
    its times; returns the timeline (incidents.services write the same)."""
    reporter, staff = incident.reported_by, world.staff
    at = incident.created_at
    rows = [_update(incident, UpdateKind.STATUS, reporter, at, status_to="reported")]
    status = incident.status
    ack_at = None
    if status != IncidentStatus.REPORTED:
        ack_at = at + _between(rng, 2 * MINUTE, ACK_WITHIN[incident.severity] * MINUTE)
    rows += _escalations(incident, ack_at, staff)
    if ack_at is None:
        return rows
    rows.append(_status(incident, staff, ack_at, "reported", "acknowledged"))
    incident.acknowledged_at, incident.acknowledged_by = ack_at, staff
    incident.updated_at = ack_at
    if incident.category == Category.DIFFICULTY:
        incident.answer, incident.answered_at, incident.answered_by = (
            ANSWER,
            ack_at,
            staff,
        )
        rows.append(_update(incident, UpdateKind.ANSWER, staff, ack_at, text=ANSWER))
    if rng.random() < 0.4:
        rows.append(
            _update(
                incident, UpdateKind.COMMENT, reporter, ack_at + MINUTE, text=COMMENT
            )
        )
    if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        done = ack_at + _between(rng, 30 * MINUTE, 12 * HOUR)
        incident.resolved_at, incident.resolution_note = done, RESOLUTION
        rows.append(
            _status(incident, reporter, done, "acknowledged", "resolved", RESOLUTION)
        )
        incident.updated_at = done
    if status == IncidentStatus.CLOSED:
        incident.closed_at = incident.resolved_at + _between(rng, HOUR, 2 * DAY)
        rows.append(_status(incident, staff, incident.closed_at, "resolved", "closed"))
        incident.updated_at = incident.closed_at
    return rows


def _escalations(incident: Incident, ack_at, staff: User) -> list[IncidentUpdate]:
    """What incidents.services.escalation wrote while nobody acknowledged."""
    rows = []
    for step, due in ((1, incident.ack_due_at), (2, incident.leadership_due_at)):
        if due is None or (ack_at is not None and ack_at <= due):
            break
        incident.escalation_step = step
        rows.append(
            _update(
                incident, UpdateKind.ESCALATION, None, due, step=step, text=str(staff)
            )
        )
    return rows


def _status(incident, by, at, was, to, text="") -> IncidentUpdate:
    return _update(
        incident, UpdateKind.STATUS, by, at, status_from=was, status_to=to, text=text
    )


def _update(incident, kind, by, at, **values) -> IncidentUpdate:
    update = IncidentUpdate(kind=kind, author=by, created_at=at, **values)
    update._incident = incident
    update.organisation_id = getattr(by, "_organisation_id", None)
    return update


def _incidents_insert(world: _World, incidents: list[Incident]) -> None:
    _insert(incidents)
    Units, Districts = Incident.units.through, Incident.districts.through
    _insert(
        [
            Units(incident_id=i.pk, administrativeunit_id=u.pk)
            for i in incidents
            for u in i._units
        ],
        ids=False,
    )
    _insert(
        [
            Districts(incident_id=i.pk, administrativeunit_id=i._district.pk)
            for i in incidents
        ],
        ids=False,
    )
    updates = []
    for incident in incidents:
        for update in incident._timeline:
            update.incident_id = incident.pk
            updates.append(update)
        world.audit.add(
            incident,
            incident.created_at,
            user_id=incident.reported_by_id,
            status=IncidentStatus.REPORTED,
            acknowledged_at=None,
            acknowledged_by=None,
            resolved_at=None,
            resolution_note="",
            closed_at=None,
            answer="",
            answered_at=None,
            answered_by=None,
            escalation_step=0,
            updated_at=incident.created_at,
        )
    _insert(updates, ids=False)
    world.counts.incidents += len(incidents)
    world.counts.incident_updates += len(updates)
    world.counts.history_rows += world.audit.write()


# --- The whole run -----------------------------------------------------------------


@transaction.atomic
def scale_data_generate(
    *, spec: ScaleSpec, seed: int = 1, now: datetime.datetime | None = None
) -> ScaleCounts:
    """Generate the data of `spec` on top of load_seed's case.

    1. Refuse an election that already has lists, plans, shifts or
       incidents (see the module docstring).
    2. District organisations and carriers in scope, one officer each.
    3. Contact lists, plans, rosters and incidents in every state.
    4. The audit rows of what the services would have recorded.
    """
    now = now or timezone.now()
    world = _world(spec=spec, seed=seed, now=now)
    _refuse_if_generated(world.election)
    _organisations_generate(world)
    _officers_generate(world)
    districts = _active_districts(world)
    carriers = _in_scope(world, CARRIER_KINDS)
    _contact_lists_generate(world, districts)
    _plans_generate(world, [*districts, *carriers])
    _rosters_generate(world, carriers)
    world.counts.history_rows += world.audit.write()
    _incidents_generate(world, districts, carriers)
    _statistics_refresh()
    return world.counts


def _statistics_refresh() -> None:
    """PostgreSQL plans from table statistics, which a bulk load leaves
    stale until autovacuum comes round (it then guessed 74 rows where the
    directory has 42,000, and chose nested loops); a benchmark run straight
    after generating must see the plans production would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
