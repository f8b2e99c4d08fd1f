"""Obligation D2 end to end: a district officer imports its contact list,
fixes the one bad row the app points at, submits; the Department accepts;
a carrier finds a phone number in the directory."""

import re

from playwright.sync_api import FilePayload, Page, expect

from contacts.models import AdministrativeUnit
from tests.browser.test_login_journey import log_in

HEADER = (
    "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Khu vực bỏ phiếu;"
    "Địa điểm làm việc;Họ và tên;Chức vụ;Số điện thoại"
)
BAD_PHONE = "0912 345"  # three digits short (an old 11-digit mobile is converted)


def contact_file(communes, bad_row: int | None = None) -> bytes:
    """One Election Team per commune of the district, each with a chair."""
    lines = [HEADER]
    for i, commune in enumerate(communes, start=1):
        phone = BAD_PHONE if i == bad_row else f"0912 {i:03d} {100 + i:03d}"
        lines.append(
            f"Tổ bầu cử;{commune.code};Tổ bầu cử số {i};KVBP số {i};"
            f"Nhà văn hóa {commune.name};Người Trực {i};Tổ trưởng;{phone}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(page: Page, content: bytes) -> None:
    page.locator("a[href$='/import/']").first.click()
    payload: FilePayload = {
        "name": "danh-sach.csv",
        "mimeType": "text/csv",
        "buffer": content,
    }
    page.locator("input[type=file]").set_input_files(files=[payload])
    page.locator("form[enctype] button[type=submit]").click()


def test_a_contact_list_goes_from_the_district_to_the_carrier(
    live_server, page, demo_world
):
    communes = list(
        AdministrativeUnit.objects.filter(parent__code="380").order_by("code")
    )
    bad_row = len(communes) // 2

    # The district officer imports a file with one bad phone number.
    log_in(page, live_server.url, "district")
    page.locator("nav a[href='/contact-lists/']").click()
    upload(page, contact_file(communes, bad_row=bad_row))
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    # The header is row 1, so the bad row of the list is row bad_row + 1.
    expect(errors.get_by_role("row").nth(1)).to_contain_text(str(bad_row + 1))
    expect(errors).to_contain_text(BAD_PHONE)
    expect(page.locator("form[action$='/apply/']")).to_have_count(0)

    # The fixed file previews cleanly and is applied, then submitted.
    upload(page, contact_file(communes))
    expect(page.locator("#import-errors")).to_have_count(0)
    page.locator("form[action$='/apply/'] button").click()
    expect(page.locator("#coverage-heading")).to_be_visible()
    # Every commune now has a team with a phone: the coverage bar is full
    # (drawn by static/js/app.js: the policy refuses a style= attribute).
    bar = page.locator(".progress-bar.bg-success")
    expect(bar).to_have_text("100%")
    expect(bar).to_have_attribute("style", re.compile(r"width: 100%"))
    # Removing a body asks first; answering no sends nothing.
    questions, posts = [], []

    def on_request(request):
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", on_request)

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("form[data-confirm]").first.get_by_role("button").click()
    page.wait_for_timeout(300)
    page.remove_listener("request", on_request)
    assert questions == ["Xóa tổ chức này khỏi bản nháp?"]
    assert posts == []
    page.locator("form[action$='/submit/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # The Department accepts it.
    page.locator("form[action='/accounts/logout/'] button").click()
    log_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/contact-lists/")
    page.get_by_role("link", name="UBND thành phố Thanh Hóa").click()
    page.locator("form[action$='/accept/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # VNPT, which serves the district, finds the team by its phone number.
    page.locator("form[action='/accounts/logout/'] button").click()
    log_in(page, live_server.url, "telecom")
    page.goto(live_server.url + "/directory/")
    page.locator("input[name=q]").fill("0912 003 103")
    page.locator("input[name=q]").press("Enter")
    expect(page.get_by_text("Người Trực 3", exact=True)).to_be_visible()
    expect(page.locator("a[href='tel:+84912003103']")).to_be_visible()
    expect(page.get_by_text("Người Trực 4", exact=True)).to_have_count(0)

    # Its printable sheet's "Print" button prints (static/js/app.js; the
    # policy refuses the onclick= it once had).
    page.get_by_role("link", name="UBND thành phố Thanh Hóa").click()
    expect(page).to_have_url(re.compile(r"/print/$"))
    page.wait_for_load_state("load")  # app.js, at the end of the page, has run
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.get_by_role("button", name="In", exact=True).click()
    assert page.evaluate("() => window.printed") is True
