"""Polling day on a phone: a carrier reports a critical fibre cut; staff
see it appear on the live board without reloading and acknowledge it;
the carrier adds the resolution."""

import re

from playwright.sync_api import expect

from tests.browser.test_login_journey import log_in


def test_a_critical_fibre_cut_is_seen_acknowledged_and_resolved(
    live_server, browser, phone_page, page, demo_world, settings
):
    settings.INCIDENT_BOARD_REFRESH_SECONDS = 1  # the board polls; 30 s in use
    # Staff watch the board (nothing open yet).
    log_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/incidents/")
    board = page.locator("table.incident-board tbody")
    expect(board.locator("tr[id^=incident-]")).to_have_count(0)

    # The VNPT officer reports from a phone.
    carrier = phone_page
    log_in(carrier, live_server.url, "telecom")
    carrier.goto(live_server.url + "/incidents/new/")
    carrier.locator("select[name=category]").select_option("fibre_cut")
    carrier.locator("input[name=severity][value=critical]").check()
    carrier.locator("input[name=title]").fill("Đứt cáp quang tuyến Quảng Xương")
    carrier.locator("select[name=units]").select_option(index=1)
    carrier.locator("input[name=services][value=landline]").check()
    carrier.locator(".incident-report form button[type=submit]").click()
    expect(carrier).to_have_url(re.compile(r"/incidents/\d+/$"))
    incident_url = carrier.url

    # It appears on the staff board by itself, and staff acknowledge it.
    row = board.locator("tr[id^=incident-]", has_text="Đứt cáp quang tuyến Quảng Xương")
    expect(row).to_be_visible(timeout=15_000)
    expect(row.locator(".badge.bg-danger")).to_be_visible()
    row.locator("form[action$='/acknowledge/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # The carrier sees it acknowledged and files the resolution.
    carrier.goto(incident_url)
    expect(carrier.locator(".incident-status")).to_have_attribute(
        "data-status", "acknowledged"
    )
    carrier.locator("textarea[name=text]").fill("Đã hàn nối xong, dịch vụ ổn định.")
    carrier.locator("select[name=status]").select_option("resolved")
    carrier.locator("form[action$='/update/'] button[type=submit]").click()
    expect(carrier.locator(".incident-status")).to_have_attribute(
        "data-status", "resolved"
    )
    expect(carrier.locator(".resolution-note")).to_have_text(
        "Đã hàn nối xong, dịch vụ ổn định."
    )
