"""The duty roster pages for each role (anonymous, district, another
carrier, observer, read-only staff, owner, staff), adding shifts one by
one, a week at a time and from a spreadsheet, and the query counts of "on
duty now" and of a roster."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import OrganisationKind
from contacts.spreadsheets import active_sheet
from incidents.models import Shift
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.conftest import POLLING_DAY, on
from tests.readiness.conftest import english

SHIFT_POST = {
    "person_name": "Lê Văn Trực",
    "role": "Trực điều hành",
    "phone": "0912 345 678",
    "location": "Trung tâm điều hành",
    "starts_at": "23/05/2021 07:30",
    "ends_at": "23/05/2021 17:00",
}


def url(name: str, *args) -> str:
    return reverse(f"rosters:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return english(client)


def body_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def shift(make_shift):
    return make_shift(starts_at=on(0, 8), ends_at=on(0, 16), person_name="Trực A")


# --- Who may see and change what -------------------------------------------------


def pages(world, shift) -> list[tuple[str, str]]:
    """(method, url) of every roster page about the telecom's roster."""
    telecom = world.telecom.pk
    return [
        ("get", url("roster", telecom)),
        ("get", url("shift_add", telecom)),
        ("get", url("week", telecom)),
        ("get", url("import", telecom)),
        ("get", url("shift_edit", shift.pk)),
        ("post", url("shift_remove", shift.pk)),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, world, shift):
    for method, page in [
        *pages(world, shift),
        ("get", url("index")),
        ("get", url("now")),
        ("get", url("import_template")),
    ]:
        r = getattr(client, method)(page)
        assert r.status_code == 302, page
        assert r["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who", ["district_a_officer", "district_b_officer", "postal_officer"]
)
def test_outsiders_get_404_on_another_organisations_roster(client, world, shift, who):
    login(client, getattr(world, who))
    for method, page in pages(world, shift):
        assert getattr(client, method)(page).status_code == 404, page
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_a_district_has_no_roster_of_its_own(client, world):
    login(client, world.district_a_officer)
    assert client.get(url("roster", world.district_a.pk)).status_code == 404
    assert client.get(url("shift_add", world.district_a.pk)).status_code == 404
    assert client.get(url("index")).url == url("now")


@pytest.mark.parametrize("who", ["observer", "staff_viewer"])
def test_read_only_members_read_but_get_403_on_changes(client, world, shift, who):
    login(client, getattr(world, who))
    assert client.get(url("roster", world.telecom.pk)).status_code == 200
    for method, page in pages(world, shift)[1:]:
        assert getattr(client, method)(page).status_code == 403, page
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_staff_read_a_carriers_roster_but_do_not_change_it(client, world, shift):
    login(client, world.staff)
    r = client.get(url("roster", world.telecom.pk))
    assert r.status_code == 200 and "Trực A" in body_of(r)
    assert "Add a shift" not in body_of(r)
    for method, page in pages(world, shift)[1:]:
        assert getattr(client, method)(page).status_code == 403, page


def test_staff_keep_the_departments_roster(client, world):
    login(client, world.staff)
    r = client.post(url("shift_add", world.department.pk), SHIFT_POST)
    assert r.status_code == 302
    assert Shift.objects.get().organisation == world.department


def test_a_read_only_carrier_member_gets_403_on_changes(client, world, shift):
    viewer = MembershipFactory(organisation=world.telecom, role="viewer").user
    login(client, viewer)
    assert client.get(url("roster", world.telecom.pk)).status_code == 200
    assert client.get(url("shift_add", world.telecom.pk)).status_code == 403


def test_the_owner_reads_and_changes_its_roster(client, world, shift):
    login(client, world.telecom_officer)
    for _method, page in pages(world, shift)[:-1]:
        assert client.get(page).status_code == 200, page
    assert client.get(url("index")).url == url("roster", world.telecom.pk)


