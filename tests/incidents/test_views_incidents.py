"""Incident pages by role: who sees which incident, who may report,
acknowledge, update and answer; the board and its refresh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Incident, IncidentStatus, IncidentUpdate, SeverityPolicy
from incidents.services import incident_acknowledge, incident_resolve
from tests.contacts.test_attachments import PNG_BYTES
from tests.incidents.helpers import fresh, many_incidents, report


@pytest.fixture
def cut(world):
    """A critical fibre cut the carrier reported in district A."""
    return report(world)


@pytest.fixture
def in_b(world):
    """District B's own incident (not district A's or the carrier's)."""
    return report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        severity="minor",
        units=[world.district_b.unit],
        title="Mất điện UBND huyện",
    )


def board(client, user, **params):
    client.force_login(user)
    return client.get(reverse("incidents:index"), params)


def test_the_board_asks_for_a_login(client, db):
    response = client.get(reverse("incidents:index"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("who", "sees_cut", "sees_b"),
    [
        ("staff", True, True),
        ("observer", True, True),
        ("telecom_officer", True, False),  # its own
        ("district_a_officer", True, False),  # affects its district
        ("district_b_officer", False, True),
        ("postal_officer", False, False),
    ],
)
def test_each_role_sees_the_incidents_it_should(
    client, world, cut, in_b, who, sees_cut, sees_b
):
    body = board(client, getattr(world, who)).content.decode()
    assert (f'id="incident-{cut.pk}"' in body) is sees_cut
    assert (f'id="incident-{in_b.pk}"' in body) is sees_b
    detail = client.get(reverse("incidents:detail", args=[cut.pk]))
    assert detail.status_code == (200 if sees_cut else 404)


def test_the_board_puts_the_most_severe_first_and_filters(client, world, cut, in_b):
    body = board(client, world.staff).content.decode()
    assert body.index(f"incident-{cut.pk}") < body.index(f"incident-{in_b.pk}")
    body = board(client, world.staff, severity="minor").content.decode()
    assert f"incident-{cut.pk}" not in body and f"incident-{in_b.pk}" in body
    body = board(
        client, world.staff, district=world.district_a.unit.pk
    ).content.decode()
    assert f"incident-{cut.pk}" in body and f"incident-{in_b.pk}" not in body


def test_the_board_lists_open_incidents_unless_asked(client, world, cut):
    Incident.objects.filter(pk=cut.pk).update(status=IncidentStatus.CLOSED)
    assert f"incident-{cut.pk}" not in board(client, world.staff).content.decode()
    everything = board(client, world.staff, status="").content.decode()
    assert f"incident-{cut.pk}" in everything


def test_htmx_gets_the_table_alone_with_counts(client, world, cut, in_b):
    client.force_login(world.staff)
    response = client.get(reverse("incidents:index"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and f"incident-{cut.pk}" in body
    assert 'data-status="reported">' in body
    assert '<span class="count">2</span>' in body


def test_the_board_makes_the_same_queries_for_10_and_10_000_incidents(client, world):
    def queries(**headers) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("incidents:index"), headers=headers)
            assert response.status_code == 200
        return len(captured.captured_queries)

    client.force_login(world.staff)
    many_incidents(world, 10)
    few, few_htmx = queries(), queries(**{"HX-Request": "true"})
    many_incidents(world, 9_990)
    assert Incident.objects.count() == 10_000
    assert queries(**{"HX-Request": "true"}) == few_htmx
    assert queries() == few


def test_a_carrier_reports_for_itself(client, world):
    client.force_login(world.telecom_officer)
    commune = world.district_a.unit.children.first()
    response = client.post(
        reverse("incidents:report"),
        {
            "category": "fibre_cut",
            "severity": "critical",
            "title": "Đứt cáp",
            "units": [commune.pk],
            "services": ["landline"],
            "started_at": "23/05/2021 08:50",
            "detected_at": "2021-05-23T08:55",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.pk])
    assert (incident.organisation, incident.reported_by) == (
        world.telecom,
        world.telecom_officer,
    )
    assert list(incident.districts.all()) == [world.district_a.unit]


def test_a_bad_report_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.telecom_officer)
    response = client.post(
        reverse("incidents:report"),
        {
            "category": "fibre_cut",
            "severity": "critical",
            "title": "Đứt cáp quang Nga Sơn",
            "units": [world.district_a.unit.pk],
            "started_at": "23/05/2021 09:00",
            "detected_at": "23/05/2021 08:00",  # before it started
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đứt cáp quang Nga Sơn" in page
    units = page[
        page.index('name="units"') : page.index("</select>", page.index('name="units"'))
    ]
    assert units.count(" selected>") == 1
    assert f'<option value="{world.district_a.unit.pk}" selected>' in units
    assert not Incident.objects.exists()


def test_observers_do_not_report_and_staff_report_on_behalf(client, world):
    client.force_login(world.observer)
    assert client.get(reverse("incidents:report")).status_code == 403
    client.force_login(world.staff)
    response = client.post(
        reverse("incidents:report"),
        {
            "organisation": world.postal.pk,
            "category": "postal_delivery",
            "severity": "minor",
            "title": "Chậm chuyển phát tài liệu bầu cử",
            "units": [world.district_b.unit.pk],
            "started_at": "23/05/2021 08:00",
            "detected_at": "23/05/2021 08:10",
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get().organisation == world.postal


def test_only_department_editors_acknowledge(client, world, cut):
    url = reverse("incidents:acknowledge", args=[cut.pk])
    for user, status in (
        (world.telecom_officer, 403),
        (world.observer, 403),
        (world.staff_viewer, 403),
        (world.district_b_officer, 404),
    ):
        client.force_login(user)
        assert client.post(url).status_code == status
    assert fresh(cut).status == IncidentStatus.REPORTED
    client.force_login(world.staff)
    back = reverse("incidents:index") + "?severity=critical"
    response = client.post(url, {"next": back})
    assert response.url == back
    assert fresh(cut).status == IncidentStatus.ACKNOWLEDGED


def test_the_carrier_resolves_with_a_note_and_a_photo(client, world, cut):
    incident_acknowledge(incident=cut, by=world.staff)
    client.force_login(world.telecom_officer)
    url = reverse("incidents:update", args=[cut.pk])
    refused = client.post(
        url, {"status": "resolved", "resolved_at": "2021-05-23T09:30"}
    )
    assert refused.status_code == 400  # no note: nothing kept
    assert fresh(cut).status == IncidentStatus.ACKNOWLEDGED
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url,
        {
            "text": "Đã hàn nối",
            "status": "resolved",
            "resolved_at": "2021-05-23T09:30",
            "file": SimpleUploadedFile("anh.png", PNG_BYTES),
        },
    )
    assert response.status_code == 302
    cut = fresh(cut)
    assert (cut.status, cut.resolution_note) == (IncidentStatus.RESOLVED, "Đã hàn nối")
    photo = IncidentUpdate.objects.exclude(file="").get()
    download = client.get(reverse("incidents:attachment", args=[photo.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.district_b_officer)
    assert (
        client.get(reverse("incidents:attachment", args=[photo.pk])).status_code == 404
    )


def test_the_affected_district_comments_but_does_not_resolve_the_carriers_incident(
    client, world, cut
):
    incident_acknowledge(incident=cut, by=world.staff)
    client.force_login(world.district_a_officer)
    page = client.get(reverse("incidents:detail", args=[cut.pk])).content.decode()
    assert 'name="text"' in page and 'name="status"' not in page
    # A crafted status is not a choice the district has: only the text is kept.
    client.post(
        reverse("incidents:update", args=[cut.pk]),
        {"text": "Xã Đông Hải vẫn mất sóng", "status": "resolved"},
    )
    assert fresh(cut).status == IncidentStatus.ACKNOWLEDGED
    assert IncidentUpdate.objects.filter(
        kind="comment", text="Xã Đông Hải vẫn mất sóng"
    ).exists()


def test_an_observer_reads_but_does_not_update(client, world, cut):
    client.force_login(world.observer)
    page = client.get(reverse("incidents:detail", args=[cut.pk])).content.decode()
    assert "Đứt cáp" in page and 'action="/incidents/' not in page
    response = client.post(reverse("incidents:update", args=[cut.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not IncidentUpdate.objects.filter(kind="comment").exists()


def test_a_carrier_cannot_close(client, world, cut):
    incident_acknowledge(incident=cut, by=world.staff)
    client.force_login(world.telecom_officer)
    response = client.post(
        reverse("incidents:update", args=[cut.pk]), {"status": "closed"}
    )
    assert response.status_code == 400  # not among its choices
    assert fresh(cut).status == IncidentStatus.ACKNOWLEDGED


def test_a_note_typed_while_closing_is_kept(client, world, cut):
    """The text goes on the closing's timeline entry (it was dropped)."""
    incident_acknowledge(incident=cut, by=world.staff)
    incident_resolve(
        incident=cut, by=world.telecom_officer, resolved_at=cut.started_at, note="Xong"
    )
    client.force_login(world.staff)
    response = client.post(
        reverse("incidents:update", args=[cut.pk]),
        {"status": "closed", "text": "Đã xác minh với VNPT"},
    )
    assert response.status_code == 302
    closing = IncidentUpdate.objects.get(incident=cut, status_to="closed")
    assert closing.text == "Đã xác minh với VNPT"


def test_staff_answer_a_difficulty(client, world):
    difficulty = report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        category="difficulty",
        severity="minor",
        units=[world.district_b.unit],
    )
    url = reverse("incidents:answer", args=[difficulty.pk])
    client.force_login(world.district_b_officer)
    assert client.post(url, {"answer": "Tự trả lời"}).status_code == 403
    client.force_login(world.staff)
    assert client.post(url, {"answer": ""}).status_code == 400
    assert client.post(url, {"answer": "Sở đã làm việc với VNPT"}).status_code == 302
    assert fresh(difficulty).answer == "Sở đã làm việc với VNPT"


def test_time_limits_by_role(client, world):
    url = reverse("incidents:limits")
    client.force_login(world.district_a_officer)
    assert client.get(url).status_code == 404
    client.force_login(world.observer)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    client.force_login(world.staff)
    data = {}
    for severity, minutes in (("critical", 10), ("major", 45), ("minor", 240)):
        data[f"{severity}-acknowledge_minutes"] = minutes
        data[f"{severity}-leadership_minutes"] = minutes * 2
    assert client.post(url, data).status_code == 302
    critical = SeverityPolicy.objects.get(severity="critical")
    assert critical.acknowledge_within.total_seconds() == 600
    data["critical-acknowledge_minutes"] = 0
    assert client.post(url, data).status_code == 200  # refused, kept typed
    assert (
        SeverityPolicy.objects.get(
            severity="critical"
        ).acknowledge_within.total_seconds()
        == 600
    )


def test_the_staff_home_page_lists_unanswered_difficulties(client, world, cut):
    difficulty = report(
        world,
        by=world.district_b_officer,
        organisation=world.district_b,
        category="difficulty",
        severity="minor",
        units=[world.district_b.unit],
        title="Thiếu máy phát điện dự phòng",
    )
    client.force_login(world.staff)
    page = client.get(reverse("home")).content.decode()
    assert "Thiếu máy phát điện dự phòng" in page
    assert '<span class="badge bg-danger fs-6">2</span>' in page  # both reported
    from incidents.services import difficulty_answer

    difficulty_answer(incident=difficulty, by=world.staff, answer="Đã bố trí")
    assert (
        "Thiếu máy phát điện dự phòng"
        not in client.get(reverse("home")).content.decode()
    )
