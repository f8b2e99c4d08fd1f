"""The Department's daily digest: what is overdue and what awaits review,
e-mailed once a day to every Department member (docs/architecture.md,
"The outbox": intent is a row, the tick is idempotent).

Used by readiness.tasks.send_staff_digest, which beat runs every few
minutes: nothing is written before the rule's digest hour (Vietnam time),
and the dedupe key names the user and the local day, so later ticks of the
same day write nothing.
"""

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from contacts.models import (
    Channel,
    Membership,
    Organisation,
    OrganisationKind,
    OutboundMessage,
)
from contacts.selectors import election_current
from contacts.services.outbox import notification_render, outbox_enqueue
from incidents.models import Incident
from incidents.selectors.incidents import (
    incident_board,
    incident_status_counts,
    incidents_open,
)
from readiness.models import Directive, Obligation
from readiness.selectors import (
    QueueItem,
    compliance_matrix,
    directive_current,
    review_queue,
)
from readiness.selectors.obligations import overdue_as_history
from readiness.services.reminders import reminder_rule_for

DAY = datetime.timedelta(days=1)
# An e-mail lists at most this many lines per section; the dashboard has
# the rest (a nationwide deployment may have thousands of overdue cells).
MAX_LINES = 100


@dataclass(frozen=True)
class OverdueLine:
    organisation: Organisation
    obligation: Obligation
    due_at: datetime.datetime
    days_overdue: int
    # The election is past its results period (a closed one has no digest).
    election_over: bool = False

    @property
    def not_done_by(self) -> bool:
        """Shown as "not done by <the deadline>" rather than a day count."""
        return overdue_as_history(
            days_overdue=self.days_overdue, election_over=self.election_over
        )


@dataclass(frozen=True)
class _Digest:
    """What every recipient's digest lists; rendered once per recipient."""

    day: datetime.date
    overdue: list[OverdueLine]
    queues: dict[str, list[QueueItem]]  # language → items awaiting review
    dashboard: str
    queue_link: str
    # Open incidents: by status, and the list (most severe first).
    incident_counts: dict[str, int]
    incidents: list[Incident]
    incident_board: str


def digest_enqueue(*, now: datetime.datetime | None = None) -> int:
    """Write today's digest for each Department member who has not had it;
    returns how many were written. A fixed number of queries, whatever the
    number of organisations, obligations and members.

    1. Find the current directive and its rule; stop before the digest hour.
    2. Find the active Department members with an e-mail address who have
       no digest for today yet; stop if there are none.
    3. Read the compliance matrix (overdue cells) and the review queue.
    4. Render each digest in its recipient's language and write it to the
       outbox (a key already there is skipped).
    """
    now = now or timezone.now()
    local = timezone.localtime(now, timezone.get_default_timezone())
    directive = directive_current(election=election_current())
    if directive is None or directive.election.is_closed:  # read-only: no digest
        return 0
    if local.hour < reminder_rule_for(directive).digest_hour:
        return 0
    recipients = _recipients_without_digest(local.date())
    if not recipients:
        return 0
    digest = _digest(directive, now, local.date(), recipients)
    return outbox_enqueue(messages=[_message(m, digest, now) for m in recipients])


def _key(user_id: int, day: datetime.date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def _recipients_without_digest(day: datetime.date) -> list[Membership]:
    """Active Department members with an e-mail address and no digest for
    `day` yet (two queries)."""
    members = list(
        Membership.objects.filter(
            organisation__kind=OrganisationKind.DEPARTMENT,
            organisation__is_active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "organisation")
        .order_by("user_id")
    )
    done = set(
        OutboundMessage.objects.filter(
            dedupe_key__in=[_key(m.user_id, day) for m in members]
        ).values_list("dedupe_key", flat=True)
    )
    return [m for m in members if _key(m.user_id, day) not in done]


def _digest(
    directive: Directive,
    now: datetime.datetime,
    day: datetime.date,
    recipients: list[Membership],
) -> _Digest:
    matrix = compliance_matrix(directive=directive, now=now)
    over = directive.election.is_over_on(day)
    overdue = [
        OverdueLine(
            organisation=cell.organisation,
            obligation=cell.obligation,
            due_at=cell.due_at,
            days_overdue=math.floor((now - cell.due_at) / DAY) + 1,
            election_over=over,
        )
        for cell in matrix.cells.values()
        if cell.overdue and cell.due_at is not None
    ]
    # Oldest deadline first; the matrix keeps organisations in name order.
    overdue.sort(key=lambda line: (line.due_at, line.obligation.position))
    return _Digest(
        day=day,
        overdue=overdue,
        queues=_queues(directive, {m.user.language for m in recipients}),
        dashboard=settings.SITE_URL + reverse("readiness:matrix"),
        queue_link=settings.SITE_URL + reverse("readiness:queue"),
        **_open_incidents(directive),
    )


def _open_incidents(directive: Directive) -> dict:
    q = incidents_open(Incident.objects.filter(election_id=directive.election_id))
    return {
        "incident_counts": incident_status_counts(q),
        "incidents": list(incident_board(q)[:MAX_LINES]),
        "incident_board": settings.SITE_URL + reverse("incidents:index"),
    }


def _queues(directive: Directive, languages: set[str]) -> dict[str, list[QueueItem]]:
    """The review queue once per language the recipients read (a queue
    item names its obligation in the language active when it is read):
    three queries per language, and there are two."""
    queues = {}
    for language in sorted(languages):
        with translation.override(language):
            queues[language] = review_queue(directive=directive)
    return queues


def _message(
    membership: Membership, digest: _Digest, now: datetime.datetime
) -> OutboundMessage:
    user = membership.user
    # E-mail only: a digest is too long for an SMS.
    subject, body, html = _render(user, digest, now)
    return OutboundMessage(
        dedupe_key=_key(user.pk, digest.day),
        kind="digest",
        recipient=user,
        organisation=membership.organisation,
        channel=Channel.EMAIL,
        address=user.email,
        language=user.language,
        subject=subject,
        body=body,
        body_html=html,
        link=digest.dashboard,
        next_attempt_at=now,
    )


def _render(user, digest: _Digest, now: datetime.datetime) -> tuple[str, str, str]:
    queue = digest.queues[user.language]
    ctx = {
        "recipient": user,
        "day": digest.day,
        "now": now,
        "overdue": digest.overdue[:MAX_LINES],
        "overdue_count": len(digest.overdue),
        "overdue_more": max(len(digest.overdue) - MAX_LINES, 0),
        "awaiting": [
            (item, settings.SITE_URL + item.url) for item in queue[:MAX_LINES]
        ],
        "awaiting_count": len(queue),
        "awaiting_more": max(len(queue) - MAX_LINES, 0),
        "dashboard": digest.dashboard,
        "incident_counts": digest.incident_counts,
        "incidents": digest.incidents,
        "incident_board": digest.incident_board,
        "queue_link": digest.queue_link,
        "language": user.language,
    }
    return notification_render(name="digest", ctx=ctx, language=user.language)
