"""A Department editor closes the Thanh Hóa 2021 election (its after period
ended long ago), sees the archive's SHA-256, downloads the archive with a
purpose, and the zip verifies; then a change is refused with the
closed-election page, and every page carries the read-only banner.

Selectors are by address, name and class rather than by text: the texts
are translated."""

from playwright.sync_api import expect

from contacts.models import Election
from contacts.selectors import election_current
from readiness.models import CycleArchive, ReminderRule
from readiness.services.archive import archive_verify
from tests.browser.test_login_journey import log_in


def test_a_department_editor_closes_the_election_and_downloads_the_archive(
    live_server, page, demo_world, tmp_path
):
    election = election_current()
    assert election is not None
    log_in(page, live_server.url, "staff")
    page.locator("#more-menu").click()
    page.locator("nav a[href='/close-out/']").click()
    expect(page.locator("form.closeout-form")).to_be_visible()

    page.locator("input[name=year]").fill(str(election.polling_day.year))
    # The archive is made in the request: its PDF takes seconds.
    with page.expect_navigation(timeout=120_000):
        page.locator("form.closeout-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    archive = CycleArchive.objects.get()
    expect(page.locator("dl.closeout-archive code.closeout-sha")).to_have_text(
        archive.sha256
    )
    assert Election.objects.get(pk=election.pk).is_closed

    page.locator(f"main a[href='/close-out/{election.pk}/archive/']").first.click()
    page.locator("input[name=purpose]").fill("Lưu hồ sơ bầu cử năm 2021")
    with page.expect_download() as download:
        page.locator("form[action$='/archive/'] button[type=submit]").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".zip"
    assert archive_verify(path) == []

    # A change after the close-out: the reminder rule, saved as it is.
    page.goto(live_server.url + "/reminders/rule/")
    rule_before = ReminderRule.objects.values().get()
    expect(page.locator(".closed-election-banner")).to_be_visible()
    with page.expect_navigation() as refused:
        page.locator("form.reminder-rule-form button[type=submit]").click()
    assert refused.value.status == 403
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("form.reminder-rule-form")).to_have_count(0)
    assert ReminderRule.objects.values().get() == rule_before
