"""Demo duty rosters for `load_demo`, made through the real service (so the
shifts are checked and kept in history like any other).

- VNPT (user telecom) covers the week before polling day, polling day and
  three days after, day and night: T2's roster is covered.
- Viettel (user telecom2) leaves 12:00–14:00 of polling day empty (a red gap)
  and gives a landline for one shift (flagged).
- VNPost (user postal) has polling day only, from 06:00 to 22:00.
- The Department's officer on duty (user staff, linked to the shift so that
  escalations reach them) and VNPT keep shifts from yesterday to three days
  ahead, so that "on duty now" shows someone whenever the demo runs.

Running it again adds nothing already there (shifts_add_many skips
identical shifts); on a later day it adds the new days around that day.
"""

import datetime

from contacts.models import Election, User
from incidents.importers import ShiftDraft, shift_span
from incidents.services.rosters import shifts_add_many

DAY = datetime.timedelta(days=1)
HOURS = datetime.time


def _shift(
    day: datetime.date, hours: tuple[int, int], person: tuple, user: User | None
) -> ShiftDraft:
    starts_at, ends_at = shift_span(day, HOURS(hours[0]), HOURS(hours[1]))
    name, phone, role = person
    return ShiftDraft(
        person_name=name,
        phone=phone,
        role=role,
        location="Trung tâm điều hành, TP Thanh Hóa",
        starts_at=starts_at,
        ends_at=ends_at,
        user=user,
    )


def _rota(
    days: list[datetime.date],
    hours: list[tuple[int, int]],
    people: list[tuple],
    user: User | None = None,
) -> list[ShiftDraft]:
    """Each day's shifts, the people taking turns."""
    slots = [(day, h) for day in days for h in hours]
    return [
        _shift(day, h, people[n % len(people)], user)
        for n, (day, h) in enumerate(slots)
    ]


def _span(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + n * DAY for n in range((last - first).days + 1)]


DAY_AND_NIGHT = [(7, 19), (19, 7)]
VNPT = [
    ("Hoàng Văn Em", "0912 401 201", "Trực điều hành mạng"),
    ("Lê Thị Hoa", "0912 401 202", "Trực kỹ thuật"),
]
VIETTEL = [
    ("Vũ Thị Giang", "0989 302 101", "Trực điều hành"),
    ("Trịnh Văn Khải", "0237 3852 000", "Trực tổng đài"),  # a landline: flagged
]
VNPOST = [("Đặng Văn Hùng", "0915 203 301", "Trực bưu chính")]
DEPARTMENT = ("Nguyễn Văn An", "0913 100 101", "Trực điều hành Sở")


def _election_drafts(election: Election, staff: User) -> dict[str, list[ShiftDraft]]:
    polling = election.polling_day
    week_before = _span(polling - 7 * DAY, polling + 3 * DAY)
    viettel = _rota(_span(polling - 7 * DAY, polling - DAY), DAY_AND_NIGHT, VIETTEL)
    viettel += _rota([polling], [(7, 12), (14, 19), (19, 0)], VIETTEL)
    viettel += _rota(_span(polling + DAY, polling + 3 * DAY), DAY_AND_NIGHT, VIETTEL)
    return {
        "telecom": _rota(week_before, DAY_AND_NIGHT, VNPT),
        "telecom2": viettel,
        "postal": _rota([polling], [(6, 22)], VNPOST),
        "staff": _rota([polling - DAY, polling], [(7, 7)], [DEPARTMENT], staff),
    }


def demo_rosters_ensure(
    *, election: Election, users: dict[str, User], today: datetime.date
) -> int:
    """Add the demo shifts that are missing; returns how many were added."""
    drafts = _election_drafts(election, users["staff"])
    around_today = _span(today - DAY, today + 3 * DAY)
    drafts["staff"] += _rota(around_today, [(7, 7)], [DEPARTMENT], users["staff"])
    drafts["telecom"] += _rota(around_today, DAY_AND_NIGHT, VNPT)
    added = 0
    for username, shifts in drafts.items():
        user = users[username]
        result = shifts_add_many(
            election=election,
            organisation=user.membership.organisation,
            drafts=shifts,
            by=user,
        )
        added += len(result.created)
    return added
