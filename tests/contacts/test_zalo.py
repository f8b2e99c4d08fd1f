"""The Zalo channel (contacts.channels.zalo) against a real HTTP server on
loopback answering as Zalo's ZNS API documents it: what is posted, how the
outbox treats each answer (sent, retried later, failed for good), the
phone in Zalo's form, the channel off while it is not configured, and the
delivery log showing Zalo in Vietnamese."""

import datetime
import json
import threading
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, MessageStatus, NoticeKind, OutboundMessage
from contacts.services import contact_lists
from contacts.services.notice_settings import notice_preferences_save
from contacts.services.outbox import (
    outbox_deliver,
    outbox_enqueue,
    outbox_messages_for,
)
from tests.contacts.conftest import make_row
from tests.factories import VN

pytestmark = pytest.mark.django_db

TOKEN = "zalo-oa-token-thu"
TEMPLATES = {
    "reminder": "301001",
    "incident": "301002",
    "status-report": "",
    "shift-phone": "",
    "situation_report": "",
}
TAKEN = {
    "error": 0,
    "message": "Success",
    "data": {
        "msg_id": "a1b2c3",
        "sent_time": "1618800000000",
        "quota": {"dailyQuota": "500", "remainingQuota": "499"},
    },
}


def refused(code: int, message: str) -> dict:
    return {"error": code, "message": message}


