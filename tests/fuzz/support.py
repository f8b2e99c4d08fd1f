"""What the fuzz tests share besides strategies: the world they run in (the
authorization matrix's, tests/test_authorization_matrix.py), a snapshot of
the database, sending raw form bodies, reading the forms out of a page and
telling whether a page shows an error.

Each example runs in a savepoint rolled back after it (`rolled_back`), so
every example finds the world as it was built.
"""

import contextlib
import html as html_module
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import overload
from urllib.parse import urlencode, urlsplit

from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY

from tests.fuzz.strategies import MISSING
from tests.test_authorization_matrix import Matrix, Target, _snapshot

__all__ = ["Matrix", "Target"]

# --- The database ----------------------------------------------------------------


def snapshot() -> dict[str, str]:
    """Row counts of every table of the three apps (audit-trail tables
    included) and aggregates of every column of their domain tables: an
    INSERT, UPDATE or DELETE anywhere shows (the authorization matrix's)."""
    return _snapshot()


def differences(before: dict, after: dict) -> dict[str, tuple]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone at the end, whatever happened inside."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(m: Matrix, user: str) -> Client:
    return m.client(user)


@overload
def target_of(m: Matrix, kind: str, owner: str | None) -> Target: ...
@overload
def target_of(m: Matrix, kind: None, owner: str | None) -> None: ...
@overload
def target_of(m: Matrix, kind: str | None, owner: str | None) -> Target | None: ...
def target_of(m: Matrix, kind: str | None, owner: str | None) -> Target | None:
    if kind is None:
        return None
    return next(t for t in m.targets[kind] if owner is None or t.owner == owner)


# --- Sending ---------------------------------------------------------------------


def as_received(value: str) -> str:
    """What Django reads from a value a client sends as UTF-8: a lone
    surrogate cannot be UTF-8, so it goes as the bytes a broken client
    would send, which Django decodes as U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _pairs(data: dict) -> list[tuple[str, str]]:
    pairs = []
    for name, value in data.items():
        if value is MISSING:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, str(item)))
    return pairs


# What a browser always sends with a form (the test client does not check
# it): without it, a form whose only field is a file has an empty POST.
CSRF = "x" * 64


@dataclass(frozen=True)
class FileValue:
    """A file to send in a field, under any name (empty, NUL, a path…)."""

    name: str
    content: bytes


def post(client: Client, url: str, data: dict, **extra):
    """POST `data` as a browser sends a form: urlencoded, or multipart when
    a value is a file. Lists are repeated fields; MISSING fields are left
    out; lone surrogates are sent as raw bytes."""
    if any(isinstance(v, FileValue) for v in data.values()):
        body = _multipart(data)
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
        return client.post(url, body, content_type, **extra)
    raw = urlencode(_pairs(data), encoding="utf-8", errors="surrogatepass")
    return client.post(url, raw, "application/x-www-form-urlencoded", **extra)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _header_text(text: str) -> bytes:
    """A name in a part's header, escaped as browsers do (HTML's rules for
    multipart/form-data)."""
    escaped = text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    return _utf8(escaped)


def _multipart(data: dict) -> bytes:
    """The body a browser sends, built by hand: the test client cannot send
    a file without a usable name, nor text that is not UTF-8."""
    parts = []
    for name, value in data.items():
        if value is MISSING:
            continue
        head = b'Content-Disposition: form-data; name="' + _header_text(name) + b'"'
        if isinstance(value, FileValue):
            filename = _header_text(value.name)
            head += b'; filename="' + filename + b'"'
            head += b"\r\nContent-Type: application/octet-stream"
            parts.append((head, value.content))
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            parts.append((head, _utf8(str(item))))
    boundary = _utf8(BOUNDARY)
    body = b"".join(
        b"--" + boundary + b"\r\n" + head + b"\r\n\r\n" + content + b"\r\n"
        for head, content in parts
    )
    return body + b"--" + boundary + b"--\r\n"


def received(data: dict, name: str) -> str | None:
    """The value of a field as the view reads it (QueryDict.get: the last of
    repeated values), None when it was not sent."""
    value = data.get(name, MISSING)
    if value is MISSING:
        return None
    if isinstance(value, list | tuple):
        if not value:
            return None
        value = value[-1]
    return as_received(str(value))


def sent(data: dict, name: str) -> str:
    """The value of a field the form must have been sent, since it saved."""
    value = received(data, name)
    assert value is not None, f"saved without {name}"
    return value


def typed(data: dict, name: str) -> str:
    """A text field as a form cleans it: what was received, trimmed, in
    Unicode's composed form (NFC)."""
    value = received(data, name)
    return unicodedata.normalize("NFC", value.strip()) if value else ""


