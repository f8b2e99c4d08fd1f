"""Changing duty rosters: one shift, many at once (all or nothing), the
spreadsheet import with its errors, and the reminder about shifts without a
mobile number."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contacts.importers.vocabulary import FORMULA_CELL
from contacts.models import MessageStatus, OutboundMessage
from contacts.phones import invalid_phone_message
from contacts.services.outbox import outbox_deliver
from incidents.importers import FILE_EMPTY, ShiftDraft
from incidents.models import Shift
from incidents.services.rosters import (
    ENDS_BEFORE_START,
    NOT_A_MEMBER,
    roster_import,
    shift_add,
    shift_remove,
    shift_update,
    shifts_add_many,
    shifts_remind_flagged,
    too_long_message,
)
from incidents.spreadsheets import roster_template_xlsx
from incidents.tasks import remind_flagged_shifts
from tests.contacts.test_importers import xlsx
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.conftest import POLLING_DAY, on

LANDLINE = "0237 3718 258"  # Thanh Hóa's area code 237


@pytest.fixture(autouse=True)
def english():
    """Messages in English, the source language (errors in Vietnamese:
    test_errors_are_in_the_users_language_with_the_files_headers)."""
    with translation.override("en"):
        yield


def add(world, election, **changes) -> Shift:
    values = {
        "election": election,
        "organisation": world.telecom,
        "person_name": "Lê Văn Trực",
        "phone": "0912 345 678",
        "starts_at": on(0, 8),
        "ends_at": on(0, 16),
        "by": world.telecom_officer,
    }
    return shift_add(**(values | changes))


def errors_of(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- One shift -----------------------------------------------------------------


def test_adding_a_shift_stores_its_phone_in_e164_and_that_it_is_a_mobile(
    world, election
):
    shift = add(world, election)
    shift.refresh_from_db()
    assert (shift.phone, shift.phone_is_mobile) == ("+84912345678", True)
    assert shift.created_by == world.telecom_officer
    assert shift.history.count() == 1


def test_a_landline_is_kept_but_marked_as_not_a_mobile(world, election):
    shift = add(world, election, phone=LANDLINE)
    assert (shift.phone, shift.phone_is_mobile) == ("+842373718258", False)


def test_an_invalid_phone_is_refused_with_the_phone_checks_message(world, election):
    with pytest.raises(ValidationError) as exc:
        add(world, election, phone="0123")
    assert errors_of(exc) == {
        "phone": ["“0123” is not a valid Vietnamese phone number."]
    }
    assert not Shift.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused(world, election):
    with pytest.raises(ValidationError) as exc:
        add(world, election, starts_at=on(0, 16), ends_at=on(0, 16))
    assert errors_of(exc) == {"ends_at": [str(ENDS_BEFORE_START)]}


def test_a_shift_of_more_than_a_day_is_refused_as_a_likely_typo(world, election):
    add(world, election, starts_at=on(0, 7), ends_at=on(1, 7))  # 24 h is fine
    with pytest.raises(ValidationError) as exc:
        add(world, election, starts_at=on(0, 7), ends_at=on(1, 7, 1))
    assert errors_of(exc) == {"ends_at": [too_long_message()]}


def test_the_member_on_duty_must_belong_to_the_organisation(world, election):
    with pytest.raises(ValidationError) as exc:
        add(world, election, user=world.postal_officer)
    assert errors_of(exc) == {"user": [str(NOT_A_MEMBER)]}
    assert (
        add(world, election, user=world.telecom_officer).user == world.telecom_officer
    )


def test_updating_a_shift_checks_the_phone_again(world, election):
    shift = add(world, election)
    shift_update(
        shift=shift,
        person_name="Nguyễn Thị Ca",
        phone=LANDLINE,
        starts_at=on(0, 16),
        ends_at=on(1),
        role="Trực kỹ thuật",
    )
    shift.refresh_from_db()
    assert (shift.person_name, shift.phone_is_mobile) == ("Nguyễn Thị Ca", False)
    assert (shift.starts_at, shift.ends_at) == (on(0, 16), on(1))
    assert shift.history.count() == 2


def test_a_removed_shift_stays_in_the_history(world, election):
    shift = add(world, election)
    pk = shift.pk
    shift_remove(shift=shift)
    assert not Shift.objects.filter(pk=pk).exists()
    assert Shift.history.filter(id=pk).count() == 2


# --- Many at once --------------------------------------------------------------


def draft(starts_at, ends_at, phone="0912 345 678", name="Lê Văn Trực", row=0):
    return ShiftDraft(
        person_name=name,
        phone=phone,
        starts_at=starts_at,
        ends_at=ends_at,
        row_number=row,
    )


def add_many(world, election, drafts):
    return shifts_add_many(
        election=election,
        organisation=world.telecom,
        drafts=drafts,
        by=world.telecom_officer,
    )


def test_many_shifts_are_added_together_with_their_history(world, election):
    result = add_many(
        world,
        election,
        [draft(on(0), on(0, 8)), draft(on(0, 8), on(0, 16), phone=LANDLINE)],
    )
    assert (len(result.created), result.unchanged, result.errors) == (2, 0, [])
    assert [s.phone_is_mobile for s in Shift.objects.all()] == [True, False]
    assert Shift.history.count() == 2


def test_one_bad_shift_saves_none_of_them(world, election):
    result = add_many(
        world,
        election,
        [draft(on(0), on(0, 8), row=2), draft(on(0, 8), on(0, 16), "0123", row=3)],
    )
    assert result.created == []
    assert [(e.row_number, e.column) for e in result.errors] == [(3, "phone")]
    assert not Shift.objects.exists()


def test_a_shift_already_on_the_roster_is_not_added_twice(world, election):
    add(world, election, person_name="Lê Văn  Trực")
    result = add_many(
        world, election, [draft(on(0, 8), on(0, 16)), draft(on(0, 16), on(1))]
    )
    assert (len(result.created), result.unchanged) == (1, 1)
    assert Shift.objects.count() == 2


# --- Import --------------------------------------------------------------------

HEADER_VI = "Ngày,Từ giờ,Đến giờ,Họ và tên,Nhiệm vụ,Số điện thoại,Địa điểm"
HEADER_EN = "Date,From,To,Person on duty,Duty,Phone,Location"


def csv(*lines: str, header: str = HEADER_VI) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def import_file(world, election, content: bytes, organisation=None):
    return roster_import(
        election=election,
        organisation=organisation or world.telecom,
        content=content,
        by=world.telecom_officer,
    )


def test_a_week_imports_with_night_shifts_ending_the_next_day(world, election):
    content = csv(
        "22/05/2021,07:30,17:00,Lê Văn Trực,Trực điều hành,0912 345 678,Trung tâm",
        "22/05/2021,17:00,7h30,Nguyễn Thị Ca,,0237 3718 258,",
        "23/05/2021,7:30,24:00,Phạm Văn Dũng,,0987654321,",
    )
    result = import_file(world, election, content)
    assert result.errors == []
    shifts = list(Shift.objects.order_by("starts_at"))
    assert [(s.starts_at, s.ends_at) for s in shifts] == [
        (on(-1, 7, 30), on(-1, 17)),
        (on(-1, 17), on(0, 7, 30)),
        (on(0, 7, 30), on(1)),
    ]
    assert [s.phone_is_mobile for s in shifts] == [True, False, True]
    assert shifts[0].role == "Trực điều hành"


def test_english_headers_in_any_order_are_read(world, election):
    content = csv(
        "0912 345 678,Lê Văn Trực,23/05/2021,08:00,16:00",
        header="Phone,Person on duty,Date,From,To",
    )
    assert import_file(world, election, content).errors == []
    assert Shift.objects.get().starts_at == on(0, 8)


def test_any_bad_row_saves_nothing_and_every_error_names_row_and_column(
    world, election
):
    content = csv(
        "23/05/2021,08:00,16:00,Lê Văn Trực,,0912 345 678,",
        "32/05/2021,08:00,16:00,Nguyễn Thị Ca,,0912 345 679,",
        "23/05/2021,8 giờ,16:00,,,0123,",
    )
    result = import_file(world, election, content)
    assert [(e.row_number, e.column) for e in result.errors] == [
        (3, "Ngày"),
        (4, "Họ và tên"),
        (4, "Từ giờ"),
        (4, "Số điện thoại"),
    ]
    messages = [e.message for e in result.errors]
    assert messages[0] == (
        "“32/05/2021” is not a date; write day/month/year, e.g. 23/05/2021."
    )
    assert messages[2] == "“8 giờ” is not a time; write hour:minute, e.g. 07:30."
    assert messages[3] == "“0123” is not a valid Vietnamese phone number."
    assert not Shift.objects.exists()


def test_errors_are_in_the_users_language_with_the_files_headers(world, election):
    english = csv("23/05/2021,08:00,16:00,Lê Văn Trực,,,", header=HEADER_EN)
    assert [
        (e.row_number, e.column, e.message)
        for e in import_file(world, election, english).errors
    ] == [(2, "Phone", "“Phone” is empty; fill it in.")]
    vietnamese = csv("23/05/2021,08:00,16:00,Lê Văn Trực,,0123,")
    with translation.override("vi"):
        result = import_file(world, election, vietnamese)
        expected = invalid_phone_message("0123")
    assert [(e.row_number, e.column, e.message) for e in result.errors] == [
        (2, "Số điện thoại", expected)
    ]
    assert expected != "“0123” is not a valid Vietnamese phone number."


def test_a_missing_column_is_reported_once_for_the_file(world, election):
    content = csv("23/05/2021,08:00,Lê Văn Trực", header="Ngày,Từ giờ,Họ và tên")
    result = import_file(world, election, content)
    assert [(e.row_number, e.column) for e in result.errors] == [(0, ""), (0, "")]
    assert "Đến giờ" in result.errors[0].message
    assert "Số điện thoại" in result.errors[1].message


def test_a_repeated_row_is_an_error(world, election):
    line = "23/05/2021,08:00,16:00,Lê Văn Trực,,0912 345 678,"
    result = import_file(world, election, csv(line, line))
    assert [(e.row_number, e.message) for e in result.errors] == [
        (3, "Duplicates row 2.")
    ]


def test_an_empty_file_or_a_picture_is_refused(world, election):
    assert [e.message for e in import_file(world, election, csv()).errors] == [
        str(FILE_EMPTY)
    ]
    picture = import_file(world, election, b"\x89PNG\r\n\x1a\n\x00\x00")
    assert picture.errors[0].row_number == 0
    assert not Shift.objects.exists()


def test_importing_the_same_file_twice_adds_nothing_the_second_time(world, election):
    content = csv("23/05/2021,08:00,16:00,Lê Văn Trực,,0912 345 678,")
    assert len(import_file(world, election, content).created) == 1
    again = import_file(world, election, content)
    assert (again.created, again.unchanged) == ([], 1)


def test_excel_dates_times_and_numeric_phones_are_read(world, election):
    header = HEADER_VI.split(",")
    content = xlsx(
        [
            header,
            [POLLING_DAY, datetime.time(22), datetime.time(6), "Trực", "", 912345678],
        ]
    )
    assert import_file(world, election, content).errors == []
    shift = Shift.objects.get()
    assert (shift.starts_at, shift.ends_at, shift.phone) == (
        on(0, 22),
        on(1, 6),
        "+84912345678",
    )


def test_a_formula_cell_is_refused(world, election):
    content = xlsx(
        [HEADER_VI.split(","), ["23/05/2021", "08:00", "=B2", "Trực", "", "0912345678"]]
    )
    result = import_file(world, election, content)
    assert [(e.row_number, e.column, e.message) for e in result.errors] == [
        (2, "Đến giờ", str(FORMULA_CELL))
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_imports_without_errors(world, election, language):
    content = roster_template_xlsx(language=language, day=POLLING_DAY)
    result = import_file(world, election, content)
    assert (result.errors, len(result.created)) == ([], 2)


# --- Reminders about shifts without a mobile -----------------------------------


@pytest.fixture
def emails(world):
    for user in (world.telecom_officer, world.postal_officer):
        user.email = f"{user.username}@example.vn"
        user.save()


def shift_messages():
    return OutboundMessage.objects.filter(kind="shift-phone")


def test_members_are_reminded_a_day_before_a_shift_without_a_mobile(
    world, election, make_shift, emails
):
    world.telecom_officer.language = "en"
    world.telecom_officer.save()
    shift = make_shift(starts_at=on(0, 8), phone="+842373718258", phone_is_mobile=False)
    assert shifts_remind_flagged(now=on(-1, 7, 59)) == 0  # more than a day ahead
    assert shifts_remind_flagged(now=on(-1, 8)) == 1
    message = shift_messages().get()
    assert message.dedupe_key == f"shift-phone:{shift.pk}:{world.telecom_officer.pk}"
    assert (message.recipient, message.organisation) == (
        world.telecom_officer,
        world.telecom,
    )
    assert message.next_attempt_at == on(-1, 8)  # at once, night or day
    assert "0237 3718 258" in message.body
    assert message.subject == "Duty shift at 23/05/2021 08:00: no mobile number"


def test_the_reminder_is_written_once_however_often_the_scan_runs(
    world, election, make_shift, emails
):
    make_shift(phone="+842373718258", phone_is_mobile=False)
    assert shifts_remind_flagged(now=on(-1, 9)) == 1
    assert shifts_remind_flagged(now=on(-1, 9)) == 0
    assert remind_flagged_shifts() == 0  # the task (its clock: long after)
    assert shifts_remind_flagged(now=on(0, 7)) == 0
    assert shift_messages().count() == 1


def test_no_reminder_for_a_mobile_or_a_shift_already_started(
    world, election, make_shift, emails
):
    make_shift()
    make_shift(starts_at=on(0, 6), phone="+842373718258", phone_is_mobile=False)
    assert shifts_remind_flagged(now=on(0, 6)) == 0
    assert not shift_messages().exists()


def test_a_reminder_not_yet_sent_is_dropped_once_the_shift_is_fixed(
    world, election, make_shift, emails, mailoutbox
):
    fixed = make_shift(starts_at=on(0, 8), phone="+842373718258", phone_is_mobile=False)
    removed = make_shift(
        starts_at=on(0, 9), phone="+842373718258", phone_is_mobile=False
    )
    kept = make_shift(starts_at=on(0, 10), phone="+842373718258", phone_is_mobile=False)
    assert shifts_remind_flagged(now=on(-1, 11)) == 3
    shift_update(
        shift=fixed,
        person_name=fixed.person_name,
        phone="0912 345 678",
        starts_at=fixed.starts_at,
        ends_at=fixed.ends_at,
    )
    removed_topic = f"shift:{removed.pk}"
    shift_remove(shift=removed)
    outcome = outbox_deliver(
        message_ids=list(shift_messages().values_list("pk", flat=True)),
        now=on(-1, 11, 1),
    )
    by_shift = {m.topic: outcome[m.pk] for m in shift_messages()}
    assert by_shift == {
        f"shift:{fixed.pk}": MessageStatus.CANCELLED,
        removed_topic: MessageStatus.CANCELLED,
        f"shift:{kept.pk}": MessageStatus.SENT,
    }
    assert len(mailoutbox) == 1


def test_every_active_member_is_reminded_in_their_language(
    world, election, make_shift, emails
):
    english = MembershipFactory(
        organisation=world.telecom, user__email="en@example.vn", user__language="en"
    ).user
    MembershipFactory(
        organisation=world.telecom, user__email="gone@example.vn", user__is_active=False
    )
    make_shift(phone="+842373718258", phone_is_mobile=False)
    assert shifts_remind_flagged(now=on(0, 7)) == 2
    by_user = {m.recipient: m for m in shift_messages()}
    assert set(by_user) == {world.telecom_officer, english}
    assert "Please give a mobile number" in by_user[english].body_html


def test_the_reminder_scan_costs_the_same_queries_for_few_and_many(
    world, election, make_shift, emails, django_assert_max_num_queries
):
    make_shift(phone="+842373718258", phone_is_mobile=False)
    with django_assert_max_num_queries(6):
        shifts_remind_flagged(now=on(0, 7))
    for n in range(20):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation, user__email=f"m{n}@example.vn")
        make_shift(organisation, on(0, 9), phone="+842373718258", phone_is_mobile=False)
    with django_assert_max_num_queries(6):
        assert shifts_remind_flagged(now=on(0, 7)) == 20
