"""Planning deadline reminders into the outbox (docs/architecture.md,
"Reminders and other beat ticks"). The tick is a pure function of (now,
database): running it twice, or late, writes each reminder once."""

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from contacts.models import (
    Membership,
    NoticeKind,
    Organisation,
    OutboundMessage,
    SubmissionState,
)
from contacts.selectors import election_current
from contacts.selectors.notices import Choice, notice_choices
from contacts.services.notices import channels_chosen, notice_in_app
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
    relevance_check,
)
from readiness.models import Directive, EvidenceKind, Obligation, ReminderRule
from readiness.selectors import compliance_matrix, directive_current
from readiness.selectors.compliance import Cell

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Occasion:
    """Which reminder of a deadline is due: N days before, or overdue day N."""

    days_left: int = 0
    days_overdue: int = 0

    @property
    def label(self) -> str:
        return (
            f"overdue-{self.days_overdue}"
            if self.days_overdue
            else f"before-{self.days_left}"
        )

    @property
    def notice_kind(self) -> NoticeKind:
        """Whose preferences apply (an overdue reminder is mandatory)."""
        return NoticeKind.OVERDUE if self.days_overdue else NoticeKind.REMINDER


def reminder_rule_for(directive: Directive) -> ReminderRule:
    rule, _created = ReminderRule.objects.get_or_create(directive=directive)
    return rule


def occasion_for(
    *, due_at: datetime.datetime, now: datetime.datetime, rule: ReminderRule
):
    """The latest occasion that has come, or None. Only the latest: a tick
    that runs late sends one reminder, not every missed one."""
    if now >= due_at:
        days = math.floor((now - due_at) / DAY) + 1
        if not rule.overdue_daily or days > rule.overdue_for_days:
            return None
        return Occasion(days_overdue=days)
    passed = [d for d in rule.offsets if now >= due_at - d * DAY]
    return Occasion(days_left=min(passed)) if passed else None


def reminders_enqueue_due(*, now: datetime.datetime | None = None) -> int:
    """Write one reminder per member of each organisation that has not met
    an obligation whose reminder occasion has come (a fixed number of
    queries, whatever the number of organisations)."""
    now = now or timezone.now()
    directive = directive_current(election=election_current())
    if directive is None or directive.election.is_closed:  # read-only: no reminders
        return 0
    rule = reminder_rule_for(directive)
    if not rule.enabled:
        return 0
    matrix = compliance_matrix(directive=directive, now=now)
    members = _members_by_organisation(matrix.organisations)
    choices = notice_choices(
        user_ids={m.user_id for group in members.values() for m in group},
        kinds=[NoticeKind.REMINDER, NoticeKind.OVERDUE],
    )
    send_at = _outside_quiet_hours(now, rule)
    messages: list[OutboundMessage] = []
    # A tick's links and texts, each rendered once (_link, _render).
    rendered: dict[tuple, Any] = {}
    for cell in matrix.cells.values():
        occasion = (
            None
            if cell.is_met or cell.due_at is None
            else occasion_for(due_at=cell.due_at, now=now, rule=rule)
        )
        if occasion is None:
            continue
        for membership in _recipients(
            members.get(cell.organisation.pk, []), occasion, rule
        ):
            choice = choices[membership.user_id, occasion.notice_kind]
            messages += _reminders(
                membership, cell, occasion, send_at, rendered, choice
            )
    return outbox_enqueue(messages=messages)


def _members_by_organisation(
    organisations: list[Organisation],
) -> dict[int, list[Membership]]:
    grouped: dict[int, list[Membership]] = {}
    q = Membership.objects.filter(
        organisation__in=organisations, user__is_active=True
    ).select_related("user")
    for m in q:
        grouped.setdefault(m.organisation_id, []).append(m)
    return grouped


def _recipients(members: list[Membership], occasion: Occasion, rule: ReminderRule):
    """Members; heads too once the deadline is long overdue."""
    escalate = occasion.days_overdue > rule.head_after_overdue_days
    return [m for m in members if escalate or not m.is_head]


def _outside_quiet_hours(
    now: datetime.datetime, rule: ReminderRule
) -> datetime.datetime:
    local = timezone.localtime(now)
    if not rule.in_quiet_hours(local.time()):
        return now
    end = local.replace(
        hour=rule.quiet_end.hour, minute=rule.quiet_end.minute, second=0, microsecond=0
    )
    return end if end > local else end + DAY


def _link(cell: Cell, rendered: dict) -> str:
    """Where the next step is: the contact lists, the duty roster once the
    plan's section for it is accepted but the roster has gaps, else the plan.
    Reversed once per tick (`rendered` is the tick's): reverse() for each of
    a country's 17,000 reminders took a tenth of the tick."""
    args: tuple[int, ...]
    if cell.obligation.evidence_kind == EvidenceKind.CONTACT_LIST:
        name, args = "contacts:contact_list_index", ()
    elif cell.roster_covered is False and cell.state == SubmissionState.ACCEPTED:
        name, args = "rosters:roster", (cell.organisation.pk,)
    else:
        name, args = "readiness:plan_index", ()
    key = ("link", name, args)
    if key not in rendered:
        rendered[key] = settings.SITE_URL + reverse(name, args=args)
    return rendered[key]


