"""Bringing a district's people in, in a real browser: the Department
invites three people from a spreadsheet; each opens the link in the e-mail
the outbox delivered (to files, as a mail server would receive them) and
sets a password; one forgets it and resets it from the login page; the
head deactivates one, whose open session ends, and invites another; the
Department sees who has joined."""

import email
import io
import re
from email import policy
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from contacts.services.outbox import outbox_deliver, outbox_due_ids
from contacts.spreadsheets import active_sheet
from tests.browser.test_login_journey import log_in

DISTRICT = "UBND thị xã Bỉm Sơn"
PEOPLE = [
    ("Lê Văn Thủ", "thu.le@bimson.gov.vn", "Thủ trưởng"),
    ("Nguyễn Thị Biên", "bien.nguyen@bimson.gov.vn", "Chỉnh sửa"),
    ("Trần Văn Xem", "xem.tran@bimson.gov.vn", "Chỉ xem"),
]
PASSWORDS = {
    "thu.le@bimson.gov.vn": "Bim-Son-thu-truong-2026",
    "bien.nguyen@bimson.gov.vn": "Bim-Son-bien-tap-2026",
    "xem.tran@bimson.gov.vn": "Bim-Son-chi-xem-2026",
}
LINK = re.compile(r"https?://\S+/accounts/(?:invitation|password/reset)/\S+/")


def _spreadsheet(path: Path) -> Path:
    """The list as the Department's office keeps it: a title, then the
    table with Vietnamese headers."""
    book = openpyxl.Workbook()
    sheet = active_sheet(book)
    sheet.append(["DANH SÁCH CÁN BỘ THAM GIA HỆ THỐNG"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Thư điện tử", "Đơn vị", "Vai trò"])
    for number, (name, address, role) in enumerate(PEOPLE, start=1):
        sheet.append([number, name, address, DISTRICT, role])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _deliver() -> None:
    """What the Celery worker's delivery tick does."""
    ids = outbox_due_ids(now=timezone.now())
    if ids:
        outbox_deliver(message_ids=ids)


def _mails(folder: Path) -> list[email.message.EmailMessage]:
    """Every e-mail the file backend wrote, oldest first."""
    found = []
    for log in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for raw in log.read_bytes().split(b"-" * 79):
            if raw.strip():
                found.append(
                    email.message_from_bytes(raw.lstrip(), policy=policy.default)
                )
    return found


def _link_sent_to(folder: Path, address: str) -> str:
    """The link in the latest e-mail to `address`, read from its text."""
    mails = [m for m in _mails(folder) if m["To"] == address]
    assert mails, f"no e-mail to {address}"
    body = mails[-1].get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(0)


def _join(browser: Browser, link: str, password: str) -> Page:
    """The invited person, in their own browser, sets their password."""
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(link)
    page.get_by_label("Chọn mật khẩu").fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(password)
    page.get_by_role("button", name="Đặt mật khẩu và tham gia").click()
    expect(page.get_by_text("Chào mừng! Bạn đã tham gia")).to_be_visible()
    return page


@pytest.fixture
def mail_folder(tmp_path, live_server):
    """E-mails written to files, their links pointing at the test server."""
    folder = tmp_path / "mails"
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(folder),
        SITE_URL=live_server.url,
    ):
        yield folder


def test_a_district_is_brought_in_and_manages_its_own_people(
    live_server, page, browser, demo_world, mail_folder, tmp_path
):
    base = live_server.url
    # The Department invites the district's three people from its list.
    log_in(page, base, "staff")
    page.goto(base + "/people/import/")
    page.locator("input[type=file]").set_input_files(
        _spreadsheet(tmp_path / "moi.xlsx")
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    for name, _address, _role in PEOPLE:
        expect(page.get_by_role("cell", name=name)).to_be_visible()
    page.get_by_role("button", name="Gửi 3 lời mời").click()
    expect(page.get_by_text("Đã gửi 3 lời mời")).to_be_visible()
    # The page of who has joined: the three, invited and not joined yet.
    row = page.locator("tr").filter(has_text=DISTRICT)
    expect(row.locator("td").nth(1)).to_have_text("3")

    # Each joins through the e-mail.
    _deliver()
    sessions = {
        address: _join(browser, _link_sent_to(mail_folder, address), password)
        for address, password in PASSWORDS.items()
    }
    used = _link_sent_to(mail_folder, "xem.tran@bimson.gov.vn")
    again = browser.new_page()
    again.goto(used)
    expect(again.get_by_text("Lời mời này đã được sử dụng")).to_be_visible()

    # The editor forgets the password and resets it from the login page.
    forgetful = browser.new_context(locale="vi-VN").new_page()
    forgetful.goto(base + "/accounts/login/")
    forgetful.get_by_role("link", name="Quên mật khẩu?").click()
    forgetful.get_by_label("Địa chỉ thư điện tử của bạn").fill(
        "Bien.Nguyen@bimson.gov.vn"
    )
    forgetful.get_by_role("button", name="Gửi đường dẫn cho tôi").click()
    _deliver()
    forgetful.goto(_link_sent_to(mail_folder, "bien.nguyen@bimson.gov.vn"))
    forgetful.locator("input[name=new_password1]").fill("Mat-khau-moi-Bim-Son-7")
    forgetful.locator("input[name=new_password2]").fill("Mat-khau-moi-Bim-Son-7")
    forgetful.get_by_role("button", name="Đặt mật khẩu mới").click()
    log_in(forgetful, base, "bien.nguyen@bimson.gov.vn", "Mat-khau-moi-Bim-Son-7")
    expect(forgetful.get_by_role("link", name="Đăng xuất")).to_have_count(0)
    expect(forgetful.get_by_role("button", name="Đăng xuất")).to_be_visible()

    # The head deactivates the reader, whose open session ends, and
    # invites someone else.
    head = sessions["thu.le@bimson.gov.vn"]
    head.get_by_role("link", name="Đơn vị của tôi").click()
    head.get_by_role("link", name="Quản lý thành viên").click()
    reader = head.locator(".member").filter(has_text="Trần Văn Xem")
    head.once("dialog", lambda dialog: dialog.accept())
    reader.get_by_role("button", name="Ngừng kích hoạt").click()
    expect(head.get_by_text("Trần Văn Xem đã bị ngừng kích hoạt")).to_be_visible()
    cut_off = sessions["xem.tran@bimson.gov.vn"]
    cut_off.reload()
    expect(cut_off.get_by_label("Tên đăng nhập")).to_be_visible()

    head.get_by_label("Họ và tên").fill("Đỗ Thị Mới")
    head.get_by_label("Email").fill("moi.do@bimson.gov.vn")
    head.get_by_role("button", name="Gửi lời mời").click()
    expect(head.get_by_text("Đã gửi lời mời đến Đỗ Thị Mới")).to_be_visible()
    newcomer = head.locator(".member").filter(has_text="Đỗ Thị Mới")
    expect(newcomer).to_contain_text("đã mời, chưa tham gia")

    # The Department sees who has joined: the head and the editor; the
    # newcomer is still to join.
    page.goto(base + "/people/")
    row = page.locator("tr").filter(has_text=DISTRICT)
    expect(row.locator("td").nth(0)).to_have_text("2")
    expect(row.locator("td").nth(1)).to_have_text("1")
