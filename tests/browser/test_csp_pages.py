"""Department staff walk through the pages no other journey opens, the
Django admin included; the page fixture (tests/browser/conftest.py) fails
the test if the browser reports any Content-Security-Policy violation."""

from playwright.sync_api import expect

from contacts.models import Organisation, User
from readiness.models import Directive
from tests.browser.test_login_journey import log_in


def test_staff_pages_keep_to_the_policy(live_server, page, demo_world):
    department = Organisation.objects.get(code="so-tttt-38")
    directive = Directive.objects.get()
    staff = User.objects.get(username="staff")
    log_in(page, live_server.url, "staff")
    for path in (
        f"/directives/{directive.pk}/",
        "/review-queue/",
        "/deadlines/",
        "/reminders/rule/",
        "/notifications/",
        "/notifications/log/",
        "/notifications/settings/",
        "/notifications/settings/defaults/",
        "/incidents/time-limits/",
        "/organisations/",
        f"/organisations/{department.pk}/",
        "/people/",
        "/contact-lists/",
        f"/duty/{department.pk}/",
        "/accounts/password/",
        "/admin/",
        "/admin/contacts/user/",
        f"/admin/contacts/user/{staff.pk}/change/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        expect(page.locator("h1").first).to_be_visible()
