"""Everything awaiting the Department's review, oldest first."""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from contacts.models import ContactListVersion, Organisation, User, VersionStatus
from readiness.models import (
    Directive,
    EvidenceKind,
    Obligation,
    ReviewStatus,
    SectionReview,
)


@dataclass(frozen=True)
class QueueItem:
    organisation: Organisation
    what: str  # obligation code and title, or the contact list
    version_number: int
    submitted_at: datetime.datetime
    url: str  # the record's page, at its review
    claimed_by: User | None  # the Department editor reviewing it
    claim_url: str
    release_url: str

    def waited(self, now: datetime.datetime) -> datetime.timedelta:
        return now - self.submitted_at


def review_queue(*, directive: Directive) -> list[QueueItem]:
    """Plan sections and contact lists awaiting review (three queries)."""
    sections, lists, contact_obligation = _awaiting(directive)
    items = [_section_item(r) for r in sections.order_by("version__submitted_at")]
    if contact_obligation is not None:
        items += [_list_item(v, contact_obligation) for v in lists]
    return sorted(items, key=lambda item: item.submitted_at)


def review_queue_summary(*, directive: Directive) -> tuple[int, QueueItem | None]:
    """How many items await review, and the oldest (five queries, however
    long the queue: the dashboard shows no more)."""
    sections, lists, contact_obligation = _awaiting(directive)
    oldest = [_section_item(r) for r in sections.order_by("version__submitted_at")[:1]]
    count = sections.count()
    if contact_obligation is not None:
        oldest += [
            _list_item(v, contact_obligation)
            for v in lists.order_by("submitted_at")[:1]
        ]
        count += lists.count()
    return count, min(oldest, key=lambda item: item.submitted_at, default=None)


def _awaiting(directive: Directive):
    sections = SectionReview.objects.filter(
        version__plan__directive=directive, status=ReviewStatus.SUBMITTED
    ).select_related("version__plan__organisation", "obligation", "claimed_by")
    lists = ContactListVersion.objects.filter(
        contact_list__election_id=directive.election_id, status=VersionStatus.SUBMITTED
    ).select_related("contact_list__organisation", "claimed_by")
    contact_obligation = Obligation.objects.filter(
        directive=directive, evidence_kind=EvidenceKind.CONTACT_LIST
    ).first()
    return sections, lists, contact_obligation


def _section_item(review: SectionReview) -> QueueItem:
    version = review.version
    return QueueItem(
        organisation=version.plan.organisation,
        what=str(review.obligation),
        version_number=version.number,
        submitted_at=version.submitted_at,
        url=reverse("readiness:plan_detail", args=[version.plan_id])
        + f"?version={version.number}#section-{review.obligation.code}",
        claimed_by=review.claimed_by,
        claim_url=reverse("readiness:review_claim", args=[review.pk]),
        release_url=reverse("readiness:review_release", args=[review.pk]),
    )


def _list_item(version: ContactListVersion, obligation: Obligation) -> QueueItem:
    return QueueItem(
        organisation=version.contact_list.organisation,
        what=str(obligation),
        version_number=version.number,
        submitted_at=version.submitted_at,
        url=reverse("contacts:contact_list_detail", args=[version.contact_list_id])
        + f"?version={version.number}#review-heading",
        claimed_by=version.claimed_by,
        claim_url=reverse("readiness:version_claim", args=[version.pk]),
        release_url=reverse("readiness:version_release", args=[version.pk]),
    )