@pytest.mark.parametrize("name", ["roster", "shift_add", "shift_edit"])
def test_a_bad_id_is_404(client, world, name):
    login(client, world.telecom_officer)
    assert client.get(url(name, 999999)).status_code == 404


def test_removing_a_shift_needs_a_post(client, world, shift):
    login(client, world.telecom_officer)
    assert client.get(url("shift_remove", shift.pk)).status_code == 405


# --- The list of rosters (staff and observers) -----------------------------------


@pytest.mark.parametrize("who", ["staff", "observer"])
def test_staff_and_observers_pick_any_roster_from_a_list(
    client, world, full_roster, who
):
    full_roster(world.telecom)
    login(client, getattr(world, who))
    body = body_of(client.get(url("index")))
    for organisation in (world.department, world.telecom, world.postal):
        assert url("roster", organisation.pk) in body
    assert url("roster", world.district_a.pk) not in body
    telecom_row = body.split('data-organisation="telecom"')[1].split("</tr>")[0]
    assert ">covered</span>" in telecom_row
    postal_row = body.split('data-organisation="postal"')[1].split("</tr>")[0]
    assert ">not covered</span>" in postal_row


# --- A roster's page -----------------------------------------------------------


def test_the_roster_shows_polling_day_gaps_in_red_and_flags_landlines(
    client, world, make_shift
):
    make_shift(starts_at=on(0, 0), ends_at=on(0, 8))
    make_shift(
        starts_at=on(0, 10),
        ends_at=on(1),
        phone="+842373718258",
        phone_is_mobile=False,
    )
    login(client, world.telecom_officer)
    body = body_of(client.get(url("roster", world.telecom.pk)))
    assert 'class="text-danger fw-semibold gap-critical">23/05/2021 08:00 – ' in body
    assert "23/05/2021 10:00 (2 h)" in body
    assert 'href="tel:+842373718258">0237 3718 258</a>' in body
    assert "1 shift has no mobile number" in body
    assert "not a mobile" in body


def test_the_roster_page_costs_the_same_queries_for_few_and_many_shifts(
    client, world, make_shift
):
    login(client, world.telecom_officer)
    make_shift()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("roster", world.telecom.pk)).status_code == 200
    for n in range(60):
        make_shift(starts_at=on(-n, 8), ends_at=on(-n, 16), user=world.telecom_officer)
    with CaptureQueriesContext(connection) as many:
        body = body_of(client.get(url("roster", world.telecom.pk)))
    assert body.count('id="shift-') == 61
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Adding, changing and removing one shift -----------------------------------


def test_a_shift_is_added_with_vietnamese_dates(client, world):
    login(client, world.telecom_officer)
    r = client.post(url("shift_add", world.telecom.pk), SHIFT_POST)
    assert r.status_code == 302 and r.url == url("roster", world.telecom.pk)
    shift = Shift.objects.get()
    assert (shift.starts_at, shift.ends_at) == (on(0, 7, 30), on(0, 17))
    assert (shift.phone, shift.created_by) == ("+84912345678", world.telecom_officer)


def test_a_bad_phone_or_times_are_shown_on_the_form(client, world):
    login(client, world.telecom_officer)
    data = SHIFT_POST | {"phone": "0123", "ends_at": "23/05/2021 07:00"}
    body = body_of(client.post(url("shift_add", world.telecom.pk), data))
    assert "“0123” is not a valid Vietnamese phone number." in body
    assert "The shift must end after it starts." in body
    assert not Shift.objects.exists()


def test_the_member_on_duty_is_chosen_among_the_organisations_members(client, world):
    login(client, world.telecom_officer)
    body = body_of(client.get(url("shift_add", world.telecom.pk)))
    assert f'value="{world.telecom_officer.pk}"' in body
    assert f'value="{world.postal_officer.pk}"' not in body
    data = SHIFT_POST | {"user": world.postal_officer.pk}
    client.post(url("shift_add", world.telecom.pk), data)
    assert not Shift.objects.exists()


