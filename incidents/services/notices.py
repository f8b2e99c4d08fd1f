"""Messages about incidents, through the outbox: escalations to the
Department, critical incidents to the affected districts, answers to
difficulty reports. Escalations ignore quiet hours (sent at once)."""

import datetime

from django.conf import settings
from django.urls import reverse

from contacts.models import Membership, OutboundMessage
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
    relevance_check,
)
from incidents.models import Incident, IncidentStatus

# Occasions, in templates/notifications/incident-*: "escalation-1" (the
# on-duty officer), "escalation-2" (leadership), "district", "answer".
ESCALATION_TOPIC = "incident-ack"


def incident_notices_enqueue(
    *,
    incident: Incident,
    occasion: str,
    recipients: list[Membership],
    now: datetime.datetime,
) -> int:
    """One message per recipient and channel; the key names the incident,
    the occasion and the person, so a second run writes nothing."""
    link = settings.SITE_URL + reverse("incidents:detail", args=[incident.pk])
    rendered: dict[str, tuple] = {}
    messages = []
    for membership in recipients:
        user = membership.user
        language = user.language
        if language not in rendered:
            ctx = {"incident": incident, "occasion": occasion, "link": link}
            ctx["language"] = language
            rendered[language] = notification_render(
                name="incident", ctx=ctx, language=language
            )
        messages += outbox_messages_for(
            user=user,
            dedupe_key=_key(incident, occasion, user.pk),
            texts=rendered[language],
            kind=f"incident-{occasion}"[:30],
            organisation=membership.organisation,
            link=link,
            topic=(
                f"{ESCALATION_TOPIC}:{incident.pk}"
                if occasion.startswith("escalation")
                else ""
            ),
            next_attempt_at=now,
        )
    return outbox_enqueue(messages=messages)


def _key(incident: Incident, occasion: str, user_id: int) -> str:
    # An answer may be revised: each revision is told (answered_at).
    when = f":{incident.answered_at:%Y%m%d%H%M%S}" if occasion == "answer" else ""
    return f"incident:{incident.pk}:{occasion}{when}:{user_id}"


@relevance_check(ESCALATION_TOPIC)
def escalations_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """An escalation not yet sent is dropped once the incident is
    acknowledged (checked just before sending)."""
    ids = {m.pk: int(m.topic.split(":")[1]) for m in messages}
    waiting = set(
        Incident.objects.filter(
            pk__in=set(ids.values()), status=IncidentStatus.REPORTED
        ).values_list("pk", flat=True)
    )
    return {
        pk: "incident acknowledged before the escalation was sent"
        for pk, incident_id in ids.items()
        if incident_id not in waiting
    }
