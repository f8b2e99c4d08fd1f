"""Reachability checks (roll-calls): who is asked, the SMS through the
outbox, confirmations by link and by SMS reply, the one reminder, the
unreachable by district and by carrier, what each role sees, and delivery
to the logging SMS backend."""

import datetime
import io
import logging
import threading

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import (
    Channel,
    ContactImport,
    ContactList,
    MessageStatus,
    OutboundMessage,
    PhoneAccess,
    PhoneAccessKind,
)
from contacts.services import contact_lists as contact_services
from contacts.services.closure import ElectionClosed
from contacts.services.outbox import outbox_deliver, outbox_due_ids
from contacts.spreadsheets import active_sheet
from incidents.models import RollCall, RollCallAudience, RollCallEntry
from incidents.services import roll_calls as roll_call_services
from incidents.services.roll_calls import (
    ALREADY_RUNNING,
    NOT_BEFORE_POLLING_DAY,
    ReplyOutcome,
    reply_code_of,
    roll_call_confirm_link,
    roll_call_confirm_reply,
    roll_call_start,
    roll_calls_prepare_pending,
    roll_calls_remind_due,
)
from incidents.tasks import remind_roll_calls
from tests.contacts.conftest import make_row
from tests.incidents.conftest import on
from tests.incidents.roll_call_world import roll_call_started
from tests.readiness.conftest import english

# Three days before polling day (23/05/2021), 09:00.
START = on(-3, 9)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
LANDLINE = "+842373718258"  # a Thanh Hóa fixed line


# --- Building the world's lists ---------------------------------------------------


def _import(contact_list: ContactList, by, rows) -> None:
    plan = contact_services.import_plan(
        contact_list=contact_list, rows=rows, unit_column="Mã"
    )
    contact_import = ContactImport.objects.create(
        contact_list=contact_list, original_name="t.xlsx", uploaded_by=by
    )
    contact_services.contact_list_import(contact_import=contact_import, plan=plan)


def district_list(world, org, people, *, accept: bool, first: int = 2) -> ContactList:
    """A district's list of one team per person (name, phones), over its
    communes; accepted by staff when `accept`."""
    officer = {
        world.district_a.pk: world.district_a_officer,
        world.district_b.pk: world.district_b_officer,
    }[org.pk]
    contact_list = contact_services.contact_list_get_or_create(
        election=world.directive.election, organisation=org
    )
    communes = list(org.unit.children.order_by("code"))
    rows = [
        make_row(
            first + i,
            communes[i % len(communes)],
            full_name=name,
            phones=phones,
            body_name=f"Tổ {first + i}",
        )
        for i, (name, phones) in enumerate(people)
    ]
    _import(contact_list, officer, rows)
    if accept:
        version = contact_services.contact_list_submit(
            contact_list=contact_list, by=officer
        )
        contact_services.contact_list_accept(
            version=version, by=world.staff, reason="Đủ cho thử nghiệm"
        )
    return contact_list


@pytest.fixture
def lists(world):
    """District A: an accepted list (two mobiles, a landline-only person,
    a number listed twice) then a draft change not yet submitted; district
    B: a draft only."""
    district_list(
        world,
        world.district_a,
        [
            ("An", ("+84912000001",)),
            ("Bình", (LANDLINE, "+84912000002")),
            ("Cường", (LANDLINE,)),
            ("An lần hai", ("+84912000001",)),
        ],
        accept=True,
    )
    # Typed after the acceptance: not in the list in force.
    district_list(
        world, world.district_a, [("Mới", ("+84912000099",))], accept=False, first=9
    )
    district_list(world, world.district_b, [("Dung", ("+84987000001",))], accept=False)
    # The review loop told the Department of the submission and the district
    # of the acceptance (contacts.services.notices): these tests count the
    # roll-call's messages only.
    OutboundMessage.objects.filter(kind__startswith="contact-list-").delete()


def start(world, audience=RollCallAudience.CONTACTS, now=START, **kw) -> RollCall:
    return roll_call_started(
        election=world.directive.election,
        audience=audience,
        by=world.staff,
        now=now,
        **kw,
    )


def entries(roll_call) -> dict[str, RollCallEntry]:
    return {e.phone: e for e in RollCallEntry.objects.filter(roll_call=roll_call)}


