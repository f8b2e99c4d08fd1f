"""Escalation of incidents the Department has not acknowledged in time:
to the officer on duty, then to leadership, once per step, at any hour."""

import pytest

from contacts.models import MessageStatus, OutboundMessage
from contacts.services.outbox import outbox_deliver
from incidents.models import IncidentUpdate, UpdateKind
from incidents.services import incident_acknowledge
from incidents.services.escalation import incidents_escalate_due
from incidents.tasks import escalate_incidents
from tests.factories import MembershipFactory
from tests.incidents.helpers import MINUTE, POLLING_MORNING, on_duty, report

NOW = POLLING_MORNING
HOUR = 60 * MINUTE


@pytest.fixture(autouse=True)
def emails(world):
    for user in (world.staff, world.staff_viewer, world.district_a_officer):
        user.email = f"{user.username}@example.vn"
        user.save()


@pytest.fixture
def head(world):
    return MembershipFactory(
        organisation=world.department, is_head=True, user__email="giamdoc@example.vn"
    ).user


def escalations(step: int | None = None):
    q = OutboundMessage.objects.filter(kind__startswith="incident-escalation")
    if step:
        q = q.filter(kind=f"incident-escalation-{step}")
    return q


def test_nothing_happens_within_the_time_limit(world):
    report(world, severity="critical")  # 15 minutes to acknowledge
    assert incidents_escalate_due(now=NOW + 14 * MINUTE) == 0
    assert not escalations().exists()


def test_at_the_limit_the_officer_on_duty_is_told_once(world):
    on_duty(world, world.staff_viewer, NOW - HOUR, NOW + HOUR)
    incident = report(world, severity="critical")
    assert incidents_escalate_due(now=NOW + 15 * MINUTE) == 1
    assert incidents_escalate_due(now=NOW + 16 * MINUTE) == 0  # ran again
    message = escalations(1).get()
    assert message.recipient == world.staff_viewer  # on duty, though read-only
    assert message.next_attempt_at == NOW + 15 * MINUTE
    entry = IncidentUpdate.objects.get(incident=incident, kind=UpdateKind.ESCALATION)
    assert (entry.step, entry.text) == (1, str(world.staff_viewer))


def test_with_nobody_on_duty_the_department_editors_are_told(world):
    on_duty(world, world.staff_viewer, NOW - 2 * HOUR, NOW)  # shift over
    report(world, severity="critical")
    incidents_escalate_due(now=NOW + 15 * MINUTE)
    assert {m.recipient for m in escalations(1)} == {world.staff}


def test_after_the_second_limit_leadership_is_told(world, head):
    incident = report(world, severity="major")  # 1 h, then 1 h more
    incidents_escalate_due(now=NOW + HOUR)
    assert incidents_escalate_due(now=NOW + HOUR + 59 * MINUTE) == 0
    incidents_escalate_due(now=NOW + 2 * HOUR)
    assert [m.recipient for m in escalations(2)] == [head]
    assert incident.updates.filter(kind=UpdateKind.ESCALATION).count() == 2
    assert incidents_escalate_due(now=NOW + 5 * HOUR) == 0  # no third step


def test_a_late_tick_sends_both_steps_once(world, head):
    report(world, severity="minor")
    incidents_escalate_due(now=NOW + 9 * HOUR)
    assert incidents_escalate_due(now=NOW + 9 * HOUR) == 0
    # Nobody on duty: the editors (staff and the head); then the head.
    assert sorted(m.recipient.username for m in escalations(1)) == sorted(
        [world.staff.username, head.username]
    )
    assert [m.recipient for m in escalations(2)] == [head]


def test_an_acknowledged_incident_does_not_escalate(world):
    incident = report(world, severity="critical")
    incident_acknowledge(incident=incident, by=world.staff, now=NOW + 5 * MINUTE)
    assert incidents_escalate_due(now=NOW + HOUR) == 0


def test_an_escalation_not_yet_sent_is_dropped_once_acknowledged(world):
    incident = report(world, severity="critical")
    incidents_escalate_due(now=NOW + 15 * MINUTE)
    incident_acknowledge(incident=incident, by=world.staff, now=NOW + 16 * MINUTE)
    outcome = outbox_deliver(
        message_ids=list(escalations().values_list("pk", flat=True)),
        now=NOW + 16 * MINUTE,
    )
    assert set(outcome.values()) == {MessageStatus.CANCELLED}


def test_escalations_ignore_quiet_hours(world):
    at_night = NOW.replace(hour=23)
    report(world, severity="critical", now=at_night)
    incidents_escalate_due(now=at_night + 15 * MINUTE)
    assert escalations().get().next_attempt_at == at_night + 15 * MINUTE


def test_a_difficulty_report_is_answered_not_escalated(world):
    report(world, category="difficulty", severity="critical")
    assert incidents_escalate_due(now=NOW + 10 * HOUR) == 0


def test_the_task_escalates_with_the_real_clock(world):
    from django.utils import timezone

    report(world, severity="critical", now=timezone.now() - 20 * MINUTE)
    assert escalate_incidents() == 1
    assert escalate_incidents() == 0
