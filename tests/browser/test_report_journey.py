"""An observer of the provincial Election Committee opens the report,
prints nothing but downloads the PDF and the .xlsx, and both open: the
PDF's text (pdftotext) carries the directive's header, openpyxl reads the
sheet. axe-core finds no serious violation on the report page."""

import io
import shutil
import subprocess

import openpyxl
from playwright.sync_api import expect

from contacts.selectors import election_current
from readiness.selectors import directive_current
from tests.browser.test_dashboard_journey import axe_violations
from tests.browser.test_login_journey import log_in
from tests.conftest import need


def test_an_observer_downloads_the_report_as_pdf_and_xlsx(
    live_server, page, demo_world, tmp_path
):
    need(
        shutil.which("pdftotext") is not None,
        "pdftotext is not installed (apt-get install poppler-utils)",
    )
    directive = directive_current(election=election_current())
    assert directive is not None
    log_in(page, live_server.url, "observer")
    page.locator("nav a[href='/report/']").click()
    expect(page.locator("main")).to_contain_text("BÁO CÁO")
    assert axe_violations(page) == []

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Tải về dạng PDF").click()
    pdf_path = tmp_path / "report.pdf"
    pdf.value.save_as(pdf_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO" in text and directive.number in text

    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Tải về dạng Excel (.xlsx)").click()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert directive.number in " ".join(cells)
