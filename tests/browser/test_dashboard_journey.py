"""The province dashboard in a browser: staff narrow the matrix to telecom
firms, open an overdue cell and land on that plan; the charts are drawn;
axe-core finds no serious or critical accessibility violation on the
dashboard and on each recipient's home page."""

import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from contacts.models import Organisation
from contacts.selectors import election_current
from readiness.selectors import directive_current
from readiness.services.plans import plan_get_or_create, plan_section_save
from tests.browser.test_login_journey import log_in
from tests.browser.test_plan_journey import log_out

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """Serious and critical violations found by axe-core on the page."""
    # Loaded as a file of the page's own origin: the Content-Security-Policy
    # refuses the inline script add_script_tag(path=…) would write. The page
    # must be done loading, or the script may land in a document going away.
    page.wait_for_load_state("load")
    url = urljoin(page.url, "/__axe__.min.js")
    page.route(url, lambda route: route.fulfill(path=AXE))
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url)
    result = page.evaluate("async () => await axe.run()")
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def wait_for_chart(page: Page, canvas_id: str) -> None:
    """Until Chart.js has drawn on the canvas. The scripts at the end of the
    page may still be loading when its heading shows: a predicate that read
    `Chart` before then would throw rather than wait."""
    page.wait_for_function(
        "(id) => typeof Chart !== 'undefined' && Chart.getChart(id) !== undefined",
        arg=canvas_id,
    )


def test_staff_filter_the_matrix_and_open_an_overdue_plan(
    live_server, page, demo_world
):
    vnpt = Organisation.objects.get(code="vnpt-thanhhoa")
    directive = directive_current(election=election_current())
    assert directive is not None
    plan = plan_get_or_create(directive=directive, organisation=vnpt)
    section = plan.sections.get(obligation__code="T1")
    membership = vnpt.memberships.first()
    assert membership is not None
    plan_section_save(
        section=section,
        revision=section.revision,
        measures="Bố trí trạm BTS lưu động.",
        responsible_name="Hoàng Văn Em",
        responsible_phone="0912 401 201",
        resources=[],
        by=membership.user,
        now=datetime.datetime.now(datetime.UTC),
    )

    log_in(page, live_server.url, "staff")
    page.locator("nav a[href='/dashboard/']").click()
    expect(page.locator("h1")).to_contain_text("Bầu cử")
    # The charts are drawn from the tables beside them.
    wait_for_chart(page, "chart-readiness")

    page.locator("#filter-group").select_option("telecom")
    page.get_by_role("button", name="Xem").click()
    matrix = page.locator("table.compliance-matrix")
    expect(matrix).not_to_contain_text("UBND")
    row = matrix.locator("tr", has_text=vnpt.display_name)
    cell = row.locator("td[data-obligation='T1']")
    expect(cell).to_contain_text("quá hạn")
    cell.locator("a").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/#section-T1")
    expect(page.locator("h1")).to_contain_text(vnpt.name)


@pytest.mark.parametrize(
    "username", ["staff", "observer", "district", "telecom", "postal"]
)
def test_no_serious_accessibility_violation_on_home_and_dashboard(
    live_server, page, demo_world, username
):
    log_in(page, live_server.url, username)
    assert axe_violations(page) == []
    if username in ("staff", "observer"):
        page.goto(live_server.url + "/dashboard/")
        wait_for_chart(page, "chart-coverage")
        assert axe_violations(page) == []
    log_out(page)
