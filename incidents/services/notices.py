"""Messages about incidents, through the outbox. Escalations go to the
Department as alarms (by every channel, whatever anyone chose; they ignore
quiet hours). The rest are notices (contacts.services.notices: in the
inbox, and by e-mail and SMS as each person chose): a critical incident to
the affected districts; an incident acknowledged, escalated or closed, or
a difficulty report answered, to the reporting organisation and the
districts of its area; a comment to the reporting organisation when
another organisation wrote it."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from contacts.models import (
    Membership,
    NoticeKind,
    OrganisationKind,
    OutboundMessage,
    User,
)
from contacts.services.notices import Notice, notices_enqueue, organisation_members
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
    relevance_check,
)
from incidents.models import Incident, IncidentStatus, IncidentUpdate

# Occasions, in templates/notifications/incident-*: "escalation-1" (the
# on-duty officer), "escalation-2" (leadership) are the Department's
# alarms; "district", "answer", "acknowledged", "escalated-1",
# "escalated-2", "closed" and "comment" are notices.
ESCALATION_TOPIC = "incident-ack"


def incident_notices_enqueue(
    *,
    incident: Incident,
    occasion: str,
    recipients: list[Membership],
    now: datetime.datetime,
) -> int:
    """The Department's escalation alarms ("escalation-1", "escalation-2"):
    one message per recipient and channel; the key names the incident, the
    occasion and the person, so a second run writes nothing."""
    link = _link(incident)
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
    return f"{_occasion(incident, occasion)}:{user_id}"


def _occasion(incident: Incident, occasion: str) -> str:
    # An answer may be revised, an incident closed again after a reopening:
    # each is told (answered_at, closed_at).
    when = ""
    if occasion == "answer":
        when = f":{incident.answered_at:%Y%m%d%H%M%S}"
    elif occasion == "closed":
        when = f":{incident.closed_at:%Y%m%d%H%M%S}"
    return f"incident:{incident.pk}:{occasion}{when}"


def _link(incident: Incident) -> str:
    return settings.SITE_URL + reverse("incidents:detail", args=[incident.pk])


def reporter_and_area(incident: Incident) -> QuerySet[Membership]:
    """The reporting organisation's members and the members of the
    districts (communes, in a two-tier structure) of its area."""
    return Membership.objects.filter(
        Q(organisation_id=incident.organisation_id)
        | Q(
            organisation__kind=OrganisationKind.DISTRICT,
            organisation__unit__in=incident.districts.all(),
        ),
        user__is_active=True,
    ).select_related("user", "organisation")


def incident_news_enqueue(
    *,
    incident: Incident,
    occasion: str,
    recipients,
    now: datetime.datetime,
    by: User | None = None,
    note: str = "",
) -> int:
    """A notice of the incident's `occasion` to `recipients`, not to `by`
    (who made it happen)."""
    notice = Notice(
        kind=NoticeKind.INCIDENT,
        label=f"incident-{occasion}",
        key=_occasion(incident, occasion),
        template="incident",
        link=_link(incident),
        ctx={"incident": incident, "occasion": occasion, "note": note},
    )
    return notices_enqueue(notice=notice, recipients=recipients, now=now, exclude=by)


def incident_comment_notices_enqueue(
    *, update: IncidentUpdate, now: datetime.datetime
) -> int:
    """A comment by another organisation, to the reporting organisation's
    members (the author's own organisation knows)."""
    incident = update.incident
    if update.organisation_id in (None, incident.organisation_id):
        return 0
    notice = Notice(
        kind=NoticeKind.COMMENT,
        label="incident-comment",
        key=f"incident:{incident.pk}:comment:{update.pk}",
        template="incident",
        link=_link(incident),
        ctx={"incident": incident, "occasion": "comment", "update": update},
    )
    return notices_enqueue(
        notice=notice,
        recipients=organisation_members([incident.organisation_id]),
        now=now,
        exclude=update.author,
    )


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
