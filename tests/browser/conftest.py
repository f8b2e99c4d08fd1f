"""Browser tests: Debian's chromium driven by Playwright's sync API.

`playwright install` is blocked here, so the tests launch /usr/bin/chromium
(apt-get install chromium) with the arguments a root user on a closed
network needs (shared PITFALLS, "Browser tests").
"""

import os
from pathlib import Path

import pytest

from contacts.services import demo_users_ensure
from readiness.services import seed_case_load
from tests.conftest import need

# Playwright's sync API runs an asyncio event loop in the main thread, and
# Django refuses ORM calls from a thread with a running loop unless told so.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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
    need(
        CHROMIUM.exists(),
        "Debian's chromium is not installed (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # en-US on purpose: the app must stay Vietnamese whatever the browser asks for.
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_world(transactional_db):
    """The Thanh Hóa 2021 case with the README's demo logins."""
    seed_case_load()
    return demo_users_ensure(password=DEMO_PASSWORD)
