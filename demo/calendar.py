"""The demo in today's calendar (README "Demo phases").

load_seed keeps the real dates of the Thanh Hóa 2021 case; on a demo
database load_demo then moves every date of the election's cycle by whole
days, so that polling day lies where the phase puts it relative to today.
A later run moves everything again by the difference (what a person did in
the demo moves with it, so nothing is lost), and a run in another phase
moves the calendar to that phase.

Only the demo calls this: production data is never moved.
"""

import datetime
from collections.abc import Iterable

from django.apps import apps
from django.db import models, transaction
from django.db.models import F

from contacts.models import Election, OutboundMessage
from demo.models import DemoCalendar, DemoPhase
from readiness.models import Directive
from readiness.nd30 import PartialDate
from readiness.partial_dates import moved
from readiness.services.reminders import reminder_key_due_moved

DAY = datetime.timedelta(days=1)

# Days from today to polling day in each phase.
# - before: three weeks and two days ahead, so with the directive's E−n
#   deadlines D1 (E−20) is due in three days, T2 (E−10) in a fortnight,
#   P1/T1/T3 (E−30) overdue a week and D2 (E−45) three weeks, with
#   extensions for the districts still at work on their list
#   (demo.state).
# - polling-day: today.
# - after: the day after the results period ended (E+20), the first day
#   the close-out is allowed (readiness.services.closeout).
POLLING_DAY_FROM_TODAY = {
    DemoPhase.BEFORE: 23,
    DemoPhase.POLLING_DAY: 0,
    DemoPhase.AFTER: -21,
}

# Every date and moment of an election's cycle, by model: moved together.
# tests/demo/test_calendar.py checks that each date field of contacts,
# incidents and readiness is either here or in NOT_MOVED.
MOVED: dict[str, tuple[str, ...]] = {
    "contacts.Election": ("polling_day", "before_starts_on", "after_ends_on")
    + ("closed_at", "anonymised_at"),
    "contacts.ElectionMilestone": ("date",),
    "contacts.ApiToken": ("created_at", "last_used_at", "revoked_at"),
    "contacts.ContactList": ("draft_changed_at",),
    "contacts.ContactListVersion": ("submitted_at", "reviewed_at", "claimed_at"),
    "contacts.ContactImport": ("uploaded_at", "applied_at"),
    "contacts.OutboundMessage": ("topic_due_at", "created_at", "next_attempt_at")
    + ("claimed_at", "sent_at", "read_at"),
    "contacts.PhoneAccess": ("at",),
    # Invitations and the membership history: what people did in the demo
    # (demo.users.demo_invitations_ensure), so a link sent yesterday stays
    # open and one that expired stays expired on a later run.
    "contacts.Invitation": ("created_at", "expires_at", "accepted_at", "ended_at"),
    "contacts.Membership": ("deactivated_at",),
    "contacts.MembershipEvent": ("at",),
    "incidents.Incident": ("started_at", "detected_at", "ack_due_at")
    + ("leadership_due_at", "acknowledged_at", "resolved_at", "closed_at")
    + ("answered_at", "created_at", "updated_at"),
    "incidents.IncidentUpdate": ("created_at",),
    "incidents.Shift": ("starts_at", "ends_at", "created_at"),
    "incidents.RollCall": ("started_at", "prepared_at", "remind_at", "reminded_at"),
    "incidents.RollCallEntry": ("confirmed_at", "reminded_at"),
    "incidents.StatusReport": ("due_at", "filed_at"),
    "readiness.SituationReport": ("as_of", "made_at"),
    "readiness.CycleArchive": ("made_at",),
    "readiness.Deadline": ("due_at",),
    "readiness.ReadinessPlan": ("created_at",),
    "readiness.PlanSection": ("updated_at",),
    "readiness.PlanAttachment": ("uploaded_at", "removed_at"),
    "readiness.PlanVersion": ("submitted_at",),
    "readiness.SectionReview": ("reviewed_at", "claimed_at"),
    "readiness.PlanEvent": ("at",),
}
# Not part of the election's calendar: accounts and the worker's heartbeat
# keep real time. The audit trail's history_date is moved with its row's
# fields (below), except the first time (see calendar_move).
NOT_MOVED = {
    "contacts.User": ("last_login", "date_joined"),
    "contacts.Heartbeat": ("last_seen_at",),
    # Sessions live in real time, as last_login does.
    "contacts.SignedInSession": ("signed_in_at",),
    # An issued document keeps the date printed in its frozen files.
    "readiness.OfficialDocument": ("issued_on", "figures_at", "created_at")
    + ("updated_at", "issued_at"),
}


def _history_model(label: str) -> type[models.Model] | None:
    app_label, name = label.split(".")
    try:
        return apps.get_model(app_label, f"Historical{name}")
    except LookupError:
        return None


def _unique_on_dates(model: type[models.Model], fields: Iterable[str]) -> bool:
    moved = set(fields)
    return any(
        moved & set(getattr(c, "fields", ()) or ()) for c in model._meta.constraints
    )


def _move(model: type[models.Model], fields: tuple[str, ...], days: int) -> None:
    """Add `days` to each field, NULLs staying NULL. A unique constraint
    over a date is checked row by row on SQLite and PostgreSQL alike, so a
    row could land on one not yet moved: such tables go far out of range
    first, then back."""
    steps = [days]
    if _unique_on_dates(model, fields):
        steps = [days + FAR, -FAR]
    dates = [f for f in fields if not _is_datetime(model, f)]
    moments = [f for f in fields if _is_datetime(model, f)]
    for step in steps:
        if moments:
            model._default_manager.update(
                **{f: F(f) + datetime.timedelta(days=step) for f in moments}
            )
        if dates:
            _move_dates(model, dates, step)


