"""The Content-Security-Policy: every page allows only our own files, and no
served template brings back an inline script, style or event handler the
policy would refuse (the browser journeys, tests/browser/conftest.py, fail
on any violation the browser reports)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mail bodies are read by mail clients, not served under the policy, and
# most mail clients ignore <style> and stylesheet links.
EMAIL_BODIES = "notifications/*-body.html"

POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# What a template must not write, with why the policy refuses it.
INLINE_CODE = {
    "a <style> element": re.compile(r"<style\b", re.I),
    "a style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <script> without src": re.compile(r"<script\b(?![^>]*\ssrc\s*=)[^>]*>", re.I),
    "an on*= event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    # htmx compiles these with eval, which the policy refuses too.
    "an hx-on handler": re.compile(r"\shx-on", re.I),
    "a js: value for htmx": re.compile(r"hx-(?:vals|vars)\s*=\s*['\"]\s*js:", re.I),
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(maxsplit=1) for part in header.split(";"))
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts if part}


def served_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not path.relative_to(TEMPLATES).match(EMAIL_BODIES)
    )


def test_an_anonymous_page_carries_the_policy(client, db):
    r = client.get(reverse("login"))

    assert r.status_code == 200
    assert directives(r["Content-Security-Policy"]) == POLICY


def test_a_signed_in_page_carries_the_policy(client, world):
    client.force_login(world.staff)

    r = client.get(reverse("home"))

    assert r.status_code == 200
    assert directives(r["Content-Security-Policy"]) == POLICY


def test_the_policy_allows_no_inline_code_and_no_eval(client, db):
    header = client.get(reverse("login"))["Content-Security-Policy"]

    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert "'unsafe-hashes'" not in header


def test_the_guard_sees_every_served_template():
    names = {str(p.relative_to(TEMPLATES)) for p in served_templates()}

    assert "base.html" in names
    assert "readiness/report.html" in names
    assert "notifications/reminder-body.html" not in names


@pytest.mark.parametrize(
    "path", served_templates(), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_served_template_has_inline_code(path):
    text = path.read_text(encoding="utf-8")

    found = [
        f"{what} on line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in INLINE_CODE.items()
        for match in pattern.finditer(text)
    ]

    assert found == [], (
        "The Content-Security-Policy refuses inline code: move styles to "
        "static/<app>/*.css and behaviours to static/<app>/*.js "
        "(see static/js/app.js)"
    )


@pytest.mark.parametrize(
    "snippet",
    [
        "<style>p { color: red }</style>",
        '<p style="color: red">',
        "<script>alert(1)</script>",
        '<script type="module">import "x";</script>',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
    ],
)
def test_the_guard_catches_inline_code(snippet):
    assert any(pattern.search(snippet) for pattern in INLINE_CODE.values())


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/app.js"></script>',
        '<form data-confirm="Remove?">',
        '<div data-width-percent="40">',
        '<a href="/one/">only one</a>',
    ],
)
def test_the_guard_lets_our_own_files_and_data_attributes_through(snippet):
    assert not any(pattern.search(snippet) for pattern in INLINE_CODE.values())
