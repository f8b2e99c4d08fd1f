"""Escalating incidents the Department has not acknowledged in time
(beat runs incidents.tasks.escalate_incidents every minute).

Step 1, when `ack_due_at` passes: the Department's officer on duty (its
roster), or its editors when nobody is on the roster now. Step 2, when
`leadership_due_at` passes: the Department's heads. The reporting
organisation and the districts of the incident's area are told of each
step (incidents.services.notices). Each step is claimed by a conditional
UPDATE of `escalation_step`, so two ticks at once escalate once; the
outbox keys make a repeated write harmless too.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from contacts.models import Membership, OrganisationKind
from incidents.models import Incident, IncidentStatus, IncidentUpdate, UpdateKind
from incidents.selectors.rosters import shifts_running
from incidents.services.notices import (
    incident_news_enqueue,
    incident_notices_enqueue,
    reporter_and_area,
)

# Incidents escalated per step and tick; the next tick takes the rest.
BATCH = 200


def incidents_escalate_due(*, now: datetime.datetime | None = None) -> int:
    """Escalate every incident whose step has come; returns messages written."""
    now = now or timezone.now()
    written = 0
    for step in (1, 2):
        written += _escalate_step(step, now)
    return written


@transaction.atomic
def _escalate_step(step: int, now: datetime.datetime) -> int:
    due_field = "ack_due_at" if step == 1 else "leadership_due_at"
    waiting = Incident.objects.filter(
        status=IncidentStatus.REPORTED,
        escalation_step=step - 1,
        election__closed_at__isnull=True,  # a closed election is read-only
    )
    due = waiting.filter(**{f"{due_field}__lte": now}).values_list("pk", flat=True)
    claimed = [
        pk
        for pk in list(due[:BATCH])
        if waiting.filter(pk=pk).update(escalation_step=step)
    ]
    if not claimed:
        return 0
    written = 0
    incidents = Incident.objects.filter(pk__in=claimed).select_related("election")
    for incident in incidents:
        recipients = _on_duty(incident, now) if step == 1 else _leadership()
        # The names are kept; the timeline says in each reader's language
        # who they are (templates/incidents/_timeline.html).
        IncidentUpdate.objects.create(
            incident=incident,
            kind=UpdateKind.ESCALATION,
            step=step,
            text=", ".join(str(m.user) for m in recipients),
        )
        written += incident_notices_enqueue(
            incident=incident,
            occasion=f"escalation-{step}",
            recipients=recipients,
            now=now,
        )
        # The reporter and the area learn that the Department was alerted
        # (not counted: the task reports the alerts it sent).
        incident_news_enqueue(
            incident=incident,
            occasion=f"escalated-{step}",
            recipients=reporter_and_area(incident),
            now=now,
        )
    return written


def _department_members():
    return Membership.objects.filter(
        organisation__kind=OrganisationKind.DEPARTMENT, user__is_active=True
    ).select_related("user", "organisation")


def _editors() -> list[Membership]:
    return [m for m in _department_members() if m.can_write]


def _on_duty(incident: Incident, now: datetime.datetime) -> list[Membership]:
    """The Department's members on a running shift of theirs, else its editors."""
    on_shift = shifts_running(election=incident.election, at=now).filter(
        user=OuterRef("user"), organisation=OuterRef("organisation")
    )
    return list(_department_members().filter(Exists(on_shift))) or _editors()


def _leadership() -> list[Membership]:
    return list(_department_members().filter(is_head=True)) or _editors()
