"""The directive's number and date as the letter writes them
(readiness.partial_dates, Directive.issued): a day left blank stays blank
on every page, file and copy, and the forms refuse what is no date."""

import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from readiness.models import Directive
from readiness.nd30 import PartialDate, date_in_words, place_date_line
from readiness.partial_dates import (
    DAY_WITHOUT_MONTH,
    YEAR_NEEDED,
    moved,
    partial_date_errors,
    short_text,
)
from readiness.seed import read_directive
from readiness.services import seed_case_load
from tests.api import token_client
from tests.factories import DirectiveFactory

BLANK_DAY = PartialDate(2021, 2)

# --- Writing it ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "short", "words"),
    [
        (PartialDate(2021, 2, 1), "01/02/2021", "ngày 01 tháng 02 năm 2021"),
        (PartialDate(2026, 12, 7), "07/12/2026", "ngày 07 tháng 12 năm 2026"),
        (PartialDate(2021, 5, 23), "23/05/2021", "ngày 23 tháng 5 năm 2021"),
        (BLANK_DAY, "…/02/2021", "ngày … tháng 02 năm 2021"),
        (PartialDate(2021), "…/…/2021", "ngày … tháng … năm 2021"),
    ],
)
def test_a_blank_part_is_written_blank(date, short, words):
    assert short_text(date) == short
    assert date_in_words(date) == words
    # The same words as the date line of a Decree 30 document.
    assert place_date_line("Thanh Hóa", date, year=date.year) == (f"Thanh Hóa, {words}")


# --- Checking it -----------------------------------------------------------------


def test_a_date_as_letters_write_it_is_accepted():
    for parts in [(2021, 2, 1), (2021, 2, None), (2021, None, None), (2024, 2, 29)]:
        assert partial_date_errors(*parts) == {}


@pytest.mark.parametrize(
    ("parts", "errors"),
    [
        ((2021, None, 5), {"day": DAY_WITHOUT_MONTH}),
        (
            (2021, 2, 31),
            {"day": "31/02/2021 is not a date: that month has no such day."},
        ),
        (
            (2023, 2, 29),
            {"day": "29/02/2023 is not a date: that month has no such day."},
        ),
        ((2021, 13, None), {"month": "A month is a number from 1 to 12."}),
        ((2021, 4, 0), {"day": "A day is a number from 1 to 31."}),
        ((1800, 2, None), {"year": "Enter a year between 1900 and 2100."}),
        ((None, 2, 1), {"year": YEAR_NEEDED}),
    ],
)
def test_what_is_no_date_is_refused_at_the_part_that_is_wrong(parts, errors):
    with translation.override("en"):
        assert partial_date_errors(*parts) == {k: str(v) for k, v in errors.items()}


def test_the_messages_are_in_vietnamese():
    assert partial_date_errors(2021, None, 5) == {
        "day": "Đã ghi ngày thì phải ghi tháng: hãy điền tháng, hoặc để trống ngày."
    }
    assert partial_date_errors(2021, 2, 30) == {
        "day": "Ngày 30/02/2021 không có thật: tháng này không có ngày đó."
    }


# --- Moving it with polling day ---------------------------------------------------


def test_a_moved_date_keeps_its_precision_and_its_place_before_polling_day():
    old, new = datetime.date(2021, 5, 23), datetime.date(2026, 3, 15)
    assert moved(PartialDate(2021, 2, 1), before=old, after=new) == PartialDate(
        2025, 11, 24
    )
    # Three months before polling day, no day made up.
    assert moved(BLANK_DAY, before=old, after=new) == PartialDate(2025, 12)
    assert moved(PartialDate(2021), before=old, after=new) == PartialDate(2026)


def test_moving_in_steps_lands_where_one_step_would_and_back_again():
    start = datetime.date(2021, 5, 23)
    date = BLANK_DAY
    day = start
    for _ in range(40):  # a demo run every day for forty days
        date = moved(date, before=day, after=day + datetime.timedelta(days=1))
        day += datetime.timedelta(days=1)
    assert date == moved(BLANK_DAY, before=start, after=day)
    assert moved(date, before=day, after=start) == BLANK_DAY


# --- The directive ---------------------------------------------------------------


def test_the_seed_leaves_the_day_of_the_letter_blank(db):
    assert read_directive().issued == BLANK_DAY
    seed_case_load()
    directive = Directive.objects.get()
    assert (directive.issued_year, directive.issued_month) == (2021, 2)
    assert directive.issued_day is None
    assert directive.issued_date is None
    assert directive.number == "…/STTTT-QLVT"  # as entered


