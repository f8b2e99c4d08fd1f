"""Reachability checks ("roll-calls"): before polling day the Department
asks everyone it will need to reach to confirm, by replying to an SMS or
opening a link; those who do not are reminded once, and the unreachable
are listed by district and by carrier so that lists get fixed.

Choices, and the code that relies on them:
- CONTACTS asks every contact with a mobile number of each district's list
  *in force*: the accepted version when there is one (what the Department
  vouched for and the carriers read in the directory), else the district's
  draft (a list not yet accepted is checked too).
- ON_DUTY asks everyone in a duty roster whose shift has not ended yet and
  whose number is a mobile (`Shift.phone_is_mobile`).
- One entry per phone number in a roll-call: a person listed in several
  bodies, or on several shifts, gets one message and confirms once. The
  entry keeps the first listing's name and places (by district, then list
  order; for shifts, the earliest).
- Only one roll-call of an audience at a time: a new one is refused while
  another of the same audience is still waiting for its reminder (people
  would get two asks with different codes). After the reminder has gone,
  staff may start a fresh one once districts have fixed their lists.
- Confirmations are taken for any roll-call of an election that is not
  closed, also after the reminder; a reply matches the latest roll-call
  with that phone and code (`roll_call_confirm_reply`).
- No roll-call starts on or after polling day: it is a check made ahead.

Messages go through the outbox (kind "roll-call", no recipient account,
the phone as address) with keys `roll-call:<id>:<entry id>` and
`roll-call:<id>:<entry id>:reminder`. The texts are rendered once per
occasion (templates/notifications/roll-call-*) and the code and link put
in per entry, so 20,000 contacts cost a fixed number of queries plus
batched INSERTs.
"""

import datetime
import logging
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel, Contact, Election, OutboundMessage, User
from contacts.permissions import may_change_anything, membership_of
from contacts.phones import InvalidPhone, PhoneType, normalise_phone, phone_type
from contacts.services.closure import ElectionClosed, election_ensure_open
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    relevance_check,
)
from incidents.models import RollCall, RollCallAudience, RollCallEntry, Shift

logger = logging.getLogger(__name__)

DEFAULT_REMIND_AFTER = datetime.timedelta(hours=6)
# People prepared (entries and SMS written) at a time: memory holds one batch.
PREPARE_BATCH = 5000
MESSAGE_KIND = "roll-call"
REMINDER_TOPIC = "roll-call-reminder"
VIA_LINK, VIA_REPLY = "link", "reply"

NOT_BEFORE_POLLING_DAY = _(
    "A reachability check can only be started before polling day."
)
ALREADY_RUNNING = _(
    "A reachability check of the same people is already running: wait for "
    "its reminder to go out before starting another."
)
NOBODY_TO_ASK = _("There is nobody with a mobile number to ask.")
NOT_DEPARTMENT_EDITOR = _("Only Department editors start a reachability check.")

# Stand-ins replaced per entry: the templates are rendered once per occasion.
CODE, LINK = "\x00code\x00", "\x00link\x00"

# "OK 1234", "ok1234", " Ok  1234. ": spaces (and a stray ":" "-" or final
# full stop) tolerated, case ignored.
_REPLY = re.compile(r"ok[:.\-]?([0-9]{3,10})[.!]?", re.IGNORECASE)


@dataclass(frozen=True)
class _Person:
    full_name: str
    phone: str
    organisation_id: int | None
    district_id: int | None = None
    contact_id: int | None = None
    shift_id: int | None = None


# --- Starting ---------------------------------------------------------------------


@transaction.atomic
def roll_call_start(
    *,
    election: Election,
    audience: str,
    by: User,
    now: datetime.datetime | None = None,
    remind_after: datetime.timedelta = DEFAULT_REMIND_AFTER,
) -> RollCall:
    """Start asking every person of `audience` to confirm they can be
    reached; the people and their messages are prepared by a worker
    (roll_calls_prepare_pending), since a country's 400,000 contacts take
    minutes, not a web request's seconds.

    1. Refuse: someone other than a Department editor, a closed election,
       on or after polling day, another roll-call of the audience waiting
       for its reminder, or nobody to ask.
    2. Write the roll-call, not yet prepared, and nudge a worker once the
       transaction commits (beat also sweeps every minute, in case the
       broker was down).
    """
    now = now or timezone.now()
    if not may_change_anything(membership_of(by)):
        raise PermissionDenied(NOT_DEPARTMENT_EDITOR)
    election_ensure_open(election)
    _check_may_start(election, audience, now)
    if next(_people(election, audience, now), None) is None:
        raise ValidationError(NOBODY_TO_ASK)
    roll_call = RollCall.objects.create(
        election=election,
        audience=audience,
        started_at=now,
        started_by=by,
        remind_at=now + remind_after,
    )
    transaction.on_commit(_nudge_preparation)
    return roll_call