def test_a_shift_is_edited_showing_its_phone_the_vietnamese_way(client, world, shift):
    login(client, world.telecom_officer)
    body = body_of(client.get(url("shift_edit", shift.pk)))
    assert 'value="0912 345 678"' in body and 'value="23/05/2021 08:00"' in body
    data = SHIFT_POST | {"phone": "0237 3718 258"}
    assert client.post(url("shift_edit", shift.pk), data).status_code == 302
    shift.refresh_from_db()
    assert (shift.person_name, shift.phone_is_mobile) == ("Lê Văn Trực", False)


def test_a_shift_is_removed(client, world, shift):
    login(client, world.telecom_officer)
    r = client.post(url("shift_remove", shift.pk))
    assert r.url == url("roster", world.telecom.pk)
    assert not Shift.objects.exists()


# --- The week grid -------------------------------------------------------------


def week_post(rows: dict[int, dict], total: int = 21) -> dict:
    data: dict[str, object] = {
        "rows-TOTAL_FORMS": total,
        "rows-INITIAL_FORMS": 0,
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 1000,
    }
    start = POLLING_DAY - datetime.timedelta(days=6)
    for index in range(total):
        data[f"rows-{index}-day"] = (
            start + datetime.timedelta(days=index // 3)
        ).isoformat()
    for index, values in rows.items():
        data.update({f"rows-{index}-{k}": v for k, v in values.items()})
    return data


def week_url(organisation) -> str:
    return url("week", organisation.pk) + "?start=17/05/2021"


def test_the_grid_offers_three_rows_a_day_from_the_start_date(client, world):
    login(client, world.telecom_officer)
    body = body_of(client.get(week_url(world.telecom)))
    assert body.count('name="rows-') >= 21 * 7
    assert '<option value="2021-05-23" selected>Sun 23/05</option>' in body
    assert "?start=24/05/2021" in body and "?start=10/05/2021" in body


def test_a_week_is_saved_in_one_go_skipping_untouched_rows(client, world):
    login(client, world.telecom_officer)
    person = {"person_name": "Lê Văn Trực", "phone": "0912 345 678"}
    rows = {
        18: {"starts": "00:00", "ends": "08:00", **person},
        19: {"starts": "8h", "ends": "16:00", **person},
        20: {"starts": "16:00", "ends": "00:00", "role": "Đêm", **person},
    }
    r = client.post(week_url(world.telecom), week_post(rows))
    assert r.status_code == 302
    shifts = list(Shift.objects.order_by("starts_at"))
    assert [(s.starts_at, s.ends_at) for s in shifts] == [
        (on(0, 0), on(0, 8)),
        (on(0, 8), on(0, 16)),
        (on(0, 16), on(1)),
    ]


def test_a_week_with_one_bad_row_saves_nothing(client, world):
    login(client, world.telecom_officer)
    rows = {
        0: {
            "starts": "07:00",
            "ends": "19:00",
            "person_name": "A",
            "phone": "0912 345 678",
        },
        1: {"starts": "19:00", "ends": "07:00", "person_name": "B", "phone": "0123"},
    }
    r = client.post(week_url(world.telecom), week_post(rows))
    assert r.status_code == 200
    assert "“0123” is not a valid Vietnamese phone number." in body_of(r)
    assert not Shift.objects.exists()


# --- Import --------------------------------------------------------------------


def upload(second_day: str) -> SimpleUploadedFile:
    """Two shifts covering polling day; the second on `second_day`."""
    content = (
        "Ngày,Từ giờ,Đến giờ,Họ và tên,Số điện thoại\n"
        "23/05/2021,00:00,12:00,Lê Văn Trực,0912 345 678\n"
        f"{second_day},12:00,00:00,Nguyễn Thị Ca,0987 654 321\n"
    )
    return SimpleUploadedFile("lich-truc.csv", content.encode(), "text/csv")


def test_a_good_file_is_imported_whole(client, world):
    login(client, world.telecom_officer)
    r = client.post(url("import", world.telecom.pk), {"file": upload("23/05/2021")})
    assert r.status_code == 302
    assert Shift.objects.count() == 2


def test_a_file_with_errors_saves_nothing_and_lists_them(client, world):
    login(client, world.telecom_officer)
    r = client.post(url("import", world.telecom.pk), {"file": upload("31/02/2021")})
    body = body_of(r)
    assert r.status_code == 200
    assert "There is 1 error; nothing was saved." in body
    assert "<td>3</td><td>Ngày</td>" in body
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("lang", "header"), [("vi", "Họ và tên"), ("en", "Person on duty")]
)
def test_the_template_downloads_in_either_language(client, world, lang, header):
    login(client, world.district_a_officer)  # anyone signed in
    r = client.get(url("import_template") + f"?lang={lang}")
    assert r["Content-Disposition"].endswith('.xlsx"')
    sheet = active_sheet(openpyxl.load_workbook(io.BytesIO(r.content)))
    assert header in [c.value for c in sheet[1]]
    assert sheet["A2"].value == "23/05/2021"


