"""Reporting incidents and their life cycle: reported → acknowledged →
resolved → closed, with reopen; difficulty reports and their answers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contacts.attachments import InvalidAttachment
from contacts.models import Channel, OutboundMessage
from incidents.models import Incident, IncidentStatus, IncidentUpdate, SeverityPolicy
from incidents.selectors.incidents import difficulties_unanswered
from incidents.services import (
    difficulty_answer,
    incident_acknowledge,
    incident_close,
    incident_comment,
    incident_reopen,
    incident_resolve,
)
from incidents.services.incidents import CHANGED_MEANWHILE
from tests.contacts.test_attachments import PNG_BYTES
from tests.factories import CommuneFactory, DistrictFactory, ProvinceFactory
from tests.incidents.helpers import MINUTE, POLLING_MORNING, fresh, report

S = IncidentStatus
NOW = POLLING_MORNING


def test_a_report_freezes_its_severity_time_limits(world):
    incident = report(world, severity="major")
    assert incident.status == S.REPORTED
    assert incident.ack_due_at == NOW + 60 * MINUTE
    assert incident.leadership_due_at == NOW + 120 * MINUTE
    SeverityPolicy.objects.filter(severity="major").update(
        acknowledge_within=datetime.timedelta(minutes=5)
    )
    assert fresh(incident).ack_due_at == NOW + 60 * MINUTE  # unchanged


def test_a_commune_puts_its_district_among_the_affected(world):
    commune_b = world.district_b.unit.children.first()
    incident = report(world, units=[world.district_a.unit, commune_b])
    assert set(incident.districts.all()) == {
        world.district_a.unit,
        world.district_b.unit,
    }
    entry = IncidentUpdate.objects.get(incident=incident)
    assert (entry.status_to, entry.author) == (S.REPORTED, world.telecom_officer)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"detected_at": NOW - 20 * MINUTE}, "detected_at"),  # before it started
        (
            {"started_at": NOW + 60 * MINUTE, "detected_at": NOW + 61 * MINUTE},
            "started_at",
        ),
        ({"units": []}, "units"),
    ],
)
def test_a_report_with_impossible_times_or_no_area_saves_nothing(world, changes, field):
    with pytest.raises(ValidationError) as caught:
        report(world, **changes)
    assert field in caught.value.message_dict
    assert not Incident.objects.exists()


def test_an_area_of_another_province_is_refused(world):
    elsewhere = CommuneFactory(
        parent=DistrictFactory(parent=ProvinceFactory(code="40"))
    )
    with pytest.raises(ValidationError) as caught:
        report(world, units=[elsewhere])
    assert "units" in caught.value.message_dict


def test_a_critical_incident_tells_the_affected_district_at_once(world):
    world.district_a_officer.email = "a@example.vn"
    world.district_a_officer.save()
    world.district_b_officer.email = "b@example.vn"
    world.district_b_officer.save()
    incident = report(world)
    # In the district's inbox, and e-mailed at once (not held for quiet hours).
    notice = OutboundMessage.objects.get(channel=Channel.APP)
    message = OutboundMessage.objects.get(channel=Channel.EMAIL)
    assert notice.recipient == message.recipient == world.district_a_officer
    assert message.next_attempt_at == NOW
    assert f"#{incident.pk}" in message.subject
    report(world, severity="major", title="Nghẽn mạng")
    assert OutboundMessage.objects.count() == 2  # only critical ones


def test_the_life_cycle_end_to_end(world):
    incident = report(world)
    incident_acknowledge(incident=incident, by=world.staff, now=NOW + MINUTE)
    assert (incident.status, incident.acknowledged_by) == (S.ACKNOWLEDGED, world.staff)
    incident_resolve(
        incident=incident,
        by=world.telecom_officer,
        resolved_at=NOW + 30 * MINUTE,
        note="Đã hàn nối xong",
        now=NOW + 40 * MINUTE,
    )
    assert (incident.status, incident.resolution_note) == (
        S.RESOLVED,
        "Đã hàn nối xong",
    )
    incident_reopen(
        incident=incident,
        by=world.telecom_officer,
        text="Mất lại",
        now=NOW + 50 * MINUTE,
    )
    assert (incident.status, incident.resolved_at) == (S.ACKNOWLEDGED, None)
    incident_resolve(
        incident=incident,
        by=world.telecom_officer,
        resolved_at=NOW + 55 * MINUTE,
        note="Xong",
        now=NOW + 60 * MINUTE,
    )
    incident_close(incident=incident, by=world.staff, now=NOW + 70 * MINUTE)
    assert incident.status == S.CLOSED
    incident_reopen(incident=incident, by=world.staff, text="", now=NOW + 80 * MINUTE)
    moves = list(
        IncidentUpdate.objects.filter(incident=incident, kind="status").values_list(
            "status_from", "status_to"
        )
    )
    assert moves == [
        ("", S.REPORTED),
        (S.REPORTED, S.ACKNOWLEDGED),
        (S.ACKNOWLEDGED, S.RESOLVED),
        (S.RESOLVED, S.ACKNOWLEDGED),
        (S.ACKNOWLEDGED, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.CLOSED, S.ACKNOWLEDGED),
    ]


def _resolve(world, incident):
    return incident_resolve(
        incident=incident, by=world.staff, resolved_at=NOW, note="x", now=NOW + MINUTE
    )


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (S.REPORTED, "resolve"),
        (S.REPORTED, "close"),
        (S.REPORTED, "reopen"),
        (S.ACKNOWLEDGED, "close"),
        (S.ACKNOWLEDGED, "acknowledge"),
        (S.CLOSED, "resolve"),
        (S.CLOSED, "close"),
    ],
)
def test_a_move_the_life_cycle_lacks_is_refused(world, status, move):
    incident = report(world)
    Incident.objects.filter(pk=incident.pk).update(status=status)
    incident = fresh(incident)
    act = {
        "resolve": lambda: _resolve(world, incident),
        "close": lambda: incident_close(incident=incident, by=world.staff),
        "reopen": lambda: incident_reopen(incident=incident, by=world.staff, text=""),
        "acknowledge": lambda: incident_acknowledge(incident=incident, by=world.staff),
    }[move]
    with pytest.raises(ValidationError) as caught:
        act()
    assert caught.value.code == "transition"
    assert fresh(incident).status == status


def test_two_people_acknowledging_at_once_one_is_told(world):
    incident = report(world)
    first, second = fresh(incident), fresh(incident)  # both pages show "reported"
    incident_acknowledge(incident=first, by=world.staff)
    with pytest.raises(ValidationError) as caught:
        incident_acknowledge(incident=second, by=world.staff_viewer)
    assert caught.value.messages == [str(CHANGED_MEANWHILE)]
    assert fresh(incident).acknowledged_by == world.staff


def test_resolving_needs_a_time_and_a_note(world):
    incident = report(world)
    incident_acknowledge(incident=incident, by=world.staff, now=NOW)
    for resolved_at, note in ((None, "Xong"), (NOW, "  ")):
        with pytest.raises(ValidationError):
            incident_resolve(
                incident=incident, by=world.staff, resolved_at=resolved_at, note=note
            )
    with pytest.raises(ValidationError) as caught:
        incident_resolve(
            incident=incident, by=world.staff, resolved_at=NOW - 60 * MINUTE, note="x"
        )
    assert "resolved_at" in caught.value.message_dict
    assert fresh(incident).status == S.ACKNOWLEDGED


def test_an_update_keeps_a_file_only_of_an_accepted_type(world):
    incident = report(world)
    update = incident_comment(
        incident=incident,
        by=world.telecom_officer,
        text="Ảnh hiện trường",
        file=("hien truong.png", PNG_BYTES),
    )
    assert (update.original_name, update.content_type) == (
        "hien truong.png",
        "image/png",
    )
    name = update.file.name
    assert name is not None and name.endswith(".png") and "hien" not in name
    with pytest.raises(InvalidAttachment):
        incident_comment(
            incident=incident,
            by=world.telecom_officer,
            text="",
            file=("x.png", b"MZ\0\0"),
        )


def test_a_difficulty_is_answered_in_writing_and_the_reporter_told(world):
    world.district_b_officer.email = "b@example.vn"
    world.district_b_officer.save()
    difficulty = report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        category="difficulty",
        severity="minor",
        units=[world.district_b.unit],
    )
    assert difficulty.ack_due_at is None  # answered, not escalated
    assert list(difficulties_unanswered(Incident.objects.all())) == [difficulty]
    with pytest.raises(ValidationError):
        difficulty_answer(incident=difficulty, by=world.staff, answer=" ")
    difficulty_answer(
        incident=difficulty, by=world.staff, answer="Sở sẽ làm việc với VNPT.", now=NOW
    )
    difficulty = fresh(difficulty)
    assert (difficulty.status, difficulty.answered_by) == (S.ACKNOWLEDGED, world.staff)
    assert not difficulties_unanswered(Incident.objects.all()).exists()
    told = OutboundMessage.objects.get(
        recipient=world.district_b_officer, channel=Channel.EMAIL
    )
    assert "Sở sẽ làm việc với VNPT." in told.body


def test_only_difficulties_are_answered(world):
    incident = report(world)
    with pytest.raises(ValidationError):
        difficulty_answer(incident=incident, by=world.staff, answer="?")


def test_without_stored_limits_the_directive_defaults_apply(world):
    SeverityPolicy.objects.all().delete()  # as after a flush of the database
    incident = report(world, severity="minor")
    assert incident.ack_due_at == NOW + 240 * MINUTE
    assert SeverityPolicy.objects.count() == 1
