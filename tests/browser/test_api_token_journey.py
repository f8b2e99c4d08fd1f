"""A carrier's NOC engineer makes an API token on the web page, copies it
(shown once), reads the API docs, and the token pushes an incident that the
incident board then shows; the page fixture fails on any CSP violation, so
the docs' Swagger UI must keep to the policy too."""

from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import log_in

INCIDENT = {
    "category": "fibre_cut",
    "severity": "major",
    "title": "Đứt cáp quang Hàm Rồng – Đông Thọ",
    "units": ["14755"],
    "started_at": "2021-05-23T08:50:00+07:00",
    "detected_at": "2021-05-23T08:55:00+07:00",
    "client_key": "noc-000123",
}


def _push(page: Page, base_url: str, token: str) -> tuple[int, dict]:
    """What the NOC's system sends (the browser's cookies play no part:
    only the token opens the API)."""
    response = page.request.post(
        base_url + "/api/v1/incidents/",
        data=INCIDENT,
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status, response.json()


def test_a_noc_engineer_makes_a_token_and_pushes_an_incident(
    live_server, page, demo_world
):
    log_in(page, live_server.url, "telecom")
    page.get_by_role("link", name="Đơn vị của tôi").click()
    page.get_by_role("link", name="Mã truy cập API").click()
    page.get_by_label("Tên").fill("Hệ thống NOC")
    page.get_by_role("button", name="Tạo mã").click()
    expect(page.get_by_text("mã sẽ không hiển thị lại")).to_be_visible()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("ttll_")

    page.reload()  # shown once
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.get_by_role("cell", name="Hệ thống NOC")).to_be_visible()

    page.get_by_role("link", name="Tài liệu API").click()
    expect(page.get_by_text("/api/v1/incidents/").first).to_be_visible()

    assert _push(page, live_server.url, token)[0] == 201
    status, again = _push(page, live_server.url, token)  # a retry
    assert status == 200
    page.goto(live_server.url + f"/incidents/{again['id']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(INCIDENT["title"])
