"""Contact lists (D2) in every state: the districts' drafts, their bodies
and contacts, and the frozen copies of submitted versions."""

import datetime
import random
import uuid
from dataclasses import dataclass

from contacts.models import (
    AdministrativeUnit,
    BodyKind,
    Contact,
    ContactList,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    Organisation,
    UnitLevel,
    VersionStatus,
)
from contacts.names import election_committee, peoples_committee, unit_name
from contacts.selectors.units import district_unit
from demo.contacts import mobile_phone, person_name
from demo.scale_data.bulk import insert
from demo.scale_data.world import (
    DAY,
    HOUR,
    World,
    between,
    e164,
    filed_at,
    spread,
)

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
TEAM_POSITIONS: list[str] = [
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
    created_at: datetime.datetime  # the list's, for its first audit row
    version: ContactListVersion | None = None


def contact_lists_generate(world: World, districts: list[Organisation]) -> None:
    """Lists in every state; the bodies of those with content, their
    frozen copies for submitted versions."""
    rng = world.rng("contact-lists")
    communes = _communes_by_district(districts)
    due = world.due("D2")
    drafts = []
    for org, state in zip(
        districts, spread(rng, LIST_STATES, len(districts)), strict=True
    ):
        if state == "not_started" and rng.random() < 0.5:
            continue  # never opened: no list row at all
        drafts.append(
            _list_draft(
                world, rng, org, state, communes.get(district_unit(org).pk, []), due
            )
        )
    insert([d.contact_list for d in drafts])
    versions = [d.version for d in drafts if d.version is not None]
    for d in drafts:
        if d.version is not None:
            d.version.contact_list_id = d.contact_list.pk
    insert(versions)
    _link_versions(world, drafts)
    for start in range(0, len(drafts), 50):
        _bodies_generate(world, drafts[start : start + 50])
    world.counts.contact_lists = len(drafts)
    world.counts.contact_list_versions = len(versions)


def _communes_by_district(districts: list[Organisation]) -> dict[int, list]:
    found: dict[int, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, parent_id__in=[d.unit_id for d in districts]
    ).order_by("code"):
        if unit.parent_id is not None:  # (filtered on the parent)
            found.setdefault(unit.parent_id, []).append(unit)
    return found


def _list_draft(world, rng, org, state, communes, due) -> _ListDraft:
    covered = list(communes)
    if state != "not_started" and rng.random() > FULL_COVERAGE[state] and communes:
        dropped = max(1, round(len(communes) * rng.uniform(0.05, 0.4)))
        covered = sorted(rng.sample(communes, len(communes) - dropped), key=_code)
    filed = filed_at(rng, world.start + 5 * DAY, due)
    changed = filed - between(rng, HOUR, 5 * DAY + HOUR) if state != "draft" else filed
    contact_list = ContactList(
        election=world.election,
        organisation=org,
        draft_changed_at=None if state == "not_started" else changed,
    )
    # Opened after the directive arrived, before the first change.
    opened = changed - between(rng, HOUR, 10 * DAY)
    created_at = max(opened, min(world.start, changed - HOUR))
    if state == "not_started":
        covered = []
    draft = _ListDraft(org, state, contact_list, communes, covered, created_at)
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
        reviewed_at=filed + between(rng, 2 * HOUR, 3 * DAY) if reviewed else None,
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


def _link_versions(world: World, drafts: list[_ListDraft]) -> None:
    """Point each list at its version, as contact_list_submit and
    contact_list_accept do, and write the audit rows they would."""
    linked = []
    for d in drafts:
        cl, version = d.contact_list, d.version
        officer = world.officers[d.organisation.pk].pk
        world.audit.add(
            cl,
            d.created_at,
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


def _version_audit(world: World, version: ContactListVersion, officer: int) -> None:
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


def _bodies_generate(world: World, drafts: list[_ListDraft]) -> None:
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
    insert(bodies)
    contacts = [
        Contact(body_id=body.pk, **values)
        for body, values_list in zip(bodies, people, strict=True)
        for values in values_list
    ]
    insert(contacts, ids=False)
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
    district = district_unit(draft.organisation)
    cl = draft.contact_list
    covered = {u.pk for u in draft.covered}
    yield _body(
        rng,
        cl,
        BodyKind.COMMITTEE,
        district,
        election_committee(district),
        "",
        COMMITTEE_POSITIONS,
    )
    yield _body(
        rng,
        cl,
        BodyKind.BOARD,
        district,
        f"Ban bầu cử HĐND {unit_name(district)}",
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
            f"Ban bầu cử HĐND {unit_name(commune)}",
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
        f"Nhà văn hóa thôn {rng.randint(1, 15)}, {unit_name(unit)}"
        if kind == BodyKind.TEAM
        else f"Trụ sở {peoples_committee(unit)}"
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
    phones = [e164(mobile_phone(rng))]
    if rng.random() < 0.15:
        phones.append(e164(mobile_phone(rng)))
    return {
        "uid": _uid(rng),
        "full_name": person_name(rng),
        "position": position,
        "phones": " ".join(phones),
    }


def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
