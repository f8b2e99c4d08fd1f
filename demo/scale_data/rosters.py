"""Duty rosters (T2): the Department's, covered, and the carriers' in
every state."""

import datetime
import random

from contacts.models import Organisation
from demo.contacts import mobile_phone, person_name
from demo.scale_data.bulk import insert
from demo.scale_data.world import (
    DAY,
    World,
    at_hour,
    between,
    e164,
    spread,
)
from incidents.models import Shift

ROSTER_STATES = {"covered": 60, "polling_day_gap": 15, "daytime_only": 10, "none": 15}
DAY_AND_NIGHT = [(7, 19), (19, 31)]  # hours from midnight; 31 = 07:00 next day
GAP_AT_NOON = [(7, 12), (14, 19), (19, 31)]
DUTIES = ["Trực điều hành mạng", "Trực kỹ thuật", "Trực ứng cứu thông tin"]


def rosters_generate(world: World, carriers: list[Organisation]) -> None:
    """The Department's roster, covered, and the carriers' in every state:
    covered (the week before, polling day and three days after, day and
    night), a gap at noon on polling day, polling-day daytime only, none."""
    rng = world.rng("rosters")
    orgs = [world.department, *carriers]
    states = ["covered", *spread(rng, ROSTER_STATES, len(carriers))]
    shifts = []
    for org, state in zip(orgs, states, strict=True):
        shifts += _roster(world, rng, org, state)
    insert(shifts)
    for shift in shifts:
        world.audit.add(shift, shift.created_at, user_id=shift.created_by_id)
    world.counts.shifts = len(shifts)


def _slots(polling: datetime.date, state: str) -> list[tuple[datetime.date, tuple]]:
    if state == "none":
        return []
    if state == "daytime_only":
        return [(polling, (6, 22))]
    days = [polling + n * DAY for n in range(-7, 4)]
    return [
        (day, hours)
        for day in days
        for hours in (
            GAP_AT_NOON
            if day == polling and state == "polling_day_gap"
            else DAY_AND_NIGHT
        )
    ]


def _roster(world, rng, org: Organisation, state: str) -> list[Shift]:
    officer = world.officers[org.pk]
    people = [(officer.full_name, officer.phone, True, officer)]
    for _n in range(rng.randint(1, 2)):
        landline = rng.random() < 0.1
        phone = _landline(rng) if landline else e164(mobile_phone(rng))
        people.append((person_name(rng), phone, not landline, None))
    filed = at_hour(world.election.polling_day, 9) - between(rng, 10 * DAY, 20 * DAY)
    shifts = []
    for n, (day, (start, end)) in enumerate(_slots(world.election.polling_day, state)):
        name, phone, mobile, user = people[n % len(people)]
        shifts.append(
            Shift(
                election=world.election,
                organisation=org,
                person_name=name,
                role=DUTIES[n % len(DUTIES)],
                phone=phone,
                phone_is_mobile=mobile,
                location=f"Trung tâm điều hành {org.name}"[:200],
                starts_at=at_hour(day, start),
                ends_at=at_hour(day, end),
                user=user,
                created_by=officer,
                created_at=filed,
            )
        )
    return shifts


def _landline(rng: random.Random) -> str:
    """A Thanh Hóa landline (0237 + seven digits): valid, not a mobile."""
    return f"+84237{rng.randrange(2_000_000, 9_999_999)}"
