"""python manage.py anonymise_election: after close-out and the retention
period, no name or phone number of the election's contacts, people on duty
and people asked in roll-calls remains anywhere in the database, and every
total the dashboard and the report show is the same."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from contacts.models import (
    Contact,
    ContactImport,
    ContactList,
    ContactPosition,
    Election,
    ElectionBody,
    OutboundMessage,
)
from contacts.services import contact_lists as lists
from incidents.models import RollCall, RollCallAudience, RollCallEntry, Shift
from incidents.services.rosters import shift_add, shift_update
from readiness.selectors.dashboard import province_dashboard
from readiness.selectors.report import committee_report
from tests.contacts.conftest import make_row
from tests.factories import VN
from tests.incidents.roll_call_world import roll_call_started

POLLING = datetime.date(2021, 5, 23)
CLOSED_AT = datetime.datetime(2021, 6, 20, 10, 0, tzinfo=VN)
# The names, numbers, e-mails and notes of the scenario, as they would be
# searched for (E.164 digits without "+84": they match the national form
# too).
PERSONAL = (
    "Nguyễn Văn",
    "Trần Thị Thư",
    "Lê Văn Trực",
    "Phạm Văn Đổi",
    "912340001",
    "912340002",
    "987000111",
    "987000222",
    "911222333",
    "911222444",
    "thu@example.vn",
    "Gọi sau 17 giờ",
)


@pytest.fixture
def election(world) -> Election:
    return world.directive.election


def at(days_from_polling: int, hour: int = 9) -> datetime.datetime:
    day = POLLING + datetime.timedelta(days=days_from_polling)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=VN)


@pytest.fixture
def cycle(world, election):
    """A whole cycle's personal data, made through the services: district
    A's list imported from a file, accepted, then edited (the audit trail
    keeps the old number); a telecom shift whose phone was changed; a
    roll-call of the contacts, with its SMS."""
    contact_list = ContactList.objects.create(
        election=election, organisation=world.district_a
    )
    communes = list(world.district_a.unit.children.order_by("code"))
    upload = ContactImport.objects.create(
        contact_list=contact_list,
        original_name="danh-sach.xlsx",
        uploaded_by=world.district_a_officer,
        file=ContentFile(b"spreadsheet bytes", name="upload"),
    )
    rows = [make_row(n, c) for n, c in enumerate(communes, start=1)]
    plan = lists.import_plan(contact_list=contact_list, rows=rows, unit_column="Mã")
    lists.contact_list_import(contact_import=upload, plan=plan)
    version = lists.contact_list_submit(
        contact_list=contact_list, by=world.district_a_officer, now=at(-50)
    )
    lists.contact_list_accept(version=version, by=world.staff, now=at(-49))
    body = ElectionBody.objects.filter(contact_list=contact_list, version=None).first()
    assert body is not None
    changed = body.contacts.get()
    changed.phones = "+84987000111"
    secretary = Contact(
        full_name="Trần Thị Thư",
        position=ContactPosition.SECRETARY,
        phones="+84987000222",
        email="thu@example.vn",
        note="Gọi sau 17 giờ",
    )
    lists.body_save(
        contact_list=contact_list,
        body=body,
        contacts=[changed, secretary],
        removed_contacts=[],
    )
    shift = shift_add(
        election=election,
        organisation=world.telecom,
        person_name="Lê Văn Trực",
        phone="0911222333",
        starts_at=at(0, 7),
        ends_at=at(0, 15),
        by=world.telecom_officer,
    )
    shift_update(
        shift=shift,
        person_name="Phạm Văn Đổi",
        phone="0911222444",
        starts_at=at(0, 7),
        ends_at=at(0, 15),
    )
    roll_call_started(
        election=election,
        audience=RollCallAudience.CONTACTS,
        by=world.staff,
        now=at(-10),
    )
    return contact_list


@pytest.fixture
def other(world, cycle):
    """Another election of the province, still running, whose list has a
    contact with the same name and number, and a roll-call SMS to it."""
    other = Election.objects.create(
        name="Bầu cử khác",
        province=world.province,
        polling_day=datetime.date(2026, 3, 15),
        before_starts_on=datetime.date(2025, 12, 1),
        after_ends_on=datetime.date(2026, 4, 15),
    )
    body = ElectionBody.objects.create(
        contact_list=ContactList.objects.create(
            election=other, organisation=world.district_a
        ),
        kind="committee",
        level="district",
        unit=world.district_a.unit,
        name="Ủy ban bầu cử",
    )
    Contact.objects.create(
        body=body,
        full_name="Nguyễn Văn 1",
        position=ContactPosition.CHAIR,
        phones="+84912340001",
    )
    Shift.objects.create(
        election=other,
        organisation=world.telecom,
        person_name="Lê Văn Trực",
        phone="+84911222333",
        starts_at=at(1000, 7),
        ends_at=at(1000, 15),
        created_by=world.telecom_officer,
    )
    roll_call = RollCall.objects.create(
        election=other,
        audience=RollCallAudience.CONTACTS,
        started_at=timezone.now(),
        started_by=world.staff,
        remind_at=timezone.now(),
    )
    OutboundMessage.objects.create(
        dedupe_key=f"roll-call:{roll_call.pk}:1",
        kind="roll-call",
        channel="sms",
        address="+84912340001",
        subject="Xác nhận",
        body="Trả lời OK 1234",
        next_attempt_at=timezone.now(),
    )
    return other


def close(election: Election, closed_at: datetime.datetime = CLOSED_AT) -> Election:
    election.closed_at = closed_at
    election.save(update_fields=["closed_at"])
    return election


def texts(q) -> list[str]:
    fields = [
        f.attname
        for f in q.model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField", "EmailField")
    ]
    return [str(v) for row in q.values_list(*fields) for v in row]


def leaks(election: Election) -> dict[str, list[str]]:
    """The scenario's personal values found in the election's rows of each
    table (every text column)."""
    rows = {
        "Contact": Contact.objects.filter(body__contact_list__election=election),
        "HistoricalContact": Contact.history.filter(
            body_id__in=ElectionBody.objects.filter(
                contact_list__election=election
            ).values("pk")
        ),
        "Shift": Shift.objects.filter(election=election),
        "HistoricalShift": Shift.history.filter(election_id=election.pk),
        "RollCallEntry": RollCallEntry.objects.filter(roll_call__election=election),
        "OutboundMessage": OutboundMessage.objects.filter(
            recipient=None, dedupe_key__startswith="roll-call:"
        ).exclude(dedupe_key__in=other_keys(election)),
    }
    found = {
        table: [t for t in texts(q) for value in PERSONAL if value in t]
        for table, q in rows.items()
    }
    return {table: values for table, values in found.items() if values}


def other_keys(election: Election) -> list[str]:
    """The keys of the roll-call messages of the other elections."""
    return [
        m.dedupe_key
        for m in OutboundMessage.objects.filter(dedupe_key__startswith="roll-call:")
        for pk in RollCall.objects.exclude(election=election).values_list(
            "pk", flat=True
        )
        if m.dedupe_key.startswith(f"roll-call:{pk}:")
    ]


def everything() -> dict[str, list]:
    """Every row of every table that holds personal data."""
    return {
        "Contact": list(Contact.objects.order_by("pk").values()),
        "HistoricalContact": list(Contact.history.order_by("pk").values()),
        "Shift": list(Shift.objects.order_by("pk").values()),
        "HistoricalShift": list(Shift.history.order_by("pk").values()),
        "RollCallEntry": list(RollCallEntry.objects.order_by("pk").values()),
        "OutboundMessage": list(OutboundMessage.objects.order_by("pk").values()),
        "ContactImport": list(ContactImport.objects.order_by("pk").values()),
        "Election": list(Election.objects.order_by("pk").values()),
    }


def totals(world, election: Election):
    """What the dashboard and the committee report count: readiness per
    group, coverage per district, people on duty, and the contact counts
    by body, position and commune."""
    now = at(0, 10)
    dashboard = province_dashboard(directive=world.directive, now=now)
    report = committee_report(directive=world.directive, moment=now)
    return {
        "dashboard readiness": [vars(g) for g in dashboard.readiness],
        "dashboard coverage": [vars(c) for c in dashboard.coverage],
        "on duty": [len(row.shifts) for row in dashboard.on_duty],
        "report groups": [vars(g) for g in report.groups],
        "report coverage": [vars(c) for c in report.coverage],
        "contacts": sorted(
            Contact.objects.filter(body__contact_list__election=election).values_list(
                "body_id", "body__unit__code", "position"
            )
        ),
        "roll-call": sorted(
            RollCallEntry.objects.values_list(
                "roll_call_id", "district_id", "contact_id"
            )
        ),
        "messages": OutboundMessage.objects.count(),
    }


def run(*args: str) -> str:
    """The command's output, in English (Vietnamese is the default)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("anonymise_election", *args, stdout=out)
    return out.getvalue()


