"""Notices of readiness plans, district reports and deadlines, through
contacts.services.notices: a plan or report submitted (to the
Department's reviewers), a section returned or accepted (to every member
of the organisation that filed it), a deadline moved or extended (to the
organisations whose deadline it changes, with the old and the new date).
"""

import datetime

from django.db.models import Q

from contacts.models import NoticeKind, Organisation, OrganisationKind, User
from contacts.services.notices import (
    Notice,
    department_reviewers,
    notices_enqueue,
    organisation_members,
    review_notice_kind,
    site_link,
)
from readiness.models import (
    GROUP_KINDS,
    Deadline,
    Obligation,
    PlanVersion,
    ReadinessPlan,
    ReviewStatus,
    SectionReview,
)


def _object(plan: ReadinessPlan) -> str:
    # A district files its D1 report as a plan (readiness.models.plans).
    return "report" if plan.organisation.kind == OrganisationKind.DISTRICT else "plan"


def _plan_link(plan: ReadinessPlan, version: PlanVersion, anchor: str = "") -> str:
    return site_link(
        "readiness:plan_detail", plan.pk, query=f"?version={version.number}{anchor}"
    )


def plan_submitted_notices_enqueue(
    *, version: PlanVersion, by: User, now: datetime.datetime
) -> int:
    """Tell the Department's reviewers which sections of the version await
    their review; nothing when every section was carried over unchanged."""
    awaiting = [
        review.obligation
        for review in version.reviews.filter(status=ReviewStatus.SUBMITTED)
        .select_related("obligation")
        .order_by("obligation__position")
    ]
    if not awaiting:
        return 0
    plan = version.plan
    notice = Notice(
        kind=NoticeKind.SUBMITTED,
        label="plan-submitted",
        key=f"plan:{version.pk}:submitted",
        template="review",
        link=_plan_link(plan, version),
        ctx={
            "event": "submitted",
            "object": _object(plan),
            "organisation": plan.organisation,
            "number": version.number,
            "sections": awaiting,
        },
    )
    return notices_enqueue(
        notice=notice, recipients=department_reviewers(), now=now, exclude=by
    )


def section_reviewed_notices_enqueue(
    *, review: SectionReview, by: User, now: datetime.datetime
) -> int:
    """Tell every member of the organisation that a section was returned
    (quoting the reviewer's comment) or accepted."""
    event = "returned" if review.status == ReviewStatus.RETURNED else "accepted"
    version = review.version
    plan = version.plan
    notice = Notice(
        kind=review_notice_kind(event),
        label=f"plan-{event}",
        key=f"section-review:{review.pk}:{event}",
        template="review",
        link=_plan_link(plan, version, f"#section-{review.obligation.code}"),
        ctx={
            "event": event,
            "object": _object(plan),
            "organisation": plan.organisation,
            "number": version.number,
            "obligation": review.obligation,
            "comment": review.comment,
        },
    )
    return notices_enqueue(
        notice=notice,
        recipients=organisation_members([plan.organisation_id]),
        now=now,
        exclude=by,
    )


# --- Deadlines ----------------------------------------------------------------------

# What happened to a deadline, in templates/notifications/deadline-*.
MOVED, EXTENDED, REVOKED = "moved", "extended", "revoked"


def deadlines_in_force(obligation: Obligation) -> tuple[datetime.datetime | None, dict]:
    """The default deadline and each organisation's extension (one query):
    taken before a change, to tell each organisation its old date."""
    default, extensions = None, {}
    for deadline in Deadline.objects.filter(obligation=obligation):
        if deadline.organisation_id is None:
            default = deadline.due_at
        else:
            extensions[deadline.organisation_id] = deadline.due_at
    return default, extensions


def deadline_notices_enqueue(
    *,
    obligation: Obligation,
    before: tuple[datetime.datetime | None, dict],
    occasion: str,
    reason: str,
    by: User,
    now: datetime.datetime,
    organisation: Organisation | None = None,
) -> int:
    """Tell each organisation concerned whose deadline changed, with its
    old and new date: every recipient of the obligation when the default
    moved (those whose extension still ends later are not concerned), the
    one organisation for an extension granted or revoked. `before` is
    deadlines_in_force taken before the change.

    The key names the change by the deadline's history row, so a deadline
    moved back and forth is told each time, and each change once."""
    old_default, old_extensions = before
    new_default, new_extensions = deadlines_in_force(obligation)
    kinds = GROUP_KINDS[obligation.recipient_group]
    q = Organisation.objects.filter(kind__in=kinds, is_active=True)
    if organisation is not None:
        q = q.filter(pk=organisation.pk)
    changes: dict[tuple, list[int]] = {}
    for org_id in q.values_list("pk", flat=True):
        old = old_extensions.get(org_id, old_default)
        new = new_extensions.get(org_id, new_default)
        if new is not None and old != new:
            changes.setdefault((old, new), []).append(org_id)
    change = _history_id(obligation, organisation)
    written = 0
    for (old, new), org_ids in changes.items():
        notice = Notice(
            kind=NoticeKind.DEADLINE,
            label=f"deadline-{occasion}",
            key=f"deadline:{obligation.pk}:{change}",
            template="deadline",
            link=site_link("readiness:directive_detail", obligation.directive_id),
            ctx={
                "occasion": occasion,
                "obligation": obligation,
                "old": old,
                "new": new,
                "reason": reason,
            },
        )
        written += notices_enqueue(
            notice=notice,
            recipients=organisation_members(org_ids),
            now=now,
            exclude=by,
        )
    return written


def _history_id(obligation: Obligation, organisation: Organisation | None) -> int:
    """The history row of the change just made to the deadline (the
    default's, or the organisation's extension's)."""
    extension = (
        Q(organisation__isnull=True)
        if organisation is None
        else Q(organisation_id=organisation.pk)
    )
    latest = (
        Deadline.history.filter(extension, obligation_id=obligation.pk)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    return latest or 0
