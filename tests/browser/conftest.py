"""Browser tests: Debian's Chromium driven by Playwright's sync API.

`playwright install` is blocked here, so the tests launch Debian's build
with the arguments a root user on a closed network needs
(docs/conventions.md, "Browser tests"): its headless shell where installed
(apt-get install chromium-headless-shell: the same engine, the headless
browser Playwright itself runs, about half the CPU per page of the full
browser), else /usr/bin/chromium (apt-get install chromium).
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from demo.users import demo_users_ensure
from readiness.services import seed_case_load
from tests.conftest import need
from tests.kept_states import kept_whole

# Playwright's sync API runs an asyncio event loop in the main thread, and
# Django refuses ORM calls from a thread with a running loop unless told so.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "demo-password"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Mark every test of this folder `browser` (a conftest's pytestmark
    does not reach the test modules)."""
    for item in items:
        if Path(str(item.path)).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = next((p for p in (HEADLESS_SHELL, CHROMIUM) if p.exists()), None)
    need(
        executable is not None,
        "Debian's Chromium is not installed "
        "(apt-get install chromium-headless-shell, or chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Chromium reports a refused inline script or style on the console
# ("Refused to apply inline style because it violates the following Content
# Security Policy directive…"); this listener, added to every document before
# its own scripts run, also names what a securitypolicyviolation event says.
# DevTools adds it, so the page's own policy does not apply to it.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " refused "
      + (event.blockedURI || "inline code") + " at " + event.sourceFile
      + ":" + event.lineNumber
  );
});
"""


def _csp_watched(context) -> list[str]:
    """The CSP violations the browser reports in `context`, as they come."""
    violations: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            url = message.page.url if message.page else "?"
            violations.append(f"{url}: {text}")

    context.add_init_script(_CSP_LISTENER)
    context.on("console", on_console)
    return violations


@contextmanager
def _csp_checked_page(browser, **options):
    """A page of a new context that fails its test, at teardown, if any page
    it showed broke the Content-Security-Policy (config/settings/base.py):
    an inline script or style the policy refused is a feature that does not
    work in production."""
    # Reduced motion, as many phones are set: Bootstrap then scrolls to an
    # anchor at once, where its smooth scroll kept Playwright waiting about
    # a second before each click for the button to stop moving.
    context = browser.new_context(locale="en-US", reduced_motion="reduce", **options)
    context.set_default_timeout(10_000)
    violations = _csp_watched(context)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(
        violations
    )


@pytest.fixture
def page(browser):
    # en-US on purpose: the app must stay Vietnamese whatever the browser asks for.
    with _csp_checked_page(browser, viewport={"width": 1280, "height": 800}) as page:
        yield page


@pytest.fixture
def phone_page(browser):
    with _csp_checked_page(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    ) as page:
        yield page


@pytest.fixture
def demo_world(transactional_db):
    """The Thanh Hóa 2021 case with the README's demo logins."""

    def load():
        seed_case_load()
        return demo_users_ensure(password=DEMO_PASSWORD)

    return kept_whole("the Thanh Hóa case with the demo logins", load)
