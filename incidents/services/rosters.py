"""Changes to duty rosters: one shift at a time, many at once (the week grid
and the spreadsheet import, all or nothing), and the reminder about shifts
whose person has no mobile number."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from contacts.importers.vocabulary import RowError, same
from contacts.model_fields import verbose_name
from contacts.models import Election, Membership, Organisation, OutboundMessage, User
from contacts.phones import InvalidPhone, is_mobile, normalise_phone
from contacts.services.closure import election_ensure_open
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
    relevance_check,
)
from incidents.importers import ShiftDraft, parse_roster_file
from incidents.models import Shift

# A longer shift is almost always a typo in a date, and would hide the
# roster's gaps for days. Twenty-four hours on duty is common here.
MAX_SHIFT = datetime.timedelta(hours=24)
REMIND_AHEAD = datetime.timedelta(hours=24)
SHIFT_TOPIC = "shift"
SHIFT_FIELDS = ("person_name", "role", "phone", "location", "starts_at", "ends_at")

ENDS_BEFORE_START = gettext_lazy("The shift must end after it starts.")
STARTS_OUTSIDE = gettext_lazy("The shift must start within the period replaced.")
NOT_A_MEMBER = gettext_lazy("This person is not a member of the organisation.")
# Checked by the service itself, without a query per shift.
NOT_CLEANED = ("election", "organisation", "created_by", "user")


def too_long_message() -> str:
    return _("A shift lasts at most %(hours)d hours; check the dates.") % {
        "hours": MAX_SHIFT // datetime.timedelta(hours=1)
    }


def _checked(shift: Shift) -> Shift:
    """Normalise the phone and check what spans fields; raises
    ValidationError keyed by field, as the forms show it."""
    try:
        shift.phone = normalise_phone(shift.phone)
    except InvalidPhone as exc:
        raise ValidationError({"phone": exc.message}) from None
    shift.phone_is_mobile = is_mobile(shift.phone)
    if shift.ends_at <= shift.starts_at:
        raise ValidationError({"ends_at": ENDS_BEFORE_START})
    if shift.ends_at - shift.starts_at > MAX_SHIFT:
        raise ValidationError({"ends_at": too_long_message()})
    if (
        shift.user is not None
        and not Membership.objects.filter(
            user=shift.user, organisation_id=shift.organisation_id
        ).exists()
    ):
        raise ValidationError({"user": NOT_A_MEMBER})
    # Constraints are checked above: Django would check each with a query.
    shift.full_clean(
        exclude=NOT_CLEANED, validate_unique=False, validate_constraints=False
    )
    return shift


def shift_add(
    *,
    election: Election,
    organisation: Organisation,
    person_name: str,
    phone: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    by: User,
    role: str = "",
    location: str = "",
    user: User | None = None,
) -> Shift:
    election_ensure_open(election)
    shift = Shift(
        election=election,
        organisation=organisation,
        person_name=person_name,
        role=role,
        phone=phone,
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
        user=user,
        created_by=by,
    )
    _checked(shift).save()
    return shift


def shift_update(
    *,
    shift: Shift,
    person_name: str,
    phone: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    role: str = "",
    location: str = "",
    user: User | None = None,
) -> Shift:
    election_ensure_open(shift.election_id)
    shift.person_name, shift.role, shift.location = person_name, role, location
    shift.phone, shift.starts_at, shift.ends_at = phone, starts_at, ends_at
    shift.user = user
    _checked(shift).save(update_fields=[*SHIFT_FIELDS, "phone_is_mobile", "user"])
    return shift


def shift_remove(*, shift: Shift) -> None:
    # simple-history keeps the removed shift, and who removed it.
    election_ensure_open(shift.election_id)
    shift.delete()


# --- Many at once --------------------------------------------------------------


@dataclass
class AddResult:
    created: list[Shift] = field(default_factory=list)
    # Drafts identical to a shift already on the roster (same person, start
    # and end): skipped, so that sending a grid or a file twice adds nothing.
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Shifts taken off the roster first (roster_replace).
    removed: int = 0


def _existing_keys(election: Election, organisation: Organisation) -> set[tuple]:
    rows = Shift.objects.filter(election=election, organisation=organisation)
    return {
        (starts_at, ends_at, same(name))
        for starts_at, ends_at, name in rows.values_list(
            "starts_at", "ends_at", "person_name"
        )
    }


def _column(name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    return verbose_name(Shift, name)


def _draft_errors(shift: Shift, draft: ShiftDraft) -> list[RowError]:
    try:
        _checked(shift)
    except ValidationError as exc:
        return [
            RowError(draft.row_number, _column(name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


@transaction.atomic
def shifts_add_many(
    *,
    election: Election,
    organisation: Organisation,
    drafts: list[ShiftDraft],
    by: User,
) -> AddResult:
    """Add the drafts' shifts: every one, or none (used by the week grid and
    the spreadsheet import).

    1. Skip drafts identical to a shift already on the roster.
    2. Check each of the others; any error: save nothing, return them all.
    3. Save them in bulk, each with its history row.
    """
    election_ensure_open(election)
    result, existing = AddResult(), _existing_keys(election, organisation)
    shifts = []
    for draft in drafts:
        if (draft.starts_at, draft.ends_at, same(draft.person_name)) in existing:
            result.unchanged += 1
            continue
        fields = {k: getattr(draft, k) for k in (*SHIFT_FIELDS, "user")}
        shift = Shift(
            election=election, organisation=organisation, created_by=by, **fields
        )
        result.errors += _draft_errors(shift, draft)
        shifts.append(shift)
    if not result.errors:
        result.created = bulk_create_with_history(shifts, Shift, batch_size=1000)
    return result


def roster_import(
    *, election: Election, organisation: Organisation, content: bytes, by: User
) -> AddResult:
    """Add the shifts of an uploaded .xlsx or CSV file, all or none: with any
    error in any row, nothing is saved and every error is returned, each
    naming its row and column."""
    parsed = parse_roster_file(content=content)
    if parsed.errors:
        return AddResult(errors=parsed.errors)
    return shifts_add_many(
        election=election, organisation=organisation, drafts=parsed.drafts, by=by
    )


@transaction.atomic
def roster_replace(
    *,
    election: Election,
    organisation: Organisation,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    drafts: list[ShiftDraft],
    by: User,
) -> AddResult:
    """Put the drafts' shifts in place of the organisation's shifts that
    start in [starts_at, ends_at): all or nothing (the API's roster PUT).

    1. Remove the shifts starting in the period (each keeps its history).
    2. Add the drafts by shifts_add_many, which checks each.
    3. Any error, or a draft starting outside the period: roll back (the
       removed shifts are back), and return every error by its row."""
    election_ensure_open(election)
    removed = Shift.objects.filter(
        election=election,
        organisation=organisation,
        starts_at__gte=starts_at,
        starts_at__lt=ends_at,
    ).delete()[0]
    result = shifts_add_many(
        election=election, organisation=organisation, drafts=drafts, by=by
    )
    outside = [
        RowError(draft.row_number, _column("starts_at"), str(STARTS_OUTSIDE))
        for draft in drafts
        if not starts_at <= draft.starts_at < ends_at
    ]
    if outside or result.errors:
        transaction.set_rollback(True)
        errors = sorted([*result.errors, *outside], key=lambda e: e.row_number)
        return AddResult(errors=errors)
    result.removed = removed
    return result


# --- Reminders -----------------------------------------------------------------


def shifts_remind_flagged(*, now: datetime.datetime) -> int:
    """Tell each active member of an organisation about its shifts starting
    within the next 24 hours whose person has no mobile number. Beat runs
    it every few minutes; each (shift, member) is written once, by its
    dedupe key, so running it twice writes nothing more. Four queries, and
    one rendering per shift and language."""
    shifts = list(
        Shift.objects.filter(
            phone_is_mobile=False, starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD
        ).select_related("organisation")
    )
    members = _members_by_organisation({s.organisation_id for s in shifts})
    messages = []
    for shift in shifts:
        messages += _shift_reminders(shift, members.get(shift.organisation_id, []), now)
    return outbox_enqueue(messages=messages)


def _shift_reminders(
    shift: Shift, users: list[User], now: datetime.datetime
) -> list[OutboundMessage]:
    # The roster page, not the shift's edit page: read-only members get it too.
    link = settings.SITE_URL + reverse("rosters:roster", args=[shift.organisation_id])
    texts = _ShiftTexts(shift, link)
    return [
        message
        for user in users
        for message in outbox_messages_for(
            user=user,
            dedupe_key=f"shift-phone:{shift.pk}:{user.pk}",
            texts=texts.for_language(user.language),
            kind="shift-phone",
            organisation=shift.organisation,
            link=link,
            topic=f"{SHIFT_TOPIC}:{shift.pk}",
            next_attempt_at=now,
        )
    ]


@relevance_check(SHIFT_TOPIC)
def shift_reminders_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """A reminder not yet sent is dropped when its shift was removed, has
    been given a mobile number, or has already started (checked just
    before sending, one query per batch)."""
    ids = {m.pk: int(m.topic.split(":")[1]) for m in messages}
    still_flagged = set(
        Shift.objects.filter(
            pk__in=set(ids.values()), phone_is_mobile=False, starts_at__gt=now
        ).values_list("pk", flat=True)
    )
    return {
        pk: "the shift was removed, has a mobile number now, or has started"
        for pk, shift_id in ids.items()
        if shift_id not in still_flagged
    }


def _members_by_organisation(ids: set[int]) -> dict[int, list[User]]:
    grouped: dict[int, list[User]] = {}
    q = Membership.objects.filter(
        organisation_id__in=ids, user__is_active=True
    ).select_related("user")
    for membership in q.order_by("user_id"):
        grouped.setdefault(membership.organisation_id, []).append(membership.user)
    return grouped


class _ShiftTexts:
    """The reminder about one shift, rendered once per language."""

    def __init__(self, shift: Shift, link: str) -> None:
        self.shift, self.link = shift, link
        self.rendered: dict[str, tuple[str, str, str]] = {}

    def for_language(self, language: str) -> tuple[str, str, str]:
        if language not in self.rendered:
            self.rendered[language] = notification_render(
                name="shift-phone",
                ctx={"shift": self.shift, "link": self.link, "language": language},
                language=language,
            )
        return self.rendered[language]
