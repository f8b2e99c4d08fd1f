"""A demo user's first minutes: log in, see their own obligations in
Vietnamese, switch to English and back, log out; also on a phone.

The browser asks for en-US on purpose (tests/browser/conftest.py): the app
must stay Vietnamese until the user picks English with the switcher.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD

ALL_CODES = ["D1", "D2", "P1", "P2", "T1", "T2", "T3", "ALL"]

# username → (Vietnamese name of the organisation in the h1, codes shown, codes hidden)
JOURNEYS = {
    "staff": ("Sở Thông tin và Truyền thông Thanh Hóa", ALL_CODES, []),
    "observer": ("Ủy ban bầu cử tỉnh Thanh Hóa", ALL_CODES, []),
    "district": ("UBND thành phố Thanh Hóa", ["D1", "D2"], ["T1", "P1"]),
    "district2": ("UBND huyện Đông Sơn", ["D1", "D2"], ["T1", "P1"]),
    "telecom": (
        "Viễn thông Thanh Hóa (VNPT Thanh Hóa)",
        ["T1", "T2", "T3"],
        ["D2", "P1"],
    ),
    "telecom2": ("Viettel Thanh Hóa", ["T1", "T2", "T3"], ["D2", "P1"]),
    "postal": ("Bưu điện tỉnh Thanh Hóa", ["P1", "P2"], ["D2", "T1"]),
}


def log_in(
    page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD
) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    # Returns on the page the login leads to, loaded: a script added before
    # then (axe-core, tests/browser/test_dashboard_journey.py) would land in
    # the login page as it goes away.
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def code_cell(page: Page, code: str):
    return page.get_by_role("cell", name=code, exact=True)


@pytest.mark.parametrize("username", JOURNEYS)
def test_it_shows_each_demo_user_their_own_obligations_in_vietnamese(
    live_server, page, demo_world, username
):
    organisation, shown, hidden = JOURNEYS[username]

    log_in(page, live_server.url, username)

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(organisation)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    for code in shown:
        expect(code_cell(page, code)).to_be_visible()
    for code in hidden:
        expect(code_cell(page, code)).to_have_count(0)


def test_it_switches_to_english_keeps_it_and_switches_back(
    live_server, page, demo_world
):
    log_in(page, live_server.url, "district")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="Your obligations and their deadlines")
    ).to_be_visible()

    page.get_by_role("link", name="My organisation").click()
    page.get_by_role("link", name="Home").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="Your obligations and their deadlines")
    ).to_be_visible()

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(
        page.get_by_role("heading", name="Nhiệm vụ của đơn vị và thời hạn thực hiện")
    ).to_be_visible()


def test_it_refuses_a_wrong_password(live_server, page, demo_world):
    log_in(page, live_server.url, "district", password="not-the-password")

    expect(
        page.get_by_text(re.compile("Vui lòng điền vào .* và mật khẩu chính xác"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_it_logs_out_to_the_login_page(live_server, page, demo_world):
    log_in(page, live_server.url, "telecom")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Viễn thông Thanh Hóa (VNPT Thanh Hóa)"
    )

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)


def test_it_folds_the_navigation_behind_the_toggler_on_a_phone(
    live_server, phone_page, demo_world
):
    page = phone_page
    log_in(page, live_server.url, "district2")
    page.goto(live_server.url + "/accounts/password/")
    home_link = page.get_by_role("link", name="Trang chủ")
    expect(home_link).to_be_hidden()

    page.get_by_role("button", name="Mở/đóng menu điều hướng").click()
    expect(home_link).to_be_visible()
    home_link.click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("UBND huyện Đông Sơn")


@pytest.mark.parametrize(
    "username", ["staff", "observer", "district", "telecom", "postal"]
)
def test_every_role_s_menu_fits_a_laptop_screen(
    live_server, page, demo_world, username
):
    """At 1280 px the Department's long Vietnamese menu goes onto a second
    line: the page never scrolls sideways."""
    log_in(page, live_server.url, username)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
