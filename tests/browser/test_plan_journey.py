"""Obligations T1 and T3 end to end: a telecom officer fills two sections,
attaches a PDF and submits; the Department returns one with a comment; the
officer reads it, fixes and resubmits; the Department accepts; the
compliance matrix shows both accepted."""

from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import log_in

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def log_out(page: Page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()


def fill_section(page: Page, code: str, measures: str) -> None:
    page.locator(f"#section-{code} a[href$='/edit/']").click()
    page.locator("textarea[name=measures]").fill(measures)
    page.locator("input[name=responsible_name]").fill("Lê Văn Trực")
    page.locator("input[name=responsible_phone]").fill("0912 345 678")
    page.locator("select[name='resources-0-kind']").select_option("mobile_bts")
    page.locator("input[name='resources-0-quantity']").fill("3")
    page.locator("form:has(textarea[name=measures]) button[type=submit]").click()


def section(page: Page, code: str):
    return page.locator(f"#section-{code}")


def test_a_plan_is_returned_fixed_and_accepted(live_server, page, demo_world):
    # The VNPT officer fills T1 and T3, attaches a PDF to T1 and submits.
    log_in(page, live_server.url, "telecom")
    page.locator("nav a[href='/plans/']").click()
    fill_section(page, "T1", "Bố trí 3 trạm BTS lưu động tại trung tâm huyện.")
    page.locator("#section-T1 a[href$='/edit/']").click()
    page.locator("input[type=file]").set_input_files(
        files=[
            {"name": "phuong-an-T1.pdf", "mimeType": "application/pdf", "buffer": PDF}
        ]
    )
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.get_by_role("link", name="phuong-an-T1.pdf")).to_be_visible()
    page.locator("main a[href*='#section-T1']").first.click()
    fill_section(page, "T3", "Giám sát an toàn mạng 24/7.")
    page.locator("form[action$='/submit/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    log_out(page)

    # Staff return T3 with a comment and accept T1.
    log_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/review-queue/")
    page.locator("a[href*='#section-T3']").first.click()
    section(page, "T3").locator("textarea[name=comment]").last.fill(
        "Cần nêu rõ đầu mối phối hợp với Công an tỉnh."
    )
    section(page, "T3").locator("form[action$='/return/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    section(page, "T1").locator("form[action$='/accept/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    log_out(page)

    # The officer sees the comment, fixes T3 and resubmits.
    log_in(page, live_server.url, "telecom")
    page.locator("nav a[href='/plans/']").click()
    expect(section(page, "T3")).to_contain_text(
        "Cần nêu rõ đầu mối phối hợp với Công an tỉnh."
    )
    fill_section(
        page,
        "T3",
        "Giám sát an toàn mạng 24/7; đầu mối: Phòng An ninh mạng, Công an tỉnh.",
    )
    page.locator("form[action$='/submit/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    log_out(page)

    # Staff accept the new T3 (T1 was carried over as accepted).
    log_in(page, live_server.url, "staff")
    page.goto(live_server.url + "/review-queue/")
    page.locator("a[href*='#section-T3']").first.click()
    section(page, "T3").locator("form[action$='/accept/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(section(page, "T1").locator(".badge.text-bg-success")).to_be_visible()
    expect(section(page, "T3").locator(".badge.text-bg-success")).to_be_visible()

    # The compliance matrix shows both accepted for VNPT.
    page.goto(live_server.url + "/compliance/?group=telecom")
    row = page.locator("tr", has_text="VNPT")
    expect(row).to_contain_text("chấp thuận")