# 400 years: further than any two dates of the demo are apart.
FAR = 146_097


def _is_datetime(model: type[models.Model], name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.DateTimeField)


def _move_dates(model: type[models.Model], fields: list[str], days: int) -> None:
    """Date columns, row by row: date arithmetic in SQL differs between
    SQLite and PostgreSQL, and these tables hold a few rows (elections,
    milestones, directives and their history)."""
    for row in model._default_manager.only("pk", *fields):
        for f in fields:
            value = getattr(row, f)
            if value is not None:
                setattr(row, f, value + days * DAY)
        row.save(update_fields=fields)


@transaction.atomic
def calendar_move(*, days: int, history_dates: bool = True) -> None:
    """Move every date of the cycle (MOVED, and their audit rows) by `days`.

    history_dates: also when the audit rows were written. False for the
    first move, straight after load_seed, whose rows were written today."""
    if days == 0:
        return
    _directive_dates_move(days)  # (before the elections move)
    for label, fields in MOVED.items():
        _move(apps.get_model(label), fields, days)
        history = _history_model(label)
        if history is not None:
            _move(history, _history_fields(history, fields, history_dates), days)
    if history_dates:
        for label in MOVED_HISTORY_ONLY:
            _move(apps.get_model(label), ("history_date",), days)
    _reminder_keys_move(days)


def _directive_dates_move(days: int) -> None:
    """A directive's date is not a date column but the letter's year, month
    and day, any of which but the year may be blank
    (readiness.partial_dates): it keeps its place before its election's
    polling day at the precision it has, so a blank day stays blank and
    the month of a letter without one keeps its distance from polling day
    whatever the steps the demo moved by. Its audit rows move alike (their
    history_date with the others, in calendar_move)."""
    step = days * DAY
    polling = dict(Election.objects.values_list("pk", "polling_day"))
    fields = ["issued_year", "issued_month", "issued_day"]
    for model in (Directive, _history_model("readiness.Directive")):
        assert model is not None  # (Directive keeps an audit trail)
        rows = list(model._default_manager.all())
        for row in rows:
            before = polling.get(getattr(row, "election_id"))  # noqa: B009
            if before is None:
                continue  # (an audit row of an election deleted since)
            date = PartialDate(*(getattr(row, f) for f in fields))
            date = moved(date, before=before, after=before + step)
            for f, value in zip(fields, (date.year, date.month, date.day), strict=True):
                setattr(row, f, value)
        model._default_manager.bulk_update(rows, fields, batch_size=500)


def _reminder_keys_move(days: int) -> None:
    """A reminder's key names its deadline: moved with it, so the reminders
    planned before the move are not planned again. In two passes, each key
    marked first, as one key could land on another not yet moved."""
    q = OutboundMessage.objects.filter(dedupe_key__startswith="reminder:")
    messages = list(q.only("pk", "dedupe_key"))
    for message in messages:
        moved = reminder_key_due_moved(message.dedupe_key, days * DAY)
        message.dedupe_key = f"moving:{moved}"
    OutboundMessage.objects.bulk_update(messages, ["dedupe_key"], batch_size=500)
    for message in messages:
        message.dedupe_key = message.dedupe_key.removeprefix("moving:")
    OutboundMessage.objects.bulk_update(messages, ["dedupe_key"], batch_size=500)


def _history_fields(
    history: type[models.Model], fields: tuple[str, ...], history_dates: bool
) -> tuple[str, ...]:
    have = {f.name for f in history._meta.concrete_fields}
    kept = tuple(f for f in fields if f in have)
    return (*kept, "history_date") if history_dates else kept


# Audit rows of models without dates of their own, moved with the others
# once the demo lives in today's calendar.
MOVED_HISTORY_ONLY = (
    "contacts.HistoricalAdministrativeUnit",
    "contacts.HistoricalOrganisation",
    "contacts.HistoricalElectionBody",
    "contacts.HistoricalContact",
    "incidents.HistoricalSeverityPolicy",
    "incidents.HistoricalReportingMoment",
    "readiness.HistoricalDirective",
    "readiness.HistoricalObligation",
    "readiness.HistoricalReminderRule",
    "readiness.HistoricalPlanResource",
)


def polling_day_wanted(*, phase: str, today: datetime.date) -> datetime.date:
    return today + POLLING_DAY_FROM_TODAY[DemoPhase(phase)] * DAY


@transaction.atomic
def demo_calendar_anchor(
    *, election: Election, phase: str, today: datetime.date
) -> DemoCalendar:
    """Move the demo so that polling day lies where `phase` wants it from
    `today`, and record it. The first time, the seed's dates move (its
    audit rows keep the day they were written); later, everything moves by
    the days since."""
    record = DemoCalendar.objects.first()
    days = (polling_day_wanted(phase=phase, today=today) - election.polling_day).days
    calendar_move(days=days, history_dates=record is not None)
    if record is None:
        record = DemoCalendar(days_moved=0)
    record.phase = phase
    record.days_moved += days
    record.anchored_on = today
    record.save()
    election.refresh_from_db()
    return record
