"""Changing who gets notices by which channel: a person's own choices and
the Department's defaults (contacts.models.notices). The mandatory kinds
are never stored: they go out by every channel whatever is sent."""

import datetime

from django.db import transaction
from django.utils import timezone

from contacts.models import (
    MANDATORY_KINDS,
    Channel,
    MessageStatus,
    NoticeDefault,
    NoticeKind,
    NoticePreference,
    NoticeProfile,
    OutboundMessage,
    User,
)
from contacts.selectors.notices import notice_defaults

# (e-mail, SMS) by kind, as a form gives them.
Choices = dict[str, tuple[bool, bool]]


@transaction.atomic
def notice_preferences_save(
    *,
    user: User,
    choices: Choices,
    daily_digest: bool,
    now: datetime.datetime | None = None,
) -> None:
    """Save the person's own choices. A kind chosen as the Department's
    default keeps no row of its own, so that it follows the default when
    the Department changes it; kinds not in `choices` are left as they are.
    Leaving the daily digest sends what it held at once."""
    defaults = notice_defaults()
    for kind, (email, sms) in choices.items():
        if kind in MANDATORY_KINDS or kind not in NoticeKind.values:
            continue
        q = NoticePreference.objects.filter(user=user, kind=kind)
        if defaults[kind] == (email, sms):
            for preference in q:
                preference._history_user = user
                preference.delete()
            continue
        preference = q.first() or NoticePreference(user=user, kind=kind)
        preference.email, preference.sms = email, sms
        preference._history_user = user
        preference.save()
    profile = NoticeProfile.objects.filter(user=user).first()
    if (profile.daily_digest if profile else False) != daily_digest:
        profile = profile or NoticeProfile(user=user)
        profile.daily_digest = daily_digest
        profile._history_user = user
        profile.save()
    if not daily_digest:
        OutboundMessage.objects.filter(
            recipient=user, channel=Channel.EMAIL, status=MessageStatus.HELD
        ).update(status=MessageStatus.PENDING, next_attempt_at=now or timezone.now())


@transaction.atomic
def notice_defaults_save(*, choices: Choices, by: User) -> None:
    """Set the Department's default channels of each kind in `choices`."""
    for kind, (email, sms) in choices.items():
        if kind in MANDATORY_KINDS or kind not in NoticeKind.values:
            continue
        default = NoticeDefault.objects.filter(kind=kind).first()
        default = default or NoticeDefault(kind=kind)
        if default.pk is not None and (default.email, default.sms) == (email, sms):
            continue
        default.email, default.sms = email, sms
        default._history_user = by
        default.save()
