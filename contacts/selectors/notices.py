"""Which channels each person's notices take (contacts.models.notices):
read once per occasion for all its recipients, in a fixed number of
queries."""

from collections.abc import Iterable
from dataclasses import dataclass

from contacts.models import (
    BUILT_IN_DEFAULTS,
    MANDATORY_KINDS,
    NoticeDefault,
    NoticeKind,
    NoticePreference,
    NoticeProfile,
    User,
)


@dataclass(frozen=True)
class Choice:
    """How one person gets one kind of notice besides the inbox."""

    email: bool
    sms: bool
    # The e-mail waits for the person's daily digest.
    digest: bool = False


def notice_defaults() -> dict[str, tuple[bool, bool]]:
    """(e-mail, SMS) of each kind for those who chose nothing (one query)."""
    defaults = dict(BUILT_IN_DEFAULTS)
    for row in NoticeDefault.objects.all():
        defaults[row.kind] = (row.email, row.sms)
    for kind in MANDATORY_KINDS:
        defaults[kind] = (True, True)
    return defaults


def notice_choices(
    *, user_ids: Iterable[int], kinds: Iterable[str]
) -> dict[tuple[int, str], Choice]:
    """The choice of each (user, kind): the person's own, else the
    Department's default; every channel for a mandatory kind. Three
    queries, whatever the number of people."""
    user_ids, kinds = set(user_ids), set(kinds)
    defaults = notice_defaults()
    own = {
        (p.user_id, p.kind): (p.email, p.sms)
        for p in NoticePreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
    }
    digest = set(
        NoticeProfile.objects.filter(
            user_id__in=user_ids, daily_digest=True
        ).values_list("user_id", flat=True)
    )
    choices = {}
    for user_id in user_ids:
        for kind in kinds:
            chosen = own.get((user_id, kind))
            email, sms = (
                defaults[kind] if chosen is None or kind in MANDATORY_KINDS else chosen
            )
            choices[user_id, kind] = Choice(
                email=email,
                sms=sms,
                digest=user_id in digest,
            )
    return choices


@dataclass(frozen=True)
class PreferenceRow:
    """One line of the preferences page."""

    kind: NoticeKind
    email: bool
    sms: bool
    mandatory: bool


def notice_preference_rows(*, user: User) -> tuple[list[PreferenceRow], bool]:
    """What the person's page shows: each kind with its channels as they
    apply now, and whether the daily digest is on (three queries)."""
    choices = notice_choices(user_ids=[user.pk], kinds=NoticeKind.values)
    rows = [
        PreferenceRow(
            kind=kind,
            email=choices[user.pk, kind].email,
            sms=choices[user.pk, kind].sms,
            mandatory=kind in MANDATORY_KINDS,
        )
        for kind in NoticeKind
    ]
    digest = any(c.digest for c in choices.values())
    return rows, digest


def notice_default_rows() -> list[PreferenceRow]:
    """What the Department's defaults page shows (one query)."""
    defaults = notice_defaults()
    return [
        PreferenceRow(
            kind=kind,
            email=defaults[kind][0],
            sms=defaults[kind][1],
            mandatory=kind in MANDATORY_KINDS,
        )
        for kind in NoticeKind
    ]