# How a reminder's dedupe key writes the deadline it is about (UTC): its
# fifth field. Read back by reminder_key_due_moved.
REMINDER_DUE_FORMAT = "%Y%m%d%H%M"


def reminder_key_due_moved(key: str, delta: datetime.timedelta) -> str:
    """The same reminder's key for its deadline moved by `delta` (the demo's
    calendar moves deadlines; a reminder already planned must stay
    recognised, or the next tick would send it again)."""
    parts = key.split(":")
    due = datetime.datetime.strptime(parts[4], REMINDER_DUE_FORMAT)
    parts[4] = (due + delta).strftime(REMINDER_DUE_FORMAT)
    return ":".join(parts)


# Stand-ins replaced per message, so that a tick renders the templates once
# per (obligation, deadline, occasion, language) instead of once per person.
RECIPIENT, ORGANISATION = "\x00recipient\x00", "\x00organisation\x00"


def _reminders(
    membership: Membership,
    cell: Cell,
    occasion: Occasion,
    send_at,
    rendered: dict,
    choice: Choice,
) -> list:
    """The reminder by the channels the person chose; each is itself the
    reminder in the inbox. When none goes out (no address, or the person
    switched them off), an in-app row instead: every reminder is in the
    inbox."""
    user = membership.user
    key = (
        f"reminder:{cell.obligation.pk}:{cell.organisation.pk}:{user.pk}:"
        f"{cell.due_at:{REMINDER_DUE_FORMAT}}:{occasion.label}"
    )
    texts = _personalise(_render(cell, occasion, user.language, rendered), user, cell)
    fields = {
        "kind": "reminder",
        "organisation": cell.organisation,
        "link": _link(cell, rendered),
        "topic": f"obligation:{cell.obligation.pk}:{cell.organisation.pk}",
        "topic_due_at": cell.due_at,
    }
    wanted = channels_chosen(choice)
    sent = [
        m
        for m in outbox_messages_for(
            user=user, dedupe_key=key, texts=texts, next_attempt_at=send_at, **fields
        )
        if m.channel in wanted
    ]
    return sent or [
        notice_in_app(user=user, dedupe_key=key, texts=texts, now=send_at, **fields)
    ]


def _render(cell: Cell, occasion: Occasion, language: str, rendered: dict) -> tuple:
    key = (cell.obligation.pk, cell.due_at, occasion, language)
    if key not in rendered:
        ctx = {
            "recipient": RECIPIENT,
            "organisation": {"display_name": ORGANISATION},
            "obligation": cell.obligation,
            "due_at": cell.due_at,
            "days_left": occasion.days_left,
            "days_overdue": occasion.days_overdue,
            "link": _link(cell, rendered),
            "language": language,
        }
        rendered[key] = notification_render(name="reminder", ctx=ctx, language=language)
    return rendered[key]


def _personalise(texts: tuple, user, cell: Cell) -> tuple[str, str, str]:
    """Put the person's and the organisation's names in (escaped in HTML)."""
    with translation.override(user.language):
        org = cell.organisation.display_name
    name = str(user)
    subject, body, html = texts
    subject = subject.replace(RECIPIENT, name).replace(ORGANISATION, org)
    body = body.replace(RECIPIENT, name).replace(ORGANISATION, org)
    html = html.replace(RECIPIENT, escape(name)).replace(ORGANISATION, escape(org))
    return subject[:300], body, html


@relevance_check("obligation")
def reminders_no_longer_needed(
    messages: list[OutboundMessage], now: datetime.datetime
) -> dict[int, str]:
    """Checked just before sending: a reminder for an obligation met since
    it was planned, or whose deadline moved, is dropped. One compliance
    matrix per directive in the batch, over the organisations concerned."""
    topics = {m.pk: tuple(map(int, m.topic.split(":")[1:3])) for m in messages}
    obligations = Obligation.objects.select_related("directive").in_bulk(
        {obligation_id for obligation_id, _org in topics.values()}
    )
    organisations_by_directive: dict[Directive, set[int]] = {}
    for obligation_id, organisation_id in topics.values():
        if obligation := obligations.get(obligation_id):
            organisations_by_directive.setdefault(obligation.directive, set()).add(
                organisation_id
            )
    cells = {}
    for directive, organisation_ids in organisations_by_directive.items():
        matrix = compliance_matrix(
            directive=directive,
            now=now,
            organisations=Organisation.objects.filter(pk__in=organisation_ids),
        )
        cells.update(matrix.cells)
    reasons = {}
    for message in messages:
        obligation_id, organisation_id = topics[message.pk]
        cell = cells.get((organisation_id, obligation_id))
        if obligation_id not in obligations:
            reasons[message.pk] = "obligation removed"
        elif cell is None or cell.is_met:
            reasons[message.pk] = "obligation met since the reminder was planned"
        elif cell.due_at != message.topic_due_at:
            reasons[message.pk] = "deadline moved since the reminder was planned"
    return reasons