def test_the_scenario_holds_the_personal_data(world, election, cycle, other):
    """The check below can fail: before anonymisation every table leaks."""
    assert set(leaks(election)) == {
        "Contact",
        "HistoricalContact",
        "Shift",
        "HistoricalShift",
        "RollCallEntry",
        "OutboundMessage",
    }


def test_it_refuses_an_election_not_closed(election, cycle):
    before = everything()
    with pytest.raises(CommandError, match="has not been closed"):
        run("--election", str(election.pk))
    assert everything() == before


def test_it_refuses_before_the_retention_period_with_the_date(election, cycle):
    closed_at = timezone.now() - datetime.timedelta(days=10)
    close(election, closed_at)
    before = everything()
    allowed = timezone.localtime(closed_at + datetime.timedelta(days=90))
    with pytest.raises(CommandError, match=allowed.strftime("%d/%m/%Y %H:%M")):
        run("--election", str(election.pk))
    assert everything() == before


def test_a_dry_run_changes_nothing(world, election, cycle, other):
    close(election)
    before = everything()
    out = run("--election", str(election.pk), "--dry-run")
    assert everything() == before
    assert "Dry run" in out
    assert "  contacts: 5" in out  # 2 imported, 1 added to the draft, 2 frozen
    upload = ContactImport.objects.get().file
    assert upload.name is not None
    assert upload.storage.exists(upload.name)


