"""Notices of an incident's progress (incidents.services.notices): the
reporting organisation and the districts of its area are told when the
Department acknowledges, escalates or closes it or answers a difficulty;
the reporting organisation when another organisation comments. One in
each inbox, none elsewhere."""

from contacts.models import Channel, OutboundMessage
from contacts.selectors.inbox import inbox_messages
from incidents.services import (
    difficulty_answer,
    incident_acknowledge,
    incident_close,
    incident_comment,
    incident_resolve,
)
from incidents.services.escalation import incidents_escalate_due
from tests.factories import MembershipFactory
from tests.incidents.helpers import MINUTE, POLLING_MORNING, fresh, report

NOW = POLLING_MORNING


def told(kind: str) -> list[str]:
    """Who has the `kind` notice in their inbox, by username."""
    return sorted(
        OutboundMessage.objects.filter(channel=Channel.APP, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def test_an_acknowledged_incident_tells_the_reporter_and_the_district_once(world):
    colleague = MembershipFactory(organisation=world.telecom).user
    incident = report(world, severity="major")  # in district A, by the telecom firm
    incident_acknowledge(
        incident=incident, by=world.staff, text="Đã cử kỹ thuật", now=NOW + MINUTE
    )
    assert told("incident-acknowledged") == sorted(
        [colleague.username, "district-a", "telecom"]
    )
    (notice,) = inbox_messages(user=world.telecom_officer)
    assert f"#{incident.pk}" in notice.subject
    assert "“Đã cử kỹ thuật”" in notice.body
    assert notice.link.endswith(f"/incidents/{incident.pk}/")
    for other in (
        world.district_b_officer,
        world.postal_officer,
        world.staff,
        world.staff_viewer,
        world.observer,
    ):
        assert not inbox_messages(user=other).exists()


def test_an_escalation_tells_the_reporter_and_the_district_at_each_step(world):
    incident = report(world, severity="critical")
    incidents_escalate_due(now=NOW + 15 * MINUTE)
    incidents_escalate_due(now=NOW + 16 * MINUTE)  # the same step: nothing new
    assert told("incident-escalated-1") == ["district-a", "telecom"]
    incidents_escalate_due(now=fresh(incident).leadership_due_at)
    assert told("incident-escalated-2") == ["district-a", "telecom"]
    assert not inbox_messages(user=world.district_b_officer).exists()


def test_a_closed_incident_tells_the_reporter_and_the_district(world):
    incident = report(world, severity="minor")
    incident = incident_acknowledge(incident=incident, by=world.staff, now=NOW)
    incident = incident_resolve(
        incident=incident,
        by=world.telecom_officer,
        resolved_at=NOW + 30 * MINUTE,
        note="Đã hàn nối",
        now=NOW + 30 * MINUTE,
    )
    incident_close(incident=incident, by=world.staff, now=NOW + 40 * MINUTE)
    assert told("incident-closed") == ["district-a", "telecom"]


def test_an_answered_difficulty_tells_the_reporter_and_its_district_once(world):
    difficulty = report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        category="difficulty",
        severity="minor",
        units=[world.district_b.unit],
    )
    difficulty_answer(
        incident=difficulty, by=world.staff, answer="Sở sẽ làm việc với VNPT.", now=NOW
    )
    # Answering acknowledges it too, but only the answer is told.
    assert told("incident-answer") == ["district-b"]
    assert told("incident-acknowledged") == []
    (notice,) = inbox_messages(user=world.district_b_officer)
    assert "Sở sẽ làm việc với VNPT." in notice.body


def test_a_comment_by_another_organisation_tells_the_reporting_one(world):
    incident = report(world, severity="major")
    update = incident_comment(
        incident=incident, by=world.district_a_officer, text="Xã báo mất sóng"
    )
    assert told("incident-comment") == ["telecom"]
    (notice,) = inbox_messages(user=world.telecom_officer)
    assert "“Xã báo mất sóng”" in notice.body
    assert update.organisation == world.district_a
    # Its own organisation's comment tells nobody.
    incident_comment(incident=incident, by=world.telecom_officer, text="Đang xử lý")
    assert told("incident-comment") == ["telecom"]


def test_a_critical_incident_is_in_the_district_s_inbox_without_an_address(world):
    report(world, severity="critical")
    assert told("incident-district") == ["district-a"]
    assert not OutboundMessage.objects.exclude(channel=Channel.APP).exists()


def test_the_notice_is_in_the_recipient_s_language(world):
    world.telecom_officer.language = "en"
    world.telecom_officer.save()
    incident = report(world, severity="major")
    incident_acknowledge(incident=incident, by=world.staff, now=NOW)
    (en,) = inbox_messages(user=world.telecom_officer)
    (vi,) = inbox_messages(user=world.district_a_officer)
    assert en.subject.startswith(f"The Department acknowledged incident #{incident.pk}")
    assert not vi.subject.startswith("The Department")
