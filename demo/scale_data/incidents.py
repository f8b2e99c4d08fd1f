"""Incidents before, on and after polling day, in every category,
severity and status, with the timeline the services write."""

import datetime
from dataclasses import dataclass

from contacts.models import (
    AdministrativeUnit,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
)
from demo.scale_data.bulk import insert
from demo.scale_data.world import (
    DAY,
    HOUR,
    World,
    at_hour,
    between,
    spread,
)
from incidents.models import (
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Service,
    Severity,
    UpdateKind,
)
from incidents.services.limits import severity_policy_for

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
REPORTERS: dict[str, dict[str, int]] = {
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
# When incidents happen: most on polling day (docs/architecture.md, "Scale").
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
        if unit.parent_id is not None:  # (filtered on the parent)
            found.setdefault(unit.parent_id, []).append(unit)
    return found


def incidents_generate(world, districts, carriers) -> None:
    """Incidents over the before / polling-day / after periods, in every
    category, severity and status, with the timeline the services write."""
    rng = world.rng("incidents")
    reporters = _reporters(world, districts, carriers)
    count = world.spec.incidents
    plan = list(
        zip(
            spread(rng, CATEGORIES, count),
            spread(rng, SEVERITIES, count),
            spread(rng, INCIDENT_STATES, count),
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


@dataclass
class _Planned:
    """An incident before it is written, with its areas and timeline."""

    incident: Incident
    units: list[AdministrativeUnit]
    district: AdministrativeUnit
    timeline: list[IncidentUpdate]


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


def _incident_start(world: World, rng) -> datetime.datetime:
    polling = world.election.polling_day
    period = rng.choices(list(PERIODS), weights=list(PERIODS.values()))[0]
    if period == "during":
        return between(rng, at_hour(polling, 0), at_hour(polling, 24))
    if period == "after":
        return between(
            rng, at_hour(polling, 24), at_hour(world.election.after_ends_on, 24)
        )
    first = world.election.before_starts_on
    if rng.random() < 0.7:  # mostly in the last fortnight
        first = polling - 14 * DAY
    return between(rng, at_hour(first, 0), at_hour(polling, 0))


def _incident(
    world, rng, reporters, limits, category, severity, status
) -> _Planned | None:
    org = _reporter(rng, reporters, category)
    if org is None:
        return None
    district = rng.choice(reporters.districts_of[org.pk])
    communes = reporters.communes_of.get(district.pk, [])
    units = rng.sample(communes, min(len(communes), rng.randint(1, 3))) or [district]
    started = _incident_start(world, rng)
    detected = started + between(rng, datetime.timedelta(0), 30 * MINUTE)
    reported = detected + between(rng, MINUTE, 20 * MINUTE)
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
    return _Planned(incident, units, district, _life(world, rng, incident))


MINUTE = datetime.timedelta(minutes=1)
ACK_WITHIN: dict[str, int] = {
    Severity.CRITICAL: 25,
    Severity.MAJOR: 90,
    Severity.MINOR: 300,
}


def _life(world, rng, incident: Incident) -> list[IncidentUpdate]:
    """Walk the incident through its statuses up to the one chosen, setting
    its times; returns the timeline (incidents.services write the same)."""
    reporter, staff = incident.reported_by, world.staff
    at = incident.created_at
    rows = [_update(incident, UpdateKind.STATUS, reporter, at, status_to="reported")]
    status = incident.status
    ack_at = None
    if status != IncidentStatus.REPORTED:
        ack_at = at + between(rng, 2 * MINUTE, ACK_WITHIN[incident.severity] * MINUTE)
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
        done = ack_at + between(rng, 30 * MINUTE, 12 * HOUR)
        incident.resolved_at, incident.resolution_note = done, RESOLUTION
        rows.append(
            _status(incident, reporter, done, "acknowledged", "resolved", RESOLUTION)
        )
        incident.updated_at = done
    if status == IncidentStatus.CLOSED:
        closed = done + between(rng, HOUR, 2 * DAY)
        incident.closed_at = closed
        rows.append(_status(incident, staff, closed, "resolved", "closed"))
        incident.updated_at = closed
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
    return IncidentUpdate(kind=kind, author=by, created_at=at, **values)


def _incidents_insert(world: World, planned: list[_Planned]) -> None:
    incidents = [p.incident for p in planned]
    insert(incidents)
    Units, Districts = Incident.units.through, Incident.districts.through
    insert(
        [
            Units(incident_id=p.incident.pk, administrativeunit_id=u.pk)
            for p in planned
            for u in p.units
        ],
        ids=False,
    )
    insert(
        [
            Districts(incident_id=p.incident.pk, administrativeunit_id=p.district.pk)
            for p in planned
        ],
        ids=False,
    )
    # The organisation each officer acts for, on the timeline rows they write.
    organisation_of: dict[int | None, int] = {
        user.pk: org_id for org_id, user in world.officers.items()
    }
    updates = []
    for p in planned:
        incident = p.incident
        for update in p.timeline:
            update.incident_id = incident.pk
            update.organisation_id = organisation_of.get(update.author_id)
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
    insert(updates, ids=False)
    world.counts.incidents += len(incidents)
    world.counts.incident_updates += len(updates)
    world.counts.history_rows += world.audit.write()
