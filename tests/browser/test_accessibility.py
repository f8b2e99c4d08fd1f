"""axe-core on the main forms and lists: no violation rated serious or
critical (the dashboard and home pages: test_dashboard_journey.py)."""

import pytest
from playwright.sync_api import Page

from contacts.models import Organisation
from tests.browser.test_dashboard_journey import axe_violations
from tests.browser.test_login_journey import log_in


def checked(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    return axe_violations(page)


def test_a_carriers_forms(live_server, page, demo_world):
    vnpt = Organisation.objects.get(code="vnpt-thanhhoa")
    log_in(page, live_server.url, "telecom")
    for path in (
        "/incidents/new/",
        f"/duty/{vnpt.pk}/add/",
        f"/duty/{vnpt.pk}/week/",
        f"/duty/{vnpt.pk}/import/",
    ):
        assert checked(page, live_server.url + path) == [], path
    page.goto(live_server.url + "/plans/")
    page.locator("#section-T1 a[href$='/edit/']").click()
    page.wait_for_url("**/edit/")
    assert axe_violations(page) == []


def test_a_districts_contact_list_forms(live_server, page, demo_world):
    log_in(page, live_server.url, "district")
    page.goto(live_server.url + "/contact-lists/")
    detail = page.url
    assert axe_violations(page) == []
    for path in ("import/", "bodies/new/"):
        assert checked(page, detail + path) == [], path


@pytest.mark.parametrize(
    "path",
    [
        "/incidents/",
        "/duty/now/",
        "/compliance/",
        "/directory/",
        "/notifications/settings/",
        "/people/",
    ],
)
def test_staff_lists(live_server, page, demo_world, path):
    log_in(page, live_server.url, "staff")
    assert checked(page, live_server.url + path) == []


def test_the_areas_form_and_the_error_pages(live_server, page, demo_world):
    vnpt = Organisation.objects.get(code="vnpt-thanhhoa")
    log_in(page, live_server.url, "staff")
    areas = f"{live_server.url}/organisations/{vnpt.pk}/areas-served/"
    assert checked(page, areas) == []
    missing = page.goto(live_server.url + "/khong-co-trang-nay/")
    assert missing.status == 404
    assert axe_violations(page) == []
