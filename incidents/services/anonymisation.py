"""Anonymising the people of an election's duty rosters and roll-calls.

The incidents side of contacts.services.anonymisation (see its docstring
for when it is allowed and what is kept): the person on duty's name and
phone in every shift and its history rows, the name and phone copied into
each roll-call entry, and the SMS sent to people without an account (the
roll-calls' messages: their address and text). Rows stay, so the rosters'
coverage, the roll-calls' confirmed counts and the delivery log's counts
are unchanged. readiness.services.anonymisation runs it with the contacts
side in one transaction.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from contacts.models import Election, OutboundMessage
from contacts.services.anonymisation import (
    PHONE_PLACEHOLDER,
    anonymisation_ensure_allowed,
)
from incidents.models import RollCall, RollCallEntry, Shift

# What replaces a name: a neutral word and the row's id (a shift's history
# rows carry the shift's id, so they read the same).
SHIFT_NAME_PREFIX = "Người trực #"
ROLL_CALL_NAME_PREFIX = "Người được hỏi #"


@dataclass
class IncidentsAnonymised:
    """How many rows were changed, per kind."""

    shifts: int = 0
    shift_history: int = 0
    roll_call_entries: int = 0
    messages: int = 0


def _numbered(prefix: str, column: str) -> Concat:
    return Concat(
        Value(prefix), Cast(column, output_field=CharField()), output_field=CharField()
    )


def _messages_to_people_without_account(election: Election) -> QuerySet:
    """The roll-calls' SMS to the election bodies' contacts and the people
    on duty: no recipient account, keys `roll-call:<roll-call id>:…`
    (incidents.services.roll_calls), so another election's messages to the
    same number are left alone."""
    keys = Q()
    for pk in RollCall.objects.filter(election=election).values_list("pk", flat=True):
        keys |= Q(dedupe_key__startswith=f"roll-call:{pk}:")
    if not keys:
        return OutboundMessage.objects.none()
    return OutboundMessage.objects.filter(keys, recipient=None)


@transaction.atomic
def election_anonymise_incidents(
    *, election: Election, now: datetime.datetime | None = None
) -> IncidentsAnonymised:
    """Replace the names and phones of the election's shifts (and their
    history), roll-call entries and messages to people without an account.

    Refused, as the contacts side, before close-out plus the retention
    period; running it again changes nothing more (it does not look at
    Election.anonymised_at, which the contacts side sets).
    """
    anonymisation_ensure_allowed(
        election=election, now=now or timezone.now(), again=True
    )
    shifts = Shift.objects.filter(election=election)
    entries = RollCallEntry.objects.filter(roll_call__election=election)
    return IncidentsAnonymised(
        messages=_messages_to_people_without_account(election).update(
            address=PHONE_PLACEHOLDER, body="", body_html=""
        ),
        shifts=shifts.update(
            person_name=_numbered(SHIFT_NAME_PREFIX, "pk"), phone=PHONE_PLACEHOLDER
        ),
        shift_history=Shift.history.filter(election_id=election.pk).update(
            person_name=_numbered(SHIFT_NAME_PREFIX, "id"), phone=PHONE_PLACEHOLDER
        ),
        roll_call_entries=entries.update(
            full_name=_numbered(ROLL_CALL_NAME_PREFIX, "pk"), phone=PHONE_PLACEHOLDER
        ),
    )