def _nudge_preparation() -> None:
    from incidents.tasks import prepare_roll_calls

    try:
        prepare_roll_calls.delay()
    except Exception as exc:  # noqa: BLE001 (kombu raises many kinds)
        logger.warning("Broker unreachable, the beat sweep will prepare: %s", exc)


def roll_calls_prepare_pending(*, now: datetime.datetime | None = None) -> int:
    """Prepare every roll-call not yet prepared; returns how many people
    were asked. Each is prepared in one transaction that holds its row
    locked, so two workers never prepare the same one, and a worker that
    dies leaves it for the next sweep."""
    pending = RollCall.objects.filter(
        prepared_at__isnull=True, election__closed_at__isnull=True
    ).order_by("pk")
    return sum(_prepare(pk, now) for pk in list(pending.values_list("pk", flat=True)))


@transaction.atomic
def _prepare(roll_call_id: int, now: datetime.datetime | None) -> int:
    """1. One entry per phone (module docstring), with a random token (the
       link) and a reply code unique in the roll-call.
    2. One SMS per entry through the outbox.
    Done in batches, so memory holds one batch and the phones seen."""
    roll_call = (
        RollCall.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("election")
        .filter(pk=roll_call_id, prepared_at__isnull=True)
        .first()
    )
    if roll_call is None:
        return 0  # prepared meanwhile, or being prepared by another worker
    people = _people(roll_call.election, roll_call.audience, roll_call.started_at)
    codes = iter(_reply_codes(_candidates(roll_call)))
    asked = 0
    for batch in _batches(people, PREPARE_BATCH):
        entries = RollCallEntry.objects.bulk_create(
            _entries(roll_call, batch, codes), batch_size=1000
        )
        _enqueue(roll_call, entries, now or timezone.now(), reminder=False)
        asked += len(entries)
    roll_call.prepared_at = now or timezone.now()
    roll_call.save(update_fields=["prepared_at"])
    return asked


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_may_start(election: Election, audience: str, now: datetime.datetime):
    if timezone.localdate(now) >= election.polling_day:
        raise ValidationError(NOT_BEFORE_POLLING_DAY)
    # Two editors (or a double click) starting at once: the second waits
    # here until the first commits, then sees its roll-call running.
    Election.objects.select_for_update().filter(pk=election.pk).first()
    if RollCall.objects.filter(
        election=election, audience=audience, reminded_at__isnull=True
    ).exists():
        raise ValidationError(ALREADY_RUNNING)


def _people(
    election: Election, audience: str, now: datetime.datetime
) -> Iterator[_Person]:
    """The people to ask, one per phone (the first listing), as found."""
    found = (
        _contacts(election)
        if audience == RollCallAudience.CONTACTS
        else _on_duty(election, now)
    )
    seen: set[str] = set()
    for person in found:
        if person.phone not in seen:
            seen.add(person.phone)
            yield person


def _candidates(roll_call: RollCall) -> int:
    """At least as many as the people to ask (rows before the mobile and
    duplicate checks): how many reply codes to draw."""
    if roll_call.audience == RollCallAudience.CONTACTS:
        return _contact_rows(roll_call.election).count()
    return _shift_rows(roll_call.election, roll_call.started_at).count()


def _first_mobile(phones: str) -> str | None:
    """The first mobile of a contact's E.164 numbers (phone_type is cached:
    a province's 20,000 contacts take a fraction of a second)."""
    for phone in phones.split():
        if phone_type(phone) == PhoneType.MOBILE:
            return phone
    return None


def _contact_rows(election: Election):
    """Contacts with a phone of each list in force (module docstring)."""
    in_force = Q(
        body__contact_list__accepted_version__isnull=False,
        body__version=F("body__contact_list__accepted_version"),
    ) | Q(
        body__contact_list__accepted_version__isnull=True,
        body__version__isnull=True,
    )
    return Contact.objects.filter(
        in_force, body__contact_list__election=election
    ).exclude(phones="")