# --- On duty now ---------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["staff", "observer", "district_a_officer", "telecom_officer", "postal_officer"],
)
def test_every_member_sees_who_is_on_duty_with_a_tap_to_call_link(
    client, world, shift, who
):
    login(client, getattr(world, who))
    with time_machine.travel(on(0, 9), tick=False):
        body = body_of(client.get(url("now")))
    assert 'href="tel:+84912345678"' in body and "Trực A" in body
    assert body.count("nobody-on-duty") == 2  # the Department and the postal firm


def test_on_duty_now_refreshes_itself_every_two_minutes(client, world, shift):
    login(client, world.staff)
    body = body_of(client.get(url("now")))
    assert 'hx-trigger="every 120s"' in body and 'hx-select="#on-duty"' in body
    assert 'http-equiv="refresh"' not in body  # a meta refresh loses the reader's place


def test_a_district_sees_no_link_to_rosters_it_may_not_read(client, world, shift):
    login(client, world.district_a_officer)
    body = body_of(client.get(url("now")))
    assert url("roster", world.telecom.pk) not in body


def test_on_duty_now_follows_the_clock_at_shift_boundaries(client, world, shift):
    login(client, world.district_a_officer)
    with time_machine.travel(on(0, 16), tick=False):
        assert "Trực A" not in body_of(client.get(url("now")))
    with time_machine.travel(on(0, 8), tick=False):
        assert "Trực A" in body_of(client.get(url("now")))


def test_on_duty_now_costs_the_same_queries_for_few_and_many(client, world, make_shift):
    login(client, world.district_a_officer)
    make_shift()
    with (
        time_machine.travel(on(0, 9), tick=False),
        CaptureQueriesContext(connection) as few,
    ):
        client.get(url("now"))
    for n in range(30):
        organisation = OrganisationFactory(kind=OrganisationKind.POSTAL)
        make_shift(organisation, on(0, 8), on(0, 16), person_name=f"Người {n}")
        make_shift(organisation, on(0, 6), on(0, 12), person_name=f"Phụ {n}")
    with (
        time_machine.travel(on(0, 9), tick=False),
        CaptureQueriesContext(connection) as many,
    ):
        body = body_of(client.get(url("now")))
    assert body.count('class="btn btn-success"') == 61
    assert len(many.captured_queries) == len(few.captured_queries)


def test_long_lists_of_organisations_come_a_page_at_a_time(
    client, world, shift, monkeypatch
):
    from incidents.views import rosters

    monkeypatch.setattr(rosters, "ORGANISATIONS_PER_PAGE", 1)
    login(client, world.staff)
    first = body_of(client.get(url("now")))
    assert "1 / 3" in first  # the Department, the telecom, the postal firm
    assert first.count('class="card h-100') == 1
    assert "1 / 3" in body_of(client.get(url("index")))