def sms(roll_call) -> dict[str, OutboundMessage]:
    return {
        m.address: m
        for m in OutboundMessage.objects.filter(
            dedupe_key__startswith=f"roll-call:{roll_call.pk}:"
        ).exclude(dedupe_key__endswith=":reminder")
    }


def reminders(roll_call) -> dict[str, OutboundMessage]:
    return {
        m.address: m
        for m in OutboundMessage.objects.filter(
            dedupe_key__startswith=f"roll-call:{roll_call.pk}:",
            dedupe_key__endswith=":reminder",
        )
    }


# --- Starting -----------------------------------------------------------------------


def test_contacts_of_each_list_in_force_with_a_mobile_are_asked_once(world, lists):
    roll_call = start(world)
    asked = entries(roll_call)
    # A's accepted version (not its later draft), B's draft; landlines
    # skipped, a number listed twice asked once.
    assert sorted(asked) == ["+84912000001", "+84912000002", "+84987000001"]
    assert asked["+84912000001"].full_name == "An"
    assert asked["+84912000002"].full_name == "Bình"
    a, b = asked["+84912000001"], asked["+84987000001"]
    assert (a.organisation, a.district) == (world.district_a, world.district_a.unit)
    assert (b.organisation, b.district) == (world.district_b, world.district_b.unit)
    assert a.contact is not None and a.shift is None
    assert roll_call.remind_at == START + 6 * HOUR


def test_each_person_gets_one_sms_with_their_code_and_link(world, lists):
    roll_call = start(world)
    messages = sms(roll_call)
    assert sorted(messages) == sorted(entries(roll_call))
    for phone, entry in entries(roll_call).items():
        message = messages[phone]
        assert message.channel == Channel.SMS
        assert message.recipient is None
        assert message.organisation_id == entry.organisation_id
        assert message.dedupe_key == f"roll-call:{roll_call.pk}:{entry.pk}"
        link = f"http://testserver.example/r/{entry.token}"
        assert f"OK {entry.reply_code}" in message.body
        assert link in message.body
        assert message.link == link
    codes = [e.reply_code for e in entries(roll_call).values()]
    assert len(set(codes)) == len(codes)
    assert all(len(c) >= 4 and c.isdigit() for c in codes)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def test_people_on_duty_with_a_mobile_are_asked_once_per_phone(world, make_shift):
    make_shift(world.telecom, on(0, 0), on(0, 8), person_name="Trực 1")
    make_shift(world.telecom, on(0, 8), on(0, 16), person_name="Trực 1 lần 2")
    make_shift(world.telecom, person_name="Bàn", phone=LANDLINE, phone_is_mobile=False)
    make_shift(world.postal, person_name="Bưu", phone="+84987000002")
    make_shift(world.department, person_name="Sở", phone="+84987000003")
    # Over before the start: not needed any more.
    make_shift(world.postal, on(-10, 8), on(-10, 16), phone="+84987000004")
    roll_call = start(world, RollCallAudience.ON_DUTY)
    asked = entries(roll_call)
    assert sorted(asked) == ["+84912345678", "+84987000002", "+84987000003"]
    assert asked["+84912345678"].full_name == "Trực 1"
    assert asked["+84912345678"].organisation == world.telecom
    assert asked["+84987000002"].organisation == world.postal
    assert asked["+84912345678"].shift is not None
    assert asked["+84912345678"].district is None
    assert sorted(sms(roll_call)) == sorted(asked)


def test_it_is_refused_on_and_after_polling_day(world, lists):
    for moment in (on(0, 0), on(1, 9)):
        with pytest.raises(ValidationError) as refused:
            start(world, now=moment)
        assert refused.value.messages == [str(NOT_BEFORE_POLLING_DAY)]
    assert not RollCall.objects.exists()


