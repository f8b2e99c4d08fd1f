"""The reachability checks of the authorization matrix's world
(tests/test_authorization_matrix.py, also the fuzz tests'): a roll-call of
the contacts and one of the people on duty, started through the service,
each person renamed with a marker that only the Department's members and
the person's own organisation may read (observers read the totals only,
and a district never another district's people)."""

import datetime
from typing import Any

from contacts.models import Contact
from incidents.models import RollCall, RollCallAudience, RollCallEntry, Shift
from incidents.services.roll_calls import roll_call_start, roll_calls_prepare_pending
from tests.factories import VN
from tests.incidents.conftest import on

DEPARTMENT_MEMBERS = frozenset({"staff", "staff_viewer"})


def roll_call_started(*, now: datetime.datetime, **start) -> RollCall:
    """roll_call_start, then what the worker does (prepare it)."""
    roll_call = roll_call_start(now=now, **start)
    roll_calls_prepare_pending(now=now)
    roll_call.refresh_from_db()
    return roll_call


def _distinct_phones(election) -> None:
    """The world gives every shift, and both districts' lists, the same
    numbers; a roll-call asks each number once, so each gets its own."""
    contacts = Contact.objects.filter(body__contact_list__election=election)
    for n, pk in enumerate(contacts.order_by("pk").values_list("pk", flat=True)):
        Contact.objects.filter(pk=pk).update(phones=f"+8491300{n:04d}")
    shifts = Shift.objects.filter(election=election)
    for n, pk in enumerate(shifts.order_by("pk").values_list("pk", flat=True)):
        Shift.objects.filter(pk=pk).update(phone=f"+8498700{n:04d}")


def roll_calls_make(m) -> None:
    from tests.test_authorization_matrix import Target, members_of

    election = m.world.directive.election
    _distinct_phones(election)
    keys = {org.pk: key for key, org in m.orgs.items()}
    for audience, kind in (
        (RollCallAudience.CONTACTS, "contacts_roll_call"),
        (RollCallAudience.ON_DUTY, "on_duty_roll_call"),
    ):
        roll_call = roll_call_started(
            election=election, audience=audience, by=m.users["staff"], now=on(-3, 9)
        )
        entries = RollCallEntry.objects.filter(roll_call=roll_call)
        for organisation_id in set(entries.values_list("organisation_id", flat=True)):
            owner = keys[organisation_id]
            readers = DEPARTMENT_MEMBERS | members_of(owner)
            name = m.marker("roll_call_person", owner, readers)
            entries.filter(organisation_id=organisation_id).update(
                full_name=f"Người {name}"
            )
        m.add(kind, Target(None, roll_call.pk))
        entry = entries.order_by("pk").first()
        assert entry is not None
        m.add("roll_call_link", Target(None, entry.token))


def roll_calls_for_pages() -> dict:
    """The roll-calls tests/pages.py opens: the latest of each audience,
    started by the Department's demo login four days before polling day
    where there is none (their reminders are then due on the day the query
    counts are taken, so the reminder task has work too)."""
    from contacts.models import Election, User

    found: dict[str, Any] = {}
    for audience in (RollCallAudience.CONTACTS, RollCallAudience.ON_DUTY):
        roll_call = RollCall.objects.filter(audience=audience).order_by("-pk").first()
        if roll_call is None:
            election = Election.objects.order_by("-polling_day").first()
            assert election is not None
            start = datetime.datetime.combine(
                election.polling_day - datetime.timedelta(days=4),
                datetime.time(9),
                tzinfo=VN,
            )
            roll_call = roll_call_started(
                election=election,
                audience=audience,
                by=User.objects.get(username="staff"),
                now=start,
            )
        found[f"{audience}_roll_call"] = roll_call
    entries = RollCallEntry.objects.filter(roll_call=found["contacts_roll_call"])
    first = entries.order_by("pk").first()
    assert first is not None
    found["roll_call_token"] = first.token
    return found
