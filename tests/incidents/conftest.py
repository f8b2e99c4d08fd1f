"""Fixtures of the incidents tests, on top of the shared world
(tests/conftest.py)."""

import datetime

import pytest

from contacts.models import Election, Organisation
from incidents.models import Shift
from incidents.services.status_reports import reporting_moment_add
from tests.factories import VN

# --- Duty rosters ----------------------------------------------------------------
# The world's election (tests/factories.ElectionFactory): polling day
# 23/05/2021; "before" from 07/02/2021, "after" to 12/06/2021.

POLLING_DAY = datetime.date(2021, 5, 23)
HOUR = datetime.timedelta(hours=1)


def vn(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A moment in Vietnam time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VN)


def on(days_from_polling: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A moment `days_from_polling` days from polling day, Vietnam time."""
    return vn(POLLING_DAY + datetime.timedelta(days=days_from_polling), hour, minute)


@pytest.fixture
def election(world) -> Election:
    return world.directive.election


@pytest.fixture
def make_shift(world, election):
    """A shift saved as is (no service checks), by default the telecom's,
    on polling day 08:00–16:00, with a mobile number."""

    def make(
        organisation: Organisation | None = None,
        starts_at: datetime.datetime | None = None,
        ends_at: datetime.datetime | None = None,
        **fields,
    ) -> Shift:
        values = {
            "election": election,
            "organisation": organisation or world.telecom,
            "person_name": "Lê Văn Trực",
            "phone": "+84912345678",
            "starts_at": starts_at or on(0, 8),
            "ends_at": ends_at or on(0, 16),
            "created_by": world.staff,
        }
        return Shift.objects.create(**(values | fields))

    return make


@pytest.fixture
def full_roster(make_shift):
    """Cover an organisation's election: a shift before, polling day from
    00:00 to 24:00 in three shifts, and a shift after."""

    def cover(organisation: Organisation) -> list[Shift]:
        return [
            make_shift(organisation, on(-10, 8), on(-10, 17)),
            make_shift(organisation, on(0, 0), on(0, 8)),
            make_shift(organisation, on(0, 8), on(0, 16)),
            make_shift(organisation, on(0, 16), on(1, 0)),
            make_shift(organisation, on(2, 8), on(2, 17)),
        ]

    return cover


@pytest.fixture
def schedule(world, election):
    """Carriers' reporting moments, the example of issue 11: polling day at
    10:00, 14:00 and 19:00; 16:00 every day before and after."""
    times = [("during", 10), ("during", 14), ("during", 19)]
    times += [("before", 16), ("after", 16)]
    for period, hour in times:
        reporting_moment_add(
            election=election,
            period=period,
            time_of_day=datetime.time(hour),
            by=world.staff,
        )
