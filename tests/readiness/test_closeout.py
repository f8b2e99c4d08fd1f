"""Closing an election: when and by whom, and that a closed election is
read-only everywhere: the web (ClosedElectionMiddleware), the services
(election_ensure_open, for an older election reached by id) and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contacts.models import Election
from contacts.services.closure import ElectionClosed
from incidents.models import Incident
from incidents.services import incident_comment
from incidents.services.escalation import incidents_escalate_due
from incidents.services.rosters import shift_update
from readiness.models import CycleArchive, Deadline, PlanSection, SectionReview
from readiness.services.closeout import election_close
from readiness.services.digest import digest_enqueue
from readiness.services.reminders import reminders_enqueue_due
from tests.api import token_client
from tests.factories import VN, ElectionFactory
from tests.fuzz.support import differences, snapshot
from tests.incidents.test_api_incidents import a_report, error, timeline
from tests.readiness.closeout_data import AFTER_AFTER, cycle_fill

pytestmark = pytest.mark.django_db

# Pages and API errors speak the user's language: Vietnamese by default.
CLOSED_TEXT = "Cuộc bầu cử này đã khóa sổ"
LAST_AFTER_DAY = datetime.datetime(2021, 6, 12, 23, 59, tzinfo=VN)


@pytest.fixture
def cycle(plan_world):
    return cycle_fill(plan_world)


@pytest.fixture
def closed(cycle, plan_world):
    election_close(election=cycle.election, by=plan_world.staff, now=AFTER_AFTER)
    return cycle


def _closed_page(response) -> bool:
    return response.status_code == 403 and CLOSED_TEXT in response.content.decode()


# --- When and by whom ---------------------------------------------------------------


def test_it_is_refused_until_the_after_period_has_ended(cycle, plan_world):
    election = cycle.election
    assert election.after_ends_on == LAST_AFTER_DAY.date()
    with pytest.raises(ValidationError, match="12/06/2021"):
        election_close(election=election, by=plan_world.staff, now=LAST_AFTER_DAY)
    election.refresh_from_db()
    assert election.closed_at is None
    assert not CycleArchive.objects.exists()


@pytest.mark.parametrize(
    "who", ["staff_viewer", "observer", "district_a_officer", "telecom_officer"]
)
def test_only_a_department_editor_may_close(cycle, plan_world, who):
    with pytest.raises(PermissionDenied):
        election_close(
            election=cycle.election, by=getattr(plan_world, who), now=AFTER_AFTER
        )
    assert Election.objects.get().closed_at is None


def test_it_closes_once(closed, plan_world):
    election = Election.objects.get()
    assert (election.closed_at, election.closed_by) == (AFTER_AFTER, plan_world.staff)
    assert election.history.first().closed_by == plan_world.staff
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        election_close(election=election, by=plan_world.staff, now=AFTER_AFTER)
    assert CycleArchive.objects.count() == 1


def test_the_page_closes_with_the_year_typed(client, cycle, plan_world):
    client.force_login(plan_world.staff)
    url = reverse("closeout:page")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="year"' in page.content.decode()
    wrong = client.post(url, {"year": "2020"})
    assert wrong.status_code == 200
    assert Election.objects.get().closed_at is None
    done = client.post(url, {"year": "2021"})
    assert done.status_code == 302
    election = Election.objects.get()
    assert election.is_closed and election.closed_by == plan_world.staff
    archive = CycleArchive.objects.get()
    after = client.get(url).content.decode()
    assert archive.sha256 in after
    assert reverse("closeout:download", args=[election.pk]) in after
    assert "verify_archive" in after
    assert 'name="year"' not in after


@pytest.mark.parametrize("who", ["staff_viewer", "observer"])
def test_readers_see_the_page_without_the_form_and_may_not_post(
    client, cycle, plan_world, who
):
    client.force_login(getattr(plan_world, who))
    page = client.get(reverse("closeout:page"))
    assert page.status_code == 200 and 'name="year"' not in page.content.decode()
    assert client.post(reverse("closeout:page"), {"year": "2021"}).status_code == 403
    assert Election.objects.get().closed_at is None


@pytest.mark.parametrize("who", ["district_a_officer", "telecom_officer"])
def test_districts_and_carriers_do_not_find_the_page(client, cycle, plan_world, who):
    client.force_login(getattr(plan_world, who))
    assert client.get(reverse("closeout:page")).status_code == 404


# --- Read-only after close-out ----------------------------------------------------


def _writes(w, cycle) -> list[tuple[str, str, dict]]:
    """(user, URL, body) of writes each user may make while it is open."""
    section = PlanSection.objects.get(
        plan__organisation=w.telecom, obligation__code="T1"
    )
    review = SectionReview.objects.filter(status="submitted").first()
    assert review is not None
    deadline = Deadline.objects.filter(organisation=None).first()
    assert deadline is not None
    commune = w.district_a.unit.children.order_by("code").first()
    return [
        (
            "district_a_officer",
            reverse("contacts:body_create", args=[cycle.list_a.pk]),
            {
                "kind": "team",
                "unit": commune.pk,
                "name": "Tổ bầu cử mới",
                "contacts-TOTAL_FORMS": "1",
                "contacts-INITIAL_FORMS": "0",
                "contacts-0-full_name": "Phạm Văn Cường",
                "contacts-0-position": "chair",
                "contacts-0-phones": "0912 345 678",
            },
        ),
        (
            "district_a_officer",
            reverse("contacts:import_upload", args=[cycle.list_a.pk]),
            {"file": SimpleUploadedFile("ds.csv", b"a;b\n1;2\n", "text/csv")},
        ),
        (
            "telecom_officer",
            reverse("readiness:section_edit", args=[section.pk]),
            {
                "revision": section.revision,
                "measures": "Máy phát điện",
                "responsible_name": "Lê Văn Trực",
                "responsible_phone": "0912 345 678",
                "resources-TOTAL_FORMS": 0,
                "resources-INITIAL_FORMS": 0,
            },
        ),
        (
            "telecom_officer",
            reverse("incidents:report"),
            {
                "category": "fibre_cut",
                "severity": "major",
                "title": "Mất sóng",
                "units": [commune.pk],
                "started_at": "23/05/2021 08:50",
                "detected_at": "23/05/2021 08:55",
            },
        ),
        (
            "telecom_officer",
            reverse("incidents:update", args=[cycle.incident.pk]),
            {"text": "Đã cử người xử lý"},
        ),
        (
            "telecom_officer",
            reverse("rosters:shift_add", args=[w.telecom.pk]),
            {
                "person_name": "Lê Văn Trực",
                "phone": "0912 345 678",
                "starts_at": "23/05/2021 07:30",
                "ends_at": "23/05/2021 17:00",
            },
        ),
        (
            "staff",
            reverse("readiness:deadline_move", args=[deadline.pk]),
            {"due_at": "15/04/2021 17:00", "reason": "Theo đề nghị"},
        ),
        (
            "staff",
            reverse("readiness:review_accept", args=[review.pk]),
            {"comment": "Đạt"},
        ),
        (
            "staff",
            reverse("reminders:rule"),
            {
                "enabled": "on",
                "offsets_days": "10, 5,2",
                "overdue_daily": "on",
                "head_after_overdue_days": "2",
                "quiet_start": "22:00",
                "quiet_end": "06:30",
                "digest_hour": "8",
            },
        ),
    ]


def test_every_write_is_refused_and_changes_nothing(closed, plan_world):
    writes = _writes(plan_world, closed)
    clients = {}
    for who, _url, _body in writes:  # logins write last_login: before the snapshot
        clients[who] = Client()
        clients[who].force_login(getattr(plan_world, who))
    before = snapshot()
    refused = []
    for who, url, body in writes:
        response = clients[who].post(url, body)
        refused.append((url, _closed_page(response)))
    assert all(ok for _url, ok in refused), refused
    assert differences(before, snapshot()) == {}


def test_the_same_writes_go_through_while_it_is_open(client, cycle, plan_world):
    """The refusals above are of writes that would have changed something."""
    for who, url, body in _writes(plan_world, cycle):
        client.force_login(getattr(plan_world, who))
        before = snapshot()
        response = client.post(url, body)
        assert response.status_code == 302, url
        assert differences(before, snapshot()) != {}, url


def test_reads_still_work_and_show_the_banner(client, closed, plan_world):
    for who, url in (
        (
            "district_a_officer",
            reverse("contacts:contact_list_detail", args=[closed.list_a.pk]),
        ),
        ("telecom_officer", reverse("incidents:detail", args=[closed.incident.pk])),
        ("telecom_officer", reverse("rosters:roster", args=[plan_world.telecom.pk])),
        ("staff", reverse("readiness:deadlines")),
        ("observer", reverse("readiness:report")),
        ("staff", "/"),
    ):
        client.force_login(getattr(plan_world, who))
        response = client.get(url)
        assert response.status_code == 200, url
        assert "closed-election-banner" in response.content.decode(), url


def test_signing_out_and_switching_language_still_work(client, closed, plan_world):
    client.force_login(plan_world.telecom_officer)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302


def test_no_banner_while_open(client, cycle, plan_world):
    client.force_login(plan_world.staff)
    assert "closed-election-banner" not in client.get("/").content.decode()


# --- An older closed election, while a newer one is open -----------------------------


@pytest.fixture
def newer(closed, plan_world):
    return ElectionFactory(
        province=plan_world.province, polling_day=datetime.date(2026, 3, 15)
    )


def test_services_refuse_an_older_closed_elections_records(newer, closed, plan_world):
    with pytest.raises(ElectionClosed):
        incident_comment(
            incident=closed.incident, by=plan_world.telecom_officer, text="Muộn"
        )
    with pytest.raises(ElectionClosed):
        shift_update(
            shift=closed.shift,
            person_name="Người khác",
            phone=closed.shift.phone,
            starts_at=closed.shift.starts_at,
            ends_at=closed.shift.ends_at,
        )
    assert not closed.incident.updates.filter(text="Muộn").exists()


def test_a_web_write_to_an_older_closed_elections_record_gets_the_page(
    client, newer, closed, plan_world
):
    client.force_login(plan_world.telecom_officer)
    before = snapshot()
    response = client.post(
        reverse("incidents:update", args=[closed.incident.pk]), {"text": "Muộn"}
    )
    assert _closed_page(response)
    assert differences(before, snapshot()) == {}


def test_the_api_answers_403_in_its_shape(closed, plan_world):
    api = token_client(organisation=plan_world.telecom, by=plan_world.telecom_officer)
    body = error(api.post(reverse("api:incidents:list"), a_report(plan_world)), 403)
    assert body["code"] == "election_closed"
    assert CLOSED_TEXT in body["message"]
    body = error(api.post(timeline(closed.incident), {"text": "x"}), 403)
    assert body["code"] == "election_closed"


def test_the_api_refuses_an_older_closed_elections_record(newer, closed, plan_world):
    api = token_client(organisation=plan_world.telecom, by=plan_world.telecom_officer)
    response = api.post(timeline(closed.incident), {"text": "Muộn"})
    assert error(response, 403)["code"] == "election_closed"
    assert not closed.incident.updates.filter(text="Muộn").exists()


# --- Nothing more is sent for a closed election ---------------------------------------


# A week before D2's deadline (tests/conftest.py: 45 days before polling
# day, 17:00), when district B, whose list is not accepted, is reminded.
REMINDED_ON = datetime.datetime(2021, 4, 1, 18, 0, tzinfo=VN)


def _ticks() -> tuple[int, int, int]:
    """Escalations (incidents moved a step), reminders and digests written
    by one tick of each task; the clock is the tasks' argument, the close-out
    is what changes."""
    incidents_escalate_due(now=AFTER_AFTER)
    escalated = Incident.objects.filter(escalation_step__gt=0).count()
    reminders = reminders_enqueue_due(now=REMINDED_ON)
    digests = digest_enqueue(now=REMINDED_ON.replace(hour=21))
    return escalated, reminders, digests


@pytest.fixture
def emails(plan_world):
    """Messages go to members with an address."""
    for who in ("staff", "district_b_officer"):
        user = getattr(plan_world, who)
        user.email = f"{user.username}@example.vn"
        user.save()


def test_while_open_the_ticks_escalate_remind_and_digest(cycle, emails):
    escalated, reminders, digests = _ticks()
    assert escalated == 1 and reminders > 0 and digests > 0


def test_after_close_out_no_escalation_reminder_or_digest(closed, emails):
    assert _ticks() == (0, 0, 0)
