"""Building incidents for the incident tests (the world is tests/conftest.py)."""

import datetime
from typing import Any

from incidents.models import Incident, Shift
from incidents.services import IncidentReport, incident_report
from tests.factories import VN

# Polling day of the world's election (tests/factories.ElectionFactory).
POLLING_MORNING = datetime.datetime(2021, 5, 23, 9, 0, tzinfo=VN)
MINUTE = datetime.timedelta(minutes=1)


def a_report(world, **changes) -> IncidentReport:
    commune = world.district_a.unit.children.order_by("code").first()
    values: dict[str, Any] = {
        "category": "fibre_cut",
        "severity": "critical",
        "title": "Đứt cáp quang tuyến Quảng Xương",
        "description": "",
        "units": [commune],
        "affected_bodies": "",
        "services": ["landline", "mobile_data"],
        "started_at": POLLING_MORNING - 10 * MINUTE,
        "detected_at": POLLING_MORNING - 5 * MINUTE,
    }
    return IncidentReport(**(values | changes))


def report(world, *, by=None, organisation=None, now=POLLING_MORNING, **changes):
    return incident_report(
        election=world.directive.election,
        organisation=organisation or world.telecom,
        report=a_report(world, **changes),
        by=by or world.telecom_officer,
        now=now,
    )


def on_duty(world, user, start, end) -> Shift:
    """A Department shift with the member on duty."""
    return Shift.objects.create(
        election=world.directive.election,
        organisation=world.department,
        person_name=str(user),
        phone="+84912345678",
        starts_at=start,
        ends_at=end,
        user=user,
        created_by=world.staff,
    )


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def many_incidents(world, count: int) -> None:
    """`count` more open incidents, copies of one made through the service,
    each in both districts, written in bulk (the board's size tests)."""
    model = report(world, severity="major")
    copies = Incident.objects.bulk_create(
        Incident(
            election=model.election,
            organisation=model.organisation,
            reported_by=model.reported_by,
            category=model.category,
            severity=("critical", "major", "minor")[n % 3],
            title=f"{model.title} {n}",
            started_at=model.started_at,
            detected_at=model.detected_at,
            ack_due_at=model.ack_due_at,
            leadership_due_at=model.leadership_due_at,
        )
        for n in range(count - 1)
    )
    districts = Incident.districts.through
    districts.objects.bulk_create(
        districts(incident=incident, administrativeunit=unit)
        for incident in copies
        for unit in (world.district_a.unit, world.district_b.unit)
    )