class Zalo(ThreadingHTTPServer):
    """Answers each POST with the next of `answers`: a dict is sent as JSON
    with HTTP 200 (as Zalo answers, errors included), an int is an HTTP
    status without a body, bytes are sent as they are with HTTP 200, "hang"
    answers nothing until the test ends. TAKEN once they run out. Keeps the headers and JSON it was sent."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[dict | int | bytes | str] = []
        self.received: list[tuple[Message, dict]] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/message/template"


class _Handler(BaseHTTPRequestHandler):
    server: Zalo

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        self.server.received.append((self.headers, body))
        answer = self.server.answers.pop(0) if self.server.answers else TAKEN
        if isinstance(answer, str):  # "hang"
            self.server.release.wait(10)
            return
        if isinstance(answer, int):
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps(answer).encode() if isinstance(answer, dict) else answer
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def zalo(settings):
    server = Zalo()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    settings.ZALO_ZNS_URL = server.url
    settings.ZALO_ACCESS_TOKEN = TOKEN
    settings.ZALO_ACCESS_TOKEN_FILE = ""
    settings.ZALO_TIMEOUT = 1
    settings.ZALO_TEMPLATES = dict(TEMPLATES)
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def a_notice(world, key: str = "reminder:1:2:3:202105201700:before-1:zalo", **fields):
    values = {
        "dedupe_key": key,
        "kind": "reminder",
        "recipient": world.district_a_officer,
        "organisation": world.district_a,
        "channel": Channel.ZALO,
        "address": "+84912000002",
        "subject": "Còn 1 ngày đến hạn nộp danh sách liên lạc",
        "body": "Nội dung nhắc việc",
        "link": "http://testserver/contacts/",
        "topic_due_at": datetime.datetime(2021, 5, 20, 17, tzinfo=VN),
        "next_attempt_at": timezone.now(),
    }
    return OutboundMessage.objects.create(**(values | fields))


def deliver(message: OutboundMessage, now=None) -> OutboundMessage:
    outbox_deliver(message_ids=[message.pk], now=now or timezone.now())
    message.refresh_from_db()
    return message


# --- Sent -----------------------------------------------------------------------


def test_a_notice_is_posted_as_a_zns_template_message(zalo, world):
    sent = deliver(a_notice(world))
    assert sent.status == MessageStatus.SENT
    assert sent.last_error == ""
    [(headers, body)] = zalo.received
    assert headers["access_token"] == TOKEN
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "phone": "84912000002",
        "template_id": "301001",
        "template_data": {
            "name": world.district_a_officer.full_name,
            "organisation": world.district_a.name,
            "subject": "Còn 1 ngày đến hạn nộp danh sách liên lạc",
            "link": "http://testserver/contacts/",
            "due": "17:00 20/05/2021",
        },
        "tracking_id": "reminder:1:2:3:202105201700:before-1:zalo",
    }


def test_each_kind_of_notice_uses_its_own_template(zalo, world):
    key = "incident:7:escalation-1:3:zalo"
    deliver(a_notice(world, key, kind="incident-escalation-1", topic_due_at=None))
    [(_headers, body)] = zalo.received
    assert body["template_id"] == "301002"
    assert "due" not in body["template_data"]


def test_a_long_key_goes_as_the_same_short_tracking_id_on_every_try(zalo, world):
    key = "reminder:" + ":".join(["123456789"] * 8) + ":zalo"
    zalo.answers = [500]
    waiting = deliver(a_notice(world, key))
    deliver(waiting, now=waiting.next_attempt_at)
    first, second = (body["tracking_id"] for _h, body in zalo.received)
    assert len(first) == 48 and first == second


@pytest.mark.parametrize(
    ("stored", "posted"),
    [("+84912000002", "84912000002"), ("0912 000 002", "84912000002")],
)
def test_the_phone_goes_in_zalos_form_without_plus(zalo, world, stored, posted):
    assert deliver(a_notice(world, address=stored)).status == MessageStatus.SENT
    assert zalo.received[0][1]["phone"] == posted


@pytest.mark.parametrize("number", ["+447911123456", "+842373718258"])
def test_a_foreign_number_or_a_landline_fails_without_asking_zalo(zalo, world, number):
    failed = deliver(a_notice(world, address=number))
    assert failed.status == MessageStatus.FAILED
    assert "không phải số di động Việt Nam" in failed.last_error
    assert zalo.received == []


# --- Retried ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_zalo_down_is_tried_again_and_then_sent(zalo, world, status):
    zalo.answers = [status]
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert f"Zalo trả lời mã HTTP {status}" == waiting.last_error
    assert waiting.next_attempt_at > timezone.now()
    sent = deliver(waiting, now=waiting.next_attempt_at)
    assert sent.status == MessageStatus.SENT
    assert sent.attempts == 2
    assert len(zalo.received) == 2


def test_zalo_not_answering_in_time_is_tried_again(zalo, world):
    zalo.answers = ["hang"]
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert waiting.last_error.startswith("Không kết nối được tới Zalo")


def test_zalo_not_reached_is_tried_again(zalo, world, settings):
    settings.ZALO_ZNS_URL = "http://127.0.0.1:1/message/template"
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert waiting.last_error.startswith("Không kết nối được tới Zalo")


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (refused(-124, "Access token invalid"), "Access token Zalo không hợp lệ"),
        (refused(-100, "Unknown error"), "Zalo từ chối tin nhắn"),
        (b"<html>Bad gateway</html>", "không đúng dạng JSON"),
    ],
)
def test_an_answer_that_may_change_is_tried_again(zalo, world, answer, shown):
    zalo.answers = [answer]
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert shown in waiting.last_error


# --- Failed for good --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (refused(-109, "Template ID invalid"), "Zalo không nhận ra mẫu tin"),
        (refused(-112, "Template data invalid"), "Zalo từ chối dữ liệu điền vào mẫu"),
        (
            refused(-117, "OA or App does not have permission to access this template"),
            "không được phép dùng mẫu tin",
        ),
        (refused(-118, "Zalo account not existed"), "không có tài khoản Zalo"),
        (refused(-108, "Phone number invalid"), "từ chối số điện thoại"),
    ],
)
def test_a_refused_template_or_a_phone_without_zalo_fails_for_good(
    zalo, world, answer, shown
):
    zalo.answers = [answer]
    failed = deliver(a_notice(world))
    assert failed.status == MessageStatus.FAILED
    assert failed.attempts == 1
    assert shown in failed.last_error
    assert f"Zalo báo lỗi {answer['error']}: {answer['message']}" in failed.last_error


# --- Off unless configured ------------------------------------------------------------


def texts() -> tuple[str, str, str]:
    return ("Nhắc hạn nộp", "Nội dung", "<p>Nội dung</p>")


def offered(user, kind: str = "reminder") -> list[str]:
    return [
        m.channel
        for m in outbox_messages_for(
            user=user,
            dedupe_key=f"{kind}:1:{user.pk}",
            texts=texts(),
            kind=kind,
            next_attempt_at=timezone.now(),
        )
    ]


@pytest.fixture
def officer(world):
    user = world.district_a_officer
    user.email = "can.bo@example.vn"
    user.phone = "+84912000002"
    user.save()
    return user


def test_a_configured_kind_goes_to_a_vietnamese_mobile_by_zalo_too(zalo, officer):
    assert offered(officer) == [Channel.EMAIL, Channel.ZALO]
    assert offered(officer, "incident-escalation-2") == [Channel.EMAIL, Channel.ZALO]
    # No template for this kind: not by Zalo.
    assert offered(officer, "shift-phone") == [Channel.EMAIL]
    officer.phone = "+447911123456"
    assert offered(officer) == [Channel.EMAIL]


def test_a_notice_written_for_zalo_is_delivered_there(zalo, officer):
    messages = outbox_messages_for(
        user=officer,
        dedupe_key="reminder:5:6:7",
        texts=texts(),
        kind="reminder",
        organisation=officer.membership.organisation,
        link="http://testserver/plans/",
        next_attempt_at=timezone.now(),
    )
    outbox_enqueue(messages=messages)
    by_zalo = OutboundMessage.objects.get(channel=Channel.ZALO)
    assert by_zalo.dedupe_key == "reminder:5:6:7:zalo"
    assert deliver(by_zalo).status == MessageStatus.SENT
    assert zalo.received[0][1]["tracking_id"] == "reminder:5:6:7:zalo"


@pytest.mark.parametrize(
    "setting",
    [
        {"ZALO_ACCESS_TOKEN": ""},
        {"ZALO_ZNS_URL": ""},
        {"ZALO_TEMPLATES": dict.fromkeys(TEMPLATES, "")},
    ],
)
def test_without_the_settings_nothing_is_written_or_sent(
    zalo, officer, world, settings, setting
):
    for name, value in setting.items():
        setattr(settings, name, value)
    assert offered(officer) == [Channel.EMAIL]
    # One written while Zalo was on is not sent after it is turned off.
    left_over = deliver(a_notice(world))
    assert left_over.status == MessageStatus.FAILED
    assert left_over.last_error == (
        "Chưa cấu hình Zalo cho loại tin này: tin không được gửi"
    )
    assert zalo.received == []


def test_the_default_settings_leave_zalo_off(officer):
    assert offered(officer) == [Channel.EMAIL]


# --- The access token from a file ----------------------------------------------------


def test_a_refreshed_token_file_is_used_without_a_restart(
    zalo, world, settings, tmp_path
):
    token_file = tmp_path / "zalo-token"
    token_file.write_text("token-cu\n")
    settings.ZALO_ACCESS_TOKEN = ""
    settings.ZALO_ACCESS_TOKEN_FILE = str(token_file)
    deliver(a_notice(world, "reminder:1:zalo"))
    token_file.write_text("token-moi\n")
    deliver(a_notice(world, "reminder:2:zalo"))
    assert [h["access_token"] for h, _body in zalo.received] == [
        "token-cu",
        "token-moi",
    ]


def test_a_missing_token_file_is_tried_again(zalo, world, settings, tmp_path):
    settings.ZALO_ACCESS_TOKEN = ""
    settings.ZALO_ACCESS_TOKEN_FILE = str(tmp_path / "chua-co")
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert waiting.last_error.startswith("Không đọc được access token Zalo")
    assert zalo.received == []


def test_an_address_that_is_not_http_is_never_opened(zalo, world, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("không được đọc")
    settings.ZALO_ZNS_URL = secret.as_uri()
    waiting = deliver(a_notice(world))
    assert waiting.status == MessageStatus.PENDING
    assert "http(s)" in waiting.last_error


# --- The delivery log -----------------------------------------------------------------


def test_the_log_shows_zalo_deliveries_and_failures_in_vietnamese(zalo, world, client):
    sent = deliver(a_notice(world, "reminder:1:zalo"))
    zalo.answers = [refused(-118, "Zalo account not existed")]
    failed = deliver(a_notice(world, "reminder:2:zalo"))
    client.force_login(world.staff)
    body = client.get(reverse("inbox:log"), {"channel": "zalo"}).content.decode()

    def row(message: OutboundMessage) -> str:
        start = body[body.index(f'id="message-{message.pk}"') :]
        return start[: start.index("</tr>")]

    assert "<td>Zalo</td>" in row(sent) and "đã gửi" in row(sent)
    assert "<td>Zalo</td>" in row(failed) and "gửi không thành công" in row(failed)
    assert "Số điện thoại này không có tài khoản Zalo" in row(failed)
    assert "qua email, SMS hoặc Zalo" in body


# --- The review loop's notices --------------------------------------------------


@pytest.fixture
def submitted(world, officer, list_a, communes_a, import_rows, settings):
    """District A's list submitted, with Zalo's "notice" template set up."""
    settings.ZALO_TEMPLATES = dict(TEMPLATES) | {"notice": "301009"}
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    return contact_lists.contact_list_submit(contact_list=list_a, by=officer)


def test_a_returned_list_reaches_the_districts_phone_by_zalo(
    zalo, world, officer, submitted
):
    contact_lists.contact_list_return(
        version=submitted, by=world.staff, comment="Thiếu số điện thoại"
    )
    by_zalo = OutboundMessage.objects.get(recipient=officer, channel=Channel.ZALO)
    assert by_zalo.kind == "contact-list-returned"
    assert deliver(by_zalo).status == MessageStatus.SENT
    ((_headers, posted),) = zalo.received
    assert posted["template_id"] == "301009"
    assert posted["phone"] == "84912000002"
    assert posted["template_data"]["link"].endswith(
        f"/contact-lists/{submitted.contact_list_id}/"
    )


@pytest.mark.parametrize("phone_on", [True, False])
def test_the_phone_switch_sends_an_acceptance_by_sms_and_zalo_or_neither(
    zalo, world, officer, submitted, settings, phone_on
):
    settings.USE_SMS = True
    notice_preferences_save(
        user=officer,
        choices={NoticeKind.ACCEPTED: (True, phone_on)},
        daily_digest=False,
    )
    contact_lists.contact_list_accept(version=submitted, by=world.staff)
    channels = OutboundMessage.objects.filter(recipient=officer).values_list(
        "channel", flat=True
    )
    phone = {Channel.SMS, Channel.ZALO} if phone_on else set()
    assert set(channels) == {Channel.APP, Channel.EMAIL} | phone
