"""The first minute of each role in the demo of `make run` (load_demo, in
today's calendar): the home page names a polling day ahead, deadlines ahead,
a next step, and no overdue count beyond a few weeks."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import log_in
from tests.kept_states import kept_whole

# The seven logins of README "Demo logins" and two named by their code.
ROLES = [
    "staff",
    "observer",
    "district",
    "district2",
    "telecom",
    "telecom2",
    "postal",
    "district-381",
    "mobifone-thanhhoa",
]
RECIPIENTS = ROLES[2:]


@pytest.fixture
def demo(transactional_db):
    def load() -> None:
        with override_settings(DEBUG=True):
            call_command("load_demo", seed=True)

    kept_whole("load_demo --seed", load)


def _day(text: str) -> datetime.date:
    return datetime.datetime.strptime(text.strip(), "%d/%m/%Y").date()


def _deadlines(page: Page) -> list[datetime.date]:
    values = page.locator("table time[datetime]").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"
    )
    return [timezone.localdate(datetime.datetime.fromisoformat(v)) for v in values]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_starts_before_a_polling_day_ahead_with_a_next_step(
    live_server, page, demo, username
):
    today = timezone.localdate()
    log_in(page, live_server.url, username)
    expect(page).to_have_url(live_server.url + "/")
    header = page.locator("#election-heading + p")
    polling = re.search(r"Ngày bầu cử: (\d\d/\d\d/\d{4})", header.inner_text())
    assert polling is not None
    assert _day(polling.group(1)) > today
    expect(header).to_contain_text("trước ngày bầu cử")
    assert any(day >= today for day in _deadlines(page)), "no deadline ahead"
    overdue = [int(n) for n in re.findall(r"quá hạn (\d+) ngày", page.content())]
    assert all(n <= 28 for n in overdue), overdue
    if username in RECIPIENTS:
        expect(page.locator("table.todo a.btn").first).to_be_visible()


def test_on_polling_day_the_board_is_live(live_server, page, transactional_db):
    with override_settings(DEBUG=True):
        call_command("load_demo", seed=True, phase="polling-day")
    log_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/dashboard/")
    expect(page.locator(".countdown")).to_contain_text("Hôm nay là ngày bầu cử.")
    expect(page.locator(".overdue-count")).to_be_visible()