def _contacts(election: Election) -> Iterator[_Person]:
    """Those with a mobile number, by district and list order (one query,
    read in chunks)."""
    rows = (
        _contact_rows(election)
        .order_by("body__contact_list__organisation__unit__code", "body_id", "pk")
        .values_list(
            "pk",
            "full_name",
            "phones",
            "body__contact_list__organisation_id",
            "body__contact_list__organisation__unit_id",
        )
    )
    for pk, name, phones, organisation_id, district_id in rows.iterator(2000):
        if phone := _first_mobile(phones):
            yield _Person(name, phone, organisation_id, district_id, contact_id=pk)


def _shift_rows(election: Election, now: datetime.datetime):
    return Shift.objects.filter(
        election=election, phone_is_mobile=True, ends_at__gt=now
    )


def _on_duty(election: Election, now: datetime.datetime) -> Iterator[_Person]:
    rows = (
        _shift_rows(election, now)
        .order_by("starts_at", "pk")
        .values_list("pk", "person_name", "phone", "organisation_id")
    )
    for pk, name, phone, organisation_id in rows.iterator(2000):
        yield _Person(name, phone, organisation_id, shift_id=pk)


def _reply_codes(count: int) -> list[str]:
    """`count` distinct random codes, with enough digits that a typo rarely
    gives another person's code (at least 4; 6 for 20,000 people)."""
    digits = max(4, len(str(count * 10)))
    low = 10 ** (digits - 1)
    numbers = secrets.SystemRandom().sample(range(low, 10 * low), count)
    return [str(n) for n in numbers]


def _entries(
    roll_call: RollCall, people: list[_Person], codes: Iterator[str]
) -> list[RollCallEntry]:
    return [
        RollCallEntry(
            roll_call=roll_call,
            token=secrets.token_urlsafe(16),
            reply_code=next(codes),
            full_name=person.full_name[:200],
            phone=person.phone,
            organisation_id=person.organisation_id,
            district_id=person.district_id,
            contact_id=person.contact_id,
            shift_id=person.shift_id,
        )
        for person in people
    ]


# --- Messages ---------------------------------------------------------------------


def confirm_link(token: str) -> str:
    """The absolute link of an entry's confirm page (SITE_URL: where links
    in messages point)."""
    return settings.SITE_URL + reverse("roll_call_link:confirm", args=[token])


def _link_prefix() -> str:
    """confirm_link without the token, reversed once for a whole batch
    (reversing 20,000 times took seconds)."""
    stand_in = "TOKEN"
    return confirm_link(stand_in).removesuffix(stand_in)


def _texts(roll_call: RollCall, reminder: bool) -> tuple[str, str]:
    """Subject and text with stand-ins for the code and the link, in the
    site's language: contacts have no account, hence no language."""
    ctx = {
        "election": roll_call.election,
        "reminder": reminder,
        "code": CODE,
        "link": LINK,
        "language": settings.LANGUAGE_CODE,
    }
    subject, body, _html = notification_render(
        name="roll-call", ctx=ctx, language=settings.LANGUAGE_CODE
    )
    return subject, body.strip()


def _enqueue(
    roll_call: RollCall,
    entries: list[RollCallEntry],
    now: datetime.datetime,
    *,
    reminder: bool,
) -> int:
    subject, body = _texts(roll_call, reminder)
    suffix = ":reminder" if reminder else ""
    prefix = _link_prefix()
    messages = [
        OutboundMessage(
            dedupe_key=f"roll-call:{roll_call.pk}:{entry.pk}{suffix}",
            kind=MESSAGE_KIND,
            recipient=None,
            organisation_id=entry.organisation_id,
            channel=Channel.SMS,
            address=entry.phone,
            language=settings.LANGUAGE_CODE,
            subject=subject,
            body=body.replace(CODE, entry.reply_code).replace(
                LINK, prefix + entry.token
            ),
            link=prefix + entry.token,
            topic=f"{REMINDER_TOPIC}:{entry.pk}" if reminder else "",
            next_attempt_at=now,
        )
        for entry in entries
    ]
    return outbox_enqueue(messages=messages)


