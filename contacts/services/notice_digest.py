"""The daily digest of notices: for those who chose it
(NoticeProfile.daily_digest), one e-mail a day lists the notices whose
e-mails were held for it, instead of one e-mail each
(contacts.services.notices holds them).

Used by contacts.tasks.send_notice_digests, which beat runs every few
minutes: nothing is written before NOTICE_DIGEST_HOUR (Vietnam time), and
the dedupe key names the person and the local day, so a later tick of the
same day writes nothing. What is held after the day's digest waits for the
next day's.
"""

import datetime
import uuid
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts.models import Channel, MessageStatus, OutboundMessage, User
from contacts.services.notices import site_link
from contacts.services.outbox import notification_render, outbox_enqueue

DIGEST_KIND = "notice-digest"
# The topic of a digest names the tick that wrote it, so that the tick
# marks as sent only the e-mails its own digests carry. No relevance check
# is registered for it (contacts.services.outbox.relevance_check).
RUN_TOPIC = "notice-digest-run"


def _key(user_id: int, day: datetime.date) -> str:
    return f"{DIGEST_KIND}:{user_id}:{day.isoformat()}"


@transaction.atomic
def notice_digests_enqueue(*, now: datetime.datetime | None = None) -> int:
    """Write today's digest for each person with held e-mails who has not
    had it; returns how many were written. A fixed number of queries,
    whatever the number of people and notices.

    1. Stop before the digest hour.
    2. Read the held e-mails, by person, oldest first.
    3. Leave out those who already had today's digest.
    4. Write one digest each, in the person's language, its topic naming
       this tick.
    5. Mark as sent in the digest the held e-mails of those whose digest
       this tick wrote (a tick running at the same moment wrote the
       others', and marks theirs).
    """
    now = now or timezone.now()
    local = timezone.localtime(now, timezone.get_default_timezone())
    if local.hour < settings.NOTICE_DIGEST_HOUR:
        return 0
    held = OutboundMessage.objects.filter(
        status=MessageStatus.HELD, channel=Channel.EMAIL
    ).select_related("recipient")
    by_user: dict[int, list[OutboundMessage]] = {}
    for message in held.order_by("recipient_id", "created_at", "pk"):
        if message.recipient_id is not None:
            by_user.setdefault(message.recipient_id, []).append(message)
    if not by_user:
        return 0
    keys = {user_id: _key(user_id, local.date()) for user_id in by_user}
    done = set(
        OutboundMessage.objects.filter(dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    run = f"{RUN_TOPIC}:{uuid.uuid4().hex}"
    digests = [
        _digest(messages, keys[user_id], run, local.date(), now)
        for user_id, messages in by_user.items()
        if keys[user_id] not in done
    ]
    created = outbox_enqueue(messages=digests)
    ours = OutboundMessage.objects.filter(
        dedupe_key__in=[d.dedupe_key for d in digests], topic=run
    ).values_list("recipient_id", flat=True)
    carried = [m.pk for user_id in ours for m in by_user[user_id]]
    OutboundMessage.objects.filter(pk__in=carried, status=MessageStatus.HELD).update(
        status=MessageStatus.BUNDLED
    )
    return created


def _digest(
    messages: list[OutboundMessage],
    key: str,
    run: str,
    day: datetime.date,
    now: datetime.datetime,
) -> OutboundMessage:
    latest = messages[-1]
    user = cast(User, latest.recipient)  # grouped by recipient: never None
    inbox = site_link("inbox:index")
    ctx = {
        "notices": messages,
        "count": len(messages),
        "day": day,
        "inbox": inbox,
        "preferences": site_link("inbox:preferences"),
        "language": user.language,
    }
    subject, body, html = notification_render(
        name=DIGEST_KIND, ctx=ctx, language=user.language
    )
    return OutboundMessage(
        dedupe_key=key,
        kind=DIGEST_KIND,
        recipient=user,
        organisation_id=latest.organisation_id,
        channel=Channel.EMAIL,
        address=latest.address,
        language=user.language,
        subject=subject,
        body=body,
        body_html=html,
        link=inbox,
        topic=run,
        next_attempt_at=now,
        # Its notices are each in the inbox already.
        in_inbox=False,
    )