@pytest.fixture
def blank_day(world):
    """The world's directive as the real letter is dated; the test runs a
    second later, as the report shows the directive as of a whole second
    (readiness.selectors.report)."""
    directive = world.directive
    directive.issued = BLANK_DAY
    directive.save()
    later = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        yield directive


def test_the_directive_page_shows_the_blank_day(client, world, blank_day):
    client.force_login(world.district_a_officer)
    body = client.get(
        reverse("readiness:directive_detail", args=[blank_day.pk])
    ).content.decode()
    assert "…/02/2021" in body
    assert "01/02/2021" not in body


def test_the_report_and_its_spreadsheet_show_the_blank_day(client, world, blank_day):
    client.force_login(world.observer)
    body = client.get(reverse("readiness:report")).content.decode()
    assert f"số {blank_day.number} ngày …/02/2021" in body
    assert "01/02/2021" not in body

    r = client.get(reverse("readiness:report_xlsx"), {"lang": "en"})
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in sheet[3]][:2] == ["Issued on", "…/02/2021"]


def test_the_api_gives_no_whole_date_for_a_blank_day(world, blank_day):
    client = token_client(organisation=world.district_a, by=world.district_a_officer)
    got = client.get(reverse("api:obligations")).json()["directive"]
    assert got["issued_on"] is None
    assert got["issued"] == {"year": 2021, "month": 2, "day": None}


def test_directives_are_listed_newest_first_a_blank_day_after_a_known_one(world):
    election = world.directive.election
    made = {
        name: DirectiveFactory(
            election=election,
            issued_year=year,
            issued_month=month,
            issued_day=day,
            number=name,
        )
        for name, (year, month, day) in {
            "march": (2021, 3, None),
            "15 february": (2021, 2, 15),
            "february": (2021, 2, None),
            "2020": (2020, None, None),
        }.items()
    }
    order = list(
        Directive.objects.filter(pk__in=[d.pk for d in made.values()]).values_list(
            "number", flat=True
        )
    )
    assert order == ["march", "15 february", "february", "2020"]


# --- The admin -------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    return client


def _admin_post(client, directive, **issued):
    data = {
        "election": directive.election_id,
        "code": directive.code,
        "number": "125/STTTT-QLVT",
        "issuer": directive.issuer,
        "subject": directive.subject,
        "recipients": directive.recipients,
        "obligations-TOTAL_FORMS": "0",
        "obligations-INITIAL_FORMS": "0",
        **{f"issued_{k}": "" if v is None else v for k, v in issued.items()},
    }
    url = reverse("admin:readiness_directive_change", args=[directive.pk])
    return client.post(url, data)


def test_staff_enter_the_number_and_a_date_without_its_day(admin_client, world):
    r = _admin_post(admin_client, world.directive, day=None, month=2, year=2021)
    assert r.status_code == 302, r.context["adminform"].form.errors
    world.directive.refresh_from_db()
    assert world.directive.number == "125/STTTT-QLVT"
    assert world.directive.issued == BLANK_DAY
    changelist = admin_client.get(reverse("admin:readiness_directive_changelist"))
    assert "…/02/2021" in changelist.content.decode()


@pytest.mark.parametrize(
    ("issued", "field", "message"),
    [
        (
            {"day": 5, "month": None, "year": 2021},
            "issued_day",
            "Đã ghi ngày thì phải ghi tháng: hãy điền tháng, hoặc để trống ngày.",
        ),
        (
            {"day": 31, "month": 4, "year": 2021},
            "issued_day",
            "Ngày 31/04/2021 không có thật: tháng này không có ngày đó.",
        ),
        (
            {"day": None, "month": 13, "year": 2021},
            "issued_month",
            "Tháng phải là một số từ 1 đến 12.",
        ),
    ],
)
def test_the_admin_refuses_what_is_no_date_in_vietnamese(
    admin_client, world, issued, field, message
):
    r = _admin_post(admin_client, world.directive, **issued)
    assert r.status_code == 200
    assert r.context["adminform"].form.errors[field] == [message]
    world.directive.refresh_from_db()
    assert world.directive.issued == PartialDate(2021, 2, 1)  # unchanged


def test_nothing_shows_a_made_up_day(client, world, blank_day):
    """Every page that names the directive, read by the Department."""
    client.force_login(world.staff)
    pages = [
        reverse("readiness:directive_detail", args=[blank_day.pk]),
        reverse("readiness:report"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        m = re.search(r"01/02/2021|ngày 01 tháng 02 năm 2021", body)
        assert not m, body[m.start() - 300 : m.end()]