def test_no_personal_data_remains_and_the_totals_are_kept(
    world, election, cycle, other, django_capture_on_commit_callbacks
):
    close(election)
    before = totals(world, election)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--by", "staff")  # the latest closed election

    assert leaks(election) == {}
    assert totals(world, election) == before
    assert "shift history rows: 2" in out
    upload = ContactImport.objects.get()
    assert upload.file.name == ""
    election.refresh_from_db()
    assert election.anonymised_at is not None
    assert election.history.latest().history_user == world.staff


def test_another_elections_data_is_untouched(world, election, cycle, other):
    close(election)
    kept = {
        table: rows
        for table, rows in everything().items()
        if table in ("Contact", "Shift", "OutboundMessage")
    }
    run("--election", str(election.pk))
    assert Contact.objects.get(body__contact_list__election=other).phones == (
        "+84912340001"
    )
    assert Shift.objects.get(election=other).person_name == "Lê Văn Trực"
    (message,) = OutboundMessage.objects.filter(dedupe_key__in=other_keys(election))
    assert (message.address, message.body) == ("+84912340001", "Trả lời OK 1234")
    assert len(kept["Contact"]) == Contact.objects.count()


def test_a_second_run_is_refused_and_changes_nothing(world, election, cycle):
    close(election)
    run("--election", str(election.pk))
    before = everything()
    with pytest.raises(CommandError, match="were anonymised on"):
        run("--election", str(election.pk))
    assert everything() == before