# --- Reading responses --------------------------------------------------------------

# What the project's templates use to show an error: crispy-forms' field
# errors, a form's non-field errors, an alert (messages, import errors).
ERROR_MARKERS = ("invalid-feedback", "alert-danger", "errorlist", "is-invalid")


def shows_error(html: str) -> bool:
    return any(marker in html for marker in ERROR_MARKERS)


def is_vietnamese_page(html: str) -> bool:
    return '<html lang="vi"' in html


class _ErrorParser(HTMLParser):
    """The text of each element marked as an error (ERROR_MARKERS)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside an error element: its nesting depth
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "br", "img", "meta", "link"):
            return
        classes = dict(attrs).get("class") or ""
        if self.depth:
            self.depth += 1
        elif any(marker in classes for marker in ERROR_MARKERS[:3]):
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth and tag not in ("input", "br", "img", "meta", "link"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def error_texts(html: str) -> list[str]:
    """What the page says is wrong, one text per error element."""
    parser = _ErrorParser()
    parser.feed(html)
    return [" ".join(t.split()) for t in parser.texts if t.strip()]


def listed_errors(page: str, table_id: str) -> list[tuple[str, str, str]]:
    """(row, column, problem) of each error the page's table lists."""
    table = re.search(f'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    if table is None:
        return []
    cells = re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(), re.S
    )
    unescape = html_module.unescape
    return [(unescape(a), unescape(b), unescape(c)) for a, b, c in cells]


_QUOTED = re.compile(r"“.*?”", re.S)


def in_vietnamese(message: str) -> bool:
    """A message in Vietnamese has a Vietnamese letter outside the values it
    quotes (“…”): the English texts are plain ASCII."""
    return any(
        not c.isascii() and c.isalpha()
        for c in unicodedata.normalize("NFC", _QUOTED.sub("", message))
    )


def queued_messages(response) -> list[tuple[int, str]]:
    """The messages the view left for the next page (level, text)."""
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def told_why(response) -> bool:
    """The view queued an error or warning message for the next page."""
    return any(level >= constants.WARNING for level, _ in queued_messages(response))


def location_path(response) -> str:
    return urlsplit(response.get("Location", "")).path


def stays_on_site(response) -> bool:
    """A redirect goes to this site (a path, absolute or relative), never to
    another host or scheme."""
    location = response.get("Location", "")
    parts = urlsplit(location)
    return not parts.netloc and not parts.scheme and not location.startswith("//")


# --- Forms in a page -----------------------------------------------------------------


@dataclass
class HtmlField:
    name: str
    tag: str
    type: str = ""
    value: str | None = ""  # None: a button without a value
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class HtmlForm:
    action: str
    method: str
    enctype: str
    fields: list[HtmlField] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The fields a user fills in (the CSRF token aside)."""
        names = [f.name for f in self.fields if f.name != "csrfmiddlewaretoken"]
        return list(dict.fromkeys(names))

    def initial(self) -> dict:
        """What the browser would send untouched: values, checked boxes,
        selected (or else first) options."""
        data: dict = {}
        for f in self.fields:
            if f.name == "csrfmiddlewaretoken":
                continue
            if f.tag == "select":
                chosen = f.selected or f.options[:1]
                if chosen:
                    data[f.name] = chosen[0]
            elif f.type in ("checkbox", "radio"):
                if f.checked:
                    data[f.name] = f.value or "on"
            elif f.type not in ("submit", "button", "file"):
                data.setdefault(f.name, f.value)
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.form: HtmlForm | None = None
        self.select: HtmlField | None = None
        self.textarea: HtmlField | None = None
        self.option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = HtmlForm(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self.form)
        elif self.form is None or (tag != "option" and "name" not in a):
            return
        elif tag == "input":
            self.form.fields.append(
                HtmlField(
                    a["name"],
                    tag,
                    a.get("type", "text").lower(),
                    a.get("value", ""),
                    checked="checked" in a,
                )
            )
        elif tag == "select":
            self.select = HtmlField(
                a["name"], tag, "select-multiple" * ("multiple" in a)
            )
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.selected.append(a.get("value", ""))
        elif tag == "textarea":
            self.textarea = HtmlField(a["name"], tag, "textarea")
            self.form.fields.append(self.textarea)
        elif tag == "button":
            self.form.fields.append(HtmlField(a["name"], tag, "submit", a.get("value")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_in(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, path: str, page: str) -> HtmlForm | None:
    """The POST form of the page at `page` whose action is `path` (a form
    without an action posts to its page)."""
    for form in forms_in(html):
        action = urlsplit(form.action).path or urlsplit(page).path
        if form.method == "post" and action == path:
            return form
    return None