@relevance_check(REMINDER_TOPIC)
def reminders_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """A reminder not yet sent is dropped when its person has confirmed
    meanwhile (checked just before sending, one query per batch)."""
    ids = {m.pk: int(m.topic.split(":")[1]) for m in messages}
    waiting = set(
        RollCallEntry.objects.filter(
            pk__in=set(ids.values()), confirmed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return {
        pk: "confirmed before the reminder was sent"
        for pk, entry_id in ids.items()
        if entry_id not in waiting
    }


# --- Reminding --------------------------------------------------------------------


def roll_calls_remind_due(*, now: datetime.datetime | None = None) -> int:
    """One reminder to each unconfirmed person of every roll-call whose
    reminder time has come; returns how many messages were written. Each
    roll-call is claimed by a conditional UPDATE of `reminded_at`, so it is
    reminded once however often (or however concurrently) this runs.
    Roll-calls of a closed election are left alone."""
    now = now or timezone.now()
    due = RollCall.objects.filter(
        prepared_at__isnull=False,
        remind_at__lte=now,
        reminded_at__isnull=True,
        election__closed_at__isnull=True,
    ).values_list("pk", flat=True)
    return sum(_remind(pk, now) for pk in list(due))


@transaction.atomic
def _remind(roll_call_id: int, now: datetime.datetime) -> int:
    roll_call = RollCall.objects.select_related("election").get(pk=roll_call_id)
    try:
        election_ensure_open(roll_call.election)
    except ElectionClosed:
        return 0  # closed since the scan: its data is read-only now
    claimed = RollCall.objects.filter(pk=roll_call_id, reminded_at__isnull=True).update(
        reminded_at=now
    )
    if not claimed:
        return 0
    unconfirmed = RollCallEntry.objects.filter(
        roll_call_id=roll_call_id, confirmed_at__isnull=True
    )
    entries = (
        unconfirmed.order_by("pk")
        .only("pk", "token", "reply_code", "phone", "organisation_id")
        .iterator(PREPARE_BATCH)
    )
    sent = sum(
        _enqueue(roll_call, batch, now, reminder=True)
        for batch in _batches(entries, PREPARE_BATCH)
    )
    unconfirmed.update(reminded_at=now)
    return sent


# --- Confirming -------------------------------------------------------------------


def _open_entries():
    return RollCallEntry.objects.filter(
        roll_call__election__closed_at__isnull=True
    ).select_related("roll_call__election")


def roll_call_entry_for_token(token: str) -> RollCallEntry | None:
    """The entry a link names, if its election is still open (the public
    confirm page reads it without changing it)."""
    if not token or len(token) > 64:
        return None
    return _open_entries().filter(token=token).first()


@transaction.atomic
def roll_call_confirm_link(
    *, token: str, now: datetime.datetime | None = None
) -> RollCallEntry | None:
    """Confirm the entry of a link; None for an unknown token. A second
    confirmation changes nothing (the first time is kept)."""
    entry = roll_call_entry_for_token(token)
    if entry is None:
        return None
    return _confirm(entry, VIA_LINK, now or timezone.now())


def _confirm(entry: RollCallEntry, via: str, now: datetime.datetime) -> RollCallEntry:
    election_ensure_open(entry.roll_call.election_id)
    # Conditional: two confirmations at once keep the first.
    if RollCallEntry.objects.filter(pk=entry.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_via=via
    ):
        entry.confirmed_at, entry.confirmed_via = now, via
    else:
        entry.refresh_from_db(fields=["confirmed_at", "confirmed_via"])
    return entry


class ReplyOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_UNDERSTOOD = "not_understood"  # not "OK <code>"
    UNKNOWN = "unknown"  # no roll-call asked this phone with this code


@dataclass(frozen=True)
class ReplyResult:
    outcome: ReplyOutcome
    entry: RollCallEntry | None = None


def reply_code_of(text: str) -> str | None:
    """The code of a reply "OK 1234" (case and spaces ignored), or None."""
    squeezed = "".join(str(text).split())
    match = _REPLY.fullmatch(squeezed)
    return match[1] if match else None


@transaction.atomic
def roll_call_confirm_reply(
    *, phone: str, text: str, now: datetime.datetime | None = None
) -> ReplyResult:
    """An SMS received from `phone` (as a gateway's incoming webhook gives
    it): "OK <code>" confirms the latest open roll-call's entry with that
    phone and code. Anything else changes nothing and says why."""
    code = reply_code_of(text)
    if code is None:
        return ReplyResult(ReplyOutcome.NOT_UNDERSTOOD)
    try:
        e164 = normalise_phone(phone)
    except InvalidPhone:
        return ReplyResult(ReplyOutcome.UNKNOWN)
    entry = (
        _open_entries()
        .filter(phone=e164, reply_code=code)
        .order_by("-roll_call__started_at", "-pk")
        .first()
    )
    if entry is None:
        return ReplyResult(ReplyOutcome.UNKNOWN)
    if entry.confirmed_at is not None:
        return ReplyResult(ReplyOutcome.ALREADY_CONFIRMED, entry)
    entry = _confirm(entry, VIA_REPLY, now or timezone.now())
    return ReplyResult(ReplyOutcome.CONFIRMED, entry)