def test_a_second_of_the_same_people_waits_for_the_first_ones_reminder(
    world, lists, make_shift
):
    start(world)
    with pytest.raises(ValidationError) as refused:
        start(world, now=START + HOUR)
    assert refused.value.messages == [str(ALREADY_RUNNING)]
    make_shift(world.telecom)
    start(world, RollCallAudience.ON_DUTY, now=START + HOUR)  # others may
    roll_calls_remind_due(now=START + 7 * HOUR)
    again = start(world, now=START + 8 * HOUR)
    assert RollCall.objects.filter(audience=RollCallAudience.CONTACTS).count() == 2
    assert len(entries(again)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_roll_call(world, lists):
    """PostgreSQL: a second start while the first is still sending waits
    for it (the election row is locked), then is refused as running: nobody
    gets two SMS with two codes."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    started, go_on = threading.Event(), threading.Event()

    def first_start():
        try:
            with transaction.atomic():
                start(world)
                started.set()
                go_on.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_start)
    thread.start()
    assert started.wait(10)
    threading.Timer(0.5, go_on.set).start()  # commit while the second waits
    with pytest.raises(ValidationError) as refused:
        start(world)
    thread.join()
    assert refused.value.messages == [str(ALREADY_RUNNING)]
    assert RollCall.objects.count() == 1


def test_a_closed_election_is_refused(world, lists):
    election = world.directive.election
    election.closed_at = START
    election.save(update_fields=["closed_at"])
    with pytest.raises(ElectionClosed):
        start(world)
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    "who", ["staff_viewer", "observer", "district_a_officer", "telecom_officer"]
)
def test_only_department_editors_start_one(world, lists, who):
    with pytest.raises(PermissionDenied):
        roll_call_start(
            election=world.directive.election,
            audience=RollCallAudience.CONTACTS,
            by=getattr(world, who),
            now=START,
        )
    assert not RollCall.objects.exists()


def test_starting_costs_the_same_queries_for_many_contacts(world):
    """Starting and preparing: a fixed number of queries beyond the batched
    INSERTs, whatever the number of contacts (20,000 in a province) up to a
    preparation batch."""
    district_list(world, world.district_a, [("A", ("+84912000001",))], accept=True)

    def queries(people: int) -> int:
        district_list(
            world,
            world.district_b,
            [(f"N {n}", (f"+849130{n:05d}",)) for n in range(people)],
            accept=False,
            first=100 + people,
        )
        with CaptureQueriesContext(connection) as captured:
            roll_call = start(world)
        RollCall.objects.filter(pk=roll_call.pk).update(reminded_at=START)
        return sum(
            1
            for q in captured.captured_queries
            if not q["sql"].lstrip().upper().startswith("INSERT")
        )

    queries(1)  # the staff member's membership is read once, then cached
    assert queries(5) == queries(1500)


# --- Preparing in the background ------------------------------------------------------


def test_starting_writes_no_sms_until_a_worker_prepares_it(
    world, lists, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        roll_call = roll_call_start(
            election=world.directive.election,
            audience=RollCallAudience.CONTACTS,
            by=world.staff,
            now=START,
        )
    assert roll_call.prepared_at is None
    assert not RollCallEntry.objects.exists()
    assert not OutboundMessage.objects.exists()
    assert [c.__name__ for c in callbacks] == ["_nudge_preparation"]
    asked = roll_calls_prepare_pending(now=START + MINUTE)
    roll_call.refresh_from_db()
    assert roll_call.prepared_at == START + MINUTE
    assert asked == len(entries(roll_call)) == len(sms(roll_call)) > 0
    assert roll_calls_prepare_pending(now=START + 2 * MINUTE) == 0  # once only
    assert OutboundMessage.objects.count() == asked


def test_the_sweep_prepares_in_batches_one_entry_and_code_per_phone(
    world, lists, monkeypatch
):
    monkeypatch.setattr(roll_call_services, "PREPARE_BATCH", 2)
    roll_call = start(world)
    asked = RollCallEntry.objects.filter(roll_call=roll_call)
    phones = list(asked.values_list("phone", flat=True))
    codes = set(asked.values_list("reply_code", flat=True))
    assert len(phones) > 2  # more than one batch
    assert len(phones) == len(set(phones)) == len(codes)
    assert len(sms(roll_call)) == len(phones)


def test_a_roll_call_not_yet_prepared_is_not_reminded(world, lists):
    roll_call_start(
        election=world.directive.election,
        audience=RollCallAudience.CONTACTS,
        by=world.staff,
        now=START,
    )
    assert roll_calls_remind_due(now=START + 7 * HOUR) == 0
    assert RollCall.objects.get().reminded_at is None


def test_the_page_says_the_messages_are_being_prepared(client, world, lists):
    roll_call = roll_call_start(
        election=world.directive.election,
        audience=RollCallAudience.CONTACTS,
        by=world.staff,
        now=START,
    )
    english(login(client, world.staff))
    preparing = client.get(url("detail", roll_call.pk)).content.decode()
    assert "being prepared" in preparing
    assert 'id="totals"' not in preparing  # no zeros that look like results
    assert "being prepared" in client.get(url("index")).content.decode()
    roll_calls_prepare_pending(now=START)
    assert (
        "being prepared" not in client.get(url("detail", roll_call.pk)).content.decode()
    )


# --- Confirming -----------------------------------------------------------------------


def test_a_link_confirms_once(world, lists):
    roll_call = start(world)
    entry = entries(roll_call)["+84912000001"]
    confirmed = roll_call_confirm_link(token=entry.token, now=START + HOUR)
    assert confirmed is not None
    assert confirmed.confirmed_at == START + HOUR
    again = roll_call_confirm_link(token=entry.token, now=START + 2 * HOUR)
    assert again is not None
    entry.refresh_from_db()
    assert (entry.confirmed_at, entry.confirmed_via) == (START + HOUR, "link")
    assert again.confirmed_at == START + HOUR
    assert roll_call_confirm_link(token="nope", now=START) is None


@pytest.mark.parametrize(
    "text", ["OK {code}", "ok {code}", "  Ok   {code} ", "OK{code}", "ok {code}."]
)
def test_a_reply_confirms_whatever_the_case_and_spaces(world, lists, text):
    roll_call = start(world)
    entry = entries(roll_call)["+84912000002"]
    result = roll_call_confirm_reply(
        phone="0912 000 002", text=text.format(code=entry.reply_code), now=START
    )
    assert result.outcome == ReplyOutcome.CONFIRMED
    entry.refresh_from_db()
    assert (entry.confirmed_at, entry.confirmed_via) == (START, "reply")


def test_a_wrong_code_an_unknown_phone_or_other_text_change_nothing(world, lists):
    roll_call = start(world)
    entry = entries(roll_call)["+84912000002"]
    other = entries(roll_call)["+84912000001"]
    cases = [
        ("0912000002", f"OK {other.reply_code}", ReplyOutcome.UNKNOWN),
        ("0987654321", f"OK {entry.reply_code}", ReplyOutcome.UNKNOWN),
        ("not a phone", f"OK {entry.reply_code}", ReplyOutcome.UNKNOWN),
        ("0912000002", "Vâng, tôi nhận được", ReplyOutcome.NOT_UNDERSTOOD),
        ("0912000002", entry.reply_code, ReplyOutcome.NOT_UNDERSTOOD),
    ]
    for phone, text, outcome in cases:
        assert roll_call_confirm_reply(phone=phone, text=text).outcome == outcome
    assert not RollCallEntry.objects.filter(confirmed_at__isnull=False).exists()


def test_a_second_reply_says_already_confirmed(world, lists):
    roll_call = start(world)
    entry = entries(roll_call)["+84912000002"]
    roll_call_confirm_reply(phone="+84912000002", text=f"OK {entry.reply_code}")
    result = roll_call_confirm_reply(
        phone="+84912000002", text=f"ok {entry.reply_code}"
    )
    assert result.outcome == ReplyOutcome.ALREADY_CONFIRMED


def test_reply_codes_are_read_strictly():
    assert reply_code_of("OK 1234") == "1234"
    assert reply_code_of("o k 1234") == "1234"
    assert reply_code_of("OK") is None
    assert reply_code_of("KO 1234") is None
    assert reply_code_of("OK 12a4") is None


# --- The reminder ---------------------------------------------------------------------


def test_the_unconfirmed_are_reminded_exactly_once(world, lists):
    roll_call = start(world, remind_after=4 * HOUR)
    asked = entries(roll_call)
    roll_call_confirm_link(token=asked["+84912000001"].token, now=START + HOUR)
    assert roll_calls_remind_due(now=START + 3 * HOUR) == 0  # not yet
    assert roll_calls_remind_due(now=START + 4 * HOUR) == 2
    assert roll_calls_remind_due(now=START + 5 * HOUR) == 0
    assert remind_roll_calls() == 0  # the beat task, now: nothing more
    sent = reminders(roll_call)
    assert sorted(sent) == ["+84912000002", "+84987000001"]
    entry = asked["+84912000002"]
    message = sent["+84912000002"]
    assert message.dedupe_key == f"roll-call:{roll_call.pk}:{entry.pk}:reminder"
    assert f"OK {entry.reply_code}" in message.body
    assert entry.token in message.body
    roll_call.refresh_from_db()
    assert roll_call.reminded_at == START + 4 * HOUR
    reminded = RollCallEntry.objects.filter(reminded_at__isnull=False)
    assert sorted(e.phone for e in reminded) == ["+84912000002", "+84987000001"]


def test_a_reminder_is_dropped_if_the_person_confirms_before_it_is_sent(world, lists):
    roll_call = start(world, remind_after=HOUR)
    roll_calls_remind_due(now=START + HOUR)
    entry = entries(roll_call)["+84912000002"]
    roll_call_confirm_reply(phone=entry.phone, text=f"OK {entry.reply_code}")
    message = reminders(roll_call)[entry.phone]
    assert outbox_deliver(message_ids=[message.pk], now=START + 2 * HOUR) == {
        message.pk: MessageStatus.CANCELLED
    }


# --- Delivery through the real outbox --------------------------------------------------


def test_the_sms_go_out_through_the_logging_backend(world, lists, caplog, settings):
    settings.SMS_BACKEND = "contacts.channels.sms.log_send"
    roll_call = start(world)
    entry = entries(roll_call)["+84987000001"]
    with caplog.at_level(logging.INFO, logger="contacts.sms"):
        outcome = outbox_deliver(message_ids=outbox_due_ids(now=START), now=START)
    assert set(outcome.values()) == {MessageStatus.SENT}
    logged = [r.getMessage() for r in caplog.records if r.name == "contacts.sms"]
    mine = [line for line in logged if line.startswith("SMS to +84987000001:")]
    assert len(mine) == 1
    assert f"OK {entry.reply_code}" in mine[0]
    assert OutboundMessage.objects.get(
        dedupe_key=f"roll-call:{roll_call.pk}:{entry.pk}"
    ).status == (MessageStatus.SENT)


def test_the_delivery_log_shows_a_message_without_an_account(world, lists, client):
    start(world)
    client.force_login(world.staff)
    page = english(client).get(reverse("inbox:log")).content.decode()
    assert "+84912000001" in page
    assert "None" not in page


def test_the_admin_lists_a_message_without_an_account(world, lists, client):
    start(world)
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(world.staff)
    page = client.get(reverse("admin:contacts_outboundmessage_changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3


# --- Pages ------------------------------------------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"roll_calls:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return english(client)


@pytest.fixture
def both(world, lists, make_shift):
    """A contacts roll-call and an on-duty roll-call, with one confirmed
    person each."""
    make_shift(world.telecom, person_name="Trực Viễn thông")
    make_shift(world.postal, person_name="Trực Bưu điện", phone="+84987000002")
    contacts = start(world)
    on_duty = start(world, RollCallAudience.ON_DUTY)
    roll_call_confirm_link(token=entries(contacts)["+84912000002"].token)
    roll_call_confirm_link(token=entries(on_duty)["+84987000002"].token)
    return contacts, on_duty


def test_staff_see_the_unreachable_by_district(client, world, both):
    contacts, _ = both
    page = login(client, world.staff).get(url("detail", contacts.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["totals"].asked == 3
    assert page.context["totals"].unreachable == 2
    groups = {g.name: (g.asked, g.unreachable) for g in page.context["groups"]}
    assert groups == {
        world.district_a.unit.name: (2, 1),
        world.district_b.unit.name: (1, 1),
    }
    assert "An" in body and "Dung" in body
    assert "Bình" not in body  # confirmed


def test_staff_filter_the_unreachable_by_district(client, world, both):
    contacts, _ = both
    page = login(client, world.staff).get(
        url("detail", contacts.pk), {"group": world.district_b.unit.pk}
    )
    names = [e.full_name for e in page.context["page"]]
    assert names == ["Dung"]
    page = client.get(url("detail", contacts.pk), {"q": "0912 000 001"})
    assert [e.full_name for e in page.context["page"]] == ["An"]


def test_staff_see_the_unreachable_on_duty_by_carrier(client, world, both):
    _, on_duty = both
    page = login(client, world.staff).get(url("detail", on_duty.pk))
    groups = {g.pk: (g.asked, g.unreachable) for g in page.context["groups"]}
    assert groups == {world.telecom.pk: (1, 1), world.postal.pk: (1, 0)}
    assert [e.full_name for e in page.context["page"]] == ["Trực Viễn thông"]


def test_a_district_sees_only_its_own_unreachable(client, world, both):
    contacts, on_duty = both
    page = login(client, world.district_b_officer).get(url("detail", contacts.pk))
    body = page.content.decode()
    assert [e.full_name for e in page.context["page"]] == ["Dung"]
    assert page.context["totals"].asked == 1
    assert "An" not in [g.name for g in page.context["groups"]]
    assert world.district_a.unit.name not in body
    own = ContactList.objects.get(organisation=world.district_b)
    assert reverse("contacts:contact_list_detail", args=[own.pk]) in body
    # Asking for another district's group is ignored: still only its own.
    page = client.get(url("detail", contacts.pk), {"group": world.district_a.unit.pk})
    assert [e.full_name for e in page.context["page"]] == ["Dung"]
    assert client.get(url("detail", on_duty.pk)).status_code == 404


def test_a_carrier_sees_only_its_own_people_on_duty(client, world, both):
    contacts, on_duty = both
    page = login(client, world.telecom_officer).get(url("detail", on_duty.pk))
    assert [e.full_name for e in page.context["page"]] == ["Trực Viễn thông"]
    assert [g.pk for g in page.context["groups"]] == [world.telecom.pk]
    assert "Trực Bưu điện" not in page.content.decode()
    assert client.get(url("detail", contacts.pk)).status_code == 404
    index = client.get(url("index"))
    assert [r.pk for r in index.context["rows"]] == [on_duty.pk]
    assert index.context["rows"][0].asked == 1


def test_observers_read_the_totals_but_no_names(client, world, both):
    contacts, _ = both
    page = login(client, world.observer).get(url("detail", contacts.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["totals"].asked == 3
    assert "Dung" not in body and "0912 000 001" not in body
    assert client.get(url("unreachable_xlsx", contacts.pk)).status_code == 403
    assert client.get(url("start")).status_code == 403


def _sheet_rows(response) -> list[tuple]:
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(response.content)))
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    # The preamble (personal data, purpose, who, when) and an empty row.
    return rows[rows.index((None,) * len(rows[0])) + 1 :]


def test_the_export_lists_the_unreachable(client, world, both):
    contacts, _ = both
    purpose = {"purpose": "Gọi lại người chưa xác nhận"}
    response = login(client, world.staff).get(
        url("unreachable_xlsx", contacts.pk), purpose
    )
    rows = _sheet_rows(response)
    assert rows[0][:4] == ("District", "Organisation", "Full name", "Phone")
    assert sorted(r[2] for r in rows[1:]) == ["An", "Dung"]
    assert "0912 000 001" in [r[3] for r in rows[1:]]
    district = login(client, world.district_a_officer).get(
        url("unreachable_xlsx", contacts.pk), purpose
    )
    assert [r[2] for r in _sheet_rows(district)[1:]] == ["An"]


def test_the_export_of_contacts_asks_its_purpose_first(client, world, both):
    contacts, _ = both
    login(client, world.staff)
    ask = client.get(url("unreachable_xlsx", contacts.pk), {"group": "x"})
    assert ask.status_code == 200
    assert "spreadsheetml" not in ask["Content-Type"]
    assert 'name="purpose"' in ask.content.decode()
    assert not PhoneAccess.objects.exists()
    response = client.get(
        url("unreachable_xlsx", contacts.pk), {"purpose": "Gọi lại người chưa xác nhận"}
    )
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(response.content)))
    assert sheet["B2"].value == "Gọi lại người chưa xác nhận"
    access = PhoneAccess.objects.get()
    assert access.kind == PhoneAccessKind.ROLL_CALL_EXPORT
    assert access.purpose == "Gọi lại người chưa xác nhận"
    assert access.user == world.staff
    assert set(access.districts.all()) == {world.district_a, world.district_b}


def test_the_page_showing_contacts_phones_is_in_the_access_log(client, world, both):
    contacts, on_duty = both
    login(client, world.district_b_officer).get(url("detail", contacts.pk))
    access = PhoneAccess.objects.get()
    assert access.kind == PhoneAccessKind.ROLL_CALL
    assert list(access.districts.all()) == [world.district_b]
    # People on duty are carriers' staff on their rosters, not contacts.
    login(client, world.staff).get(url("detail", on_duty.pk))
    assert PhoneAccess.objects.count() == 1


def test_staff_start_one_from_the_page(
    client, world, lists, django_capture_on_commit_callbacks
):
    login(client, world.staff)
    with (
        time_machine.travel(START, tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        response = client.post(
            url("start"), {"audience": "contacts", "remind_after_hours": "12"}
        )
    roll_call = RollCall.objects.get()
    assert response["Location"] == url("detail", roll_call.pk)
    assert roll_call.remind_at == START + 12 * HOUR
    assert roll_call.started_by == world.staff
    # The worker is nudged once the request commits; it prepares the SMS.
    assert [c.__name__ for c in callbacks] == ["_nudge_preparation"]
    assert roll_call.prepared_at is None


def test_the_page_says_why_a_start_is_refused(client, world, lists):
    login(client, world.staff)
    with time_machine.travel(on(0, 9), tick=False):
        response = client.post(
            url("start"), {"audience": "contacts", "remind_after_hours": "6"}
        )
    assert response.status_code == 200
    assert str(NOT_BEFORE_POLLING_DAY) in response.content.decode()
    assert not RollCall.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff_viewer", 403),
        ("observer", 403),
        ("district_a_officer", 404),
        ("telecom_officer", 404),
    ],
)
def test_who_may_not_start_one(client, world, who, status):
    login(client, getattr(world, who))
    assert client.get(url("start")).status_code == status
    post = client.post(url("start"), {"audience": "contacts", "remind_after_hours": 6})
    assert post.status_code == status
    assert not RollCall.objects.exists()


def test_anonymous_is_sent_to_login(client, world, both):
    contacts, _ = both
    for page in (
        url("index"),
        url("start"),
        url("simulate"),
        url("detail", contacts.pk),
        url("unreachable_xlsx", contacts.pk),
    ):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login"))


def test_a_bad_id_is_not_found(client, world, both):
    login(client, world.staff)
    assert client.get(url("detail", 999999)).status_code == 404


# --- The public confirm page ---------------------------------------------------------


def confirm_url(token: str) -> str:
    return reverse("roll_call_link:confirm", args=[token])


def test_opening_the_link_does_not_confirm_pressing_the_button_does(
    client, world, lists
):
    roll_call = start(world)
    entry = entries(roll_call)["+84912000001"]
    assert confirm_url(entry.token) == f"/r/{entry.token}"
    page = client.get(confirm_url(entry.token))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="vi"' in html  # Vietnamese by default
    assert '<form method="post">' in html and 'id="confirmed"' not in html
    entry.refresh_from_db()
    assert entry.confirmed_at is None
    response = client.post(confirm_url(entry.token))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.confirmed_via == "link"
    shown = client.get(confirm_url(entry.token))
    assert 'id="confirmed"' in shown.content.decode()


def test_an_unknown_link_is_a_vietnamese_404(client, world):
    for response in (client.get(confirm_url("khong-co")), client.post("/r/x")):
        assert response.status_code == 404
        assert 'lang="vi"' in response.content.decode()
    assert not RollCallEntry.objects.exists()


# --- The simulated reply -------------------------------------------------------------


def test_staff_simulate_a_reply_with_the_logging_backend(client, world, lists):
    roll_call = start(world)
    entry = entries(roll_call)["+84987000001"]
    login(client, world.staff)
    page = client.post(
        url("simulate"),
        {"phone": "0987 000 001", "text": f"ok {entry.reply_code}"},
        follow=True,
    )
    assert page.redirect_chain == [(url("simulate"), 302)]
    assert "Confirmed: Dung can be reached." in page.content.decode()
    entry.refresh_from_db()
    assert entry.confirmed_via == "reply"
    # Codes are random: take one this person was not given.
    not_theirs = "0000" if entry.reply_code != "0000" else "1111"
    wrong = client.post(
        url("simulate"),
        {"phone": "0987000001", "text": f"OK {not_theirs}"},
        follow=True,
    )
    assert "No open reachability check asked" in wrong.content.decode()
    form = client.post(url("simulate"), {"phone": "", "text": "OK"})
    assert form.status_code == 200 and form.context["form"].errors


def test_there_is_no_simulation_with_a_real_gateway(client, world, settings):
    settings.SMS_BACKEND = "tests.mail_backends.collect_sms"
    login(client, world.staff)
    assert client.get(url("simulate")).status_code == 404
    assert client.post(url("simulate"), {"phone": "1", "text": "OK"}).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff_viewer", 403), ("observer", 403), ("district_a_officer", 404)],
)
def test_only_department_editors_simulate(client, world, who, status):
    login(client, getattr(world, who))
    assert client.get(url("simulate")).status_code == status
