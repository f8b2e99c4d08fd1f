"""The generic HTTP SMS backend (contacts.channels.sms.http_send) against a
real HTTP server on loopback: what it posts, and how the outbox treats each
answer (sent, retried later, failed for good)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from contacts.models import Channel, MessageStatus, OutboundMessage
from contacts.services.outbox import outbox_deliver

pytestmark = pytest.mark.django_db

TOKEN = "khoa-cong-sms-thu"


class Gateway(ThreadingHTTPServer):
    """Answers each POST with the next status of `answers` (200 once they
    run out) and keeps what it was sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[int] = []
        self.received: list[tuple[dict, dict]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/send"


class _Handler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        self.server.received.append((dict(self.headers), body))
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = Gateway()
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    settings.SMS_BACKEND = "contacts.channels.sms.http_send"
    settings.SMS_HTTP_URL = server.url
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_HTTP_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def an_sms(key: str = "roll-call:1:1") -> OutboundMessage:
    return OutboundMessage.objects.create(
        dedupe_key=key,
        kind="roll-call",
        channel=Channel.SMS,
        address="+84912000002",
        body="Sở TTTT kiểm tra liên lạc: nhắn OK 4821",
        next_attempt_at=timezone.now(),
    )


def deliver(message: OutboundMessage) -> OutboundMessage:
    outbox_deliver(message_ids=[message.pk], now=timezone.now())
    message.refresh_from_db()
    return message


def test_an_sms_is_posted_as_json_with_the_token(gateway):
    sent = deliver(an_sms())
    assert sent.status == MessageStatus.SENT
    [(headers, body)] = gateway.received
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "to": "+84912000002",
        "text": "Sở TTTT kiểm tra liên lạc: nhắn OK 4821",
        "reference": "roll-call:1:1",
    }


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_gateway_that_says_later_is_tried_again(gateway, status):
    gateway.answers = [status]
    waiting = deliver(an_sms())
    assert waiting.status == MessageStatus.PENDING
    assert str(status) in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()


@pytest.mark.parametrize("status", [400, 401, 422])
def test_a_refused_sms_fails_for_good(gateway, status):
    gateway.answers = [status]
    failed = deliver(an_sms())
    assert failed.status == MessageStatus.FAILED
    assert str(status) in failed.last_error


def test_a_gateway_not_reached_is_tried_again(gateway, settings):
    settings.SMS_HTTP_URL = "http://127.0.0.1:1/send"
    waiting = deliver(an_sms())
    assert waiting.status == MessageStatus.PENDING
    assert "not reached" in waiting.last_error


def test_an_address_that_is_not_http_is_never_opened(gateway, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("không được đọc")
    settings.SMS_HTTP_URL = secret.as_uri()
    waiting = deliver(an_sms())
    assert waiting.status == MessageStatus.PENDING
    assert "http(s)" in waiting.last_error
    assert gateway.received == []
