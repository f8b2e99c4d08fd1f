"""Notices: telling people that something happened to what they work on
(submitted, returned, accepted, a deadline moved, an incident's news),
through the outbox (docs/architecture.md, "The outbox").

Each person gets one in-app row (the notice in their inbox, written
delivered) and, as their choices say (contacts.selectors.notices), copies
by e-mail and SMS that the delivery worker sends after the commit. The
copies are not shown in the inbox: one entry per notice there. The key
names the occasion and the person, so writing a notice twice writes
nothing. An e-mail for someone who takes the daily digest is held for it
(contacts.services.notice_digest).

Each app builds its own occasions (readiness.services.notices,
incidents.services.notices); the contact lists' are here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Channel,
    ContactListVersion,
    Membership,
    MembershipRole,
    MessageStatus,
    NoticeKind,
    OrganisationKind,
    OutboundMessage,
    User,
)
from contacts.selectors.notices import Choice, notice_choices
from contacts.services.outbox import (
    notification_render,
    outbox_enqueue,
    outbox_messages_for,
)


@dataclass(frozen=True)
class Notice:
    """One occasion to tell people something."""

    kind: NoticeKind  # whose preferences apply
    label: str  # OutboundMessage.kind: what produced it
    key: str  # names the occasion; each person's key adds ":<user id>"
    template: str  # templates/notifications/<template>-subject.txt, …
    link: str  # absolute: it goes out by e-mail
    ctx: dict = field(default_factory=dict)


def site_link(name: str, *args, query: str = "") -> str:
    return settings.SITE_URL + reverse(name, args=args) + query


def department_reviewers() -> QuerySet[Membership]:
    """Who accepts and returns what organisations submit: the editors of
    the Department (contacts.permissions.may_change_anything)."""
    return Membership.objects.filter(
        organisation__kind=OrganisationKind.DEPARTMENT,
        organisation__is_active=True,
        role=MembershipRole.EDITOR,
        user__is_active=True,
    ).select_related("user", "organisation")


def organisation_members(organisation_ids: Iterable[int]) -> QuerySet[Membership]:
    """Every active member of the organisations, read-only members and
    heads too."""
    return Membership.objects.filter(
        organisation_id__in=list(organisation_ids), user__is_active=True
    ).select_related("user", "organisation")


def notices_enqueue(
    *,
    notice: Notice,
    recipients: Iterable[Membership],
    now: datetime.datetime,
    exclude: User | None = None,
) -> int:
    """Write the notice for each recipient once (not to `exclude`, who
    made it happen); returns how many rows are new. The texts are rendered
    once per language, in each recipient's (a fixed number of queries)."""
    members = {m.user_id: m for m in recipients if m.user.is_active}
    if exclude is not None:
        members.pop(exclude.pk, None)
    if not members:
        return 0
    choices = notice_choices(user_ids=members, kinds=[notice.kind])
    rendered: dict[str, tuple[str, str, str]] = {}
    messages = []
    for user_id, membership in sorted(members.items()):
        user = membership.user
        if user.language not in rendered:
            ctx = notice.ctx | {"link": notice.link, "language": user.language}
            rendered[user.language] = notification_render(
                name=notice.template, ctx=ctx, language=user.language
            )
        messages += notice_messages_for(
            user=user,
            dedupe_key=f"{notice.key}:{user_id}",
            texts=rendered[user.language],
            choice=choices[user_id, notice.kind],
            now=now,
            kind=notice.label[:30],
            organisation=membership.organisation,
            link=notice.link,
        )
    return outbox_enqueue(messages=messages)


def notice_messages_for(
    *,
    user: User,
    dedupe_key: str,
    texts: tuple[str, str, str],
    choice: Choice,
    now: datetime.datetime,
    **fields,
) -> list[OutboundMessage]:
    """The in-app row, and the copies the person's choice asks for."""
    copies = [
        m
        for m in outbox_messages_for(
            user=user,
            dedupe_key=dedupe_key,
            texts=texts,
            next_attempt_at=now,
            in_inbox=False,
            **fields,
        )
        if m.channel in channels_chosen(choice)
    ]
    for copy in copies:
        if choice.digest and copy.channel == Channel.EMAIL:
            copy.status = MessageStatus.HELD
    in_app = notice_in_app(
        user=user, dedupe_key=dedupe_key, texts=texts, now=now, **fields
    )
    return [in_app, *copies]


def channels_chosen(choice: Choice) -> set[str]:
    """The copies a choice asks for. The phone switch covers SMS and Zalo
    alike: both reach the same phone, and Zalo goes only where the
    Department set it up (contacts.channels.zalo.zalo_offered)."""
    chosen: set[str] = {Channel.EMAIL} if choice.email else set()
    if choice.sms:
        chosen |= {Channel.SMS, Channel.ZALO}
    return chosen


def notice_in_app(
    *,
    user: User,
    dedupe_key: str,
    texts: tuple[str, str, str],
    now: datetime.datetime,
    **fields,
) -> OutboundMessage:
    """The row that is the notice in the person's inbox: written delivered,
    the delivery worker never takes it."""
    subject, body, _html = texts
    return OutboundMessage(
        dedupe_key=f"{dedupe_key}:app",
        recipient=user,
        channel=Channel.APP,
        address="",
        language=user.language,
        subject=subject,
        body=body,
        status=MessageStatus.SENT,
        next_attempt_at=now,
        sent_at=now,
        **fields,
    )


# --- The contact lists' occasions ---------------------------------------------


def contact_list_notices_enqueue(
    *,
    version: ContactListVersion,
    event: str,
    by: User,
    now: datetime.datetime | None = None,
) -> int:
    """A version submitted (to the Department's reviewers), returned or
    accepted (to every member of the district). `event` is "submitted",
    "returned" or "accepted"; an acceptance quotes the reason recorded
    for a list that does not cover every commune."""
    contact_list = version.contact_list
    comments = {
        "returned": version.review_comment,
        "accepted": version.incomplete_coverage_reason,
    }
    organisation = contact_list.organisation
    notice = Notice(
        kind=_KINDS[event],
        label=f"contact-list-{event}",
        key=f"contact-list:{version.pk}:{event}",
        template="review",
        link=site_link("contacts:contact_list_detail", contact_list.pk),
        ctx={
            "event": event,
            "object": "contact_list",
            "organisation": organisation,
            "number": version.number,
            "comment": comments.get(event, ""),
        },
    )
    recipients = (
        department_reviewers()
        if event == "submitted"
        else organisation_members([organisation.pk])
    )
    return notices_enqueue(
        notice=notice, recipients=recipients, now=now or timezone.now(), exclude=by
    )


# The kind of notice of each step of a review.
_KINDS = {
    "submitted": NoticeKind.SUBMITTED,
    "returned": NoticeKind.RETURNED,
    "accepted": NoticeKind.ACCEPTED,
}


def review_notice_kind(event: str) -> NoticeKind:
    return _KINDS[event]
