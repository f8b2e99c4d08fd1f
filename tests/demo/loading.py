"""The seed case and the demo as the demo tests load them: each made once
per worker for a given database, day and clock, and put back for the next
test that loads it the same way (tests/kept_states.py). A second run of
load_demo in a test, the one that shows it changes nothing, runs for real."""

import os

from django.conf import settings
from django.core.management import call_command

from readiness.services import seed_case_load
from tests.kept_states import kept_change


def seed_loaded() -> None:
    kept_change("load_seed", seed_case_load)


def demo_loaded(**options) -> None:
    """`call_command("load_demo", **options)`."""
    # What else the command reads: the password of the demo logins, DEBUG.
    key = (
        f"load_demo {sorted(options.items())} "
        f"DEMO_PASSWORD={os.environ.get('DEMO_PASSWORD')!r} DEBUG={settings.DEBUG}"
    )
    kept_change(key, lambda: call_command("load_demo", **options))
