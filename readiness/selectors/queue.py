"""Everything awaiting the Department's review, oldest first."""

import datetime
from dataclasses import dataclass

from django.urls import reverse

from contacts.models import ContactListVersion, Organisation, VersionStatus
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
    url: str

    def waited(self, now: datetime.datetime) -> datetime.timedelta:
        return now - self.submitted_at


def review_queue(*, directive: Directive) -> list[QueueItem]:
    """Plan sections and contact lists awaiting review (three queries)."""
    sections = (
        SectionReview.objects.filter(
            version__plan__directive=directive, status=ReviewStatus.SUBMITTED
        )
        .select_related("version__plan__organisation", "obligation")
        .order_by("version__submitted_at")
    )
    items = [
        QueueItem(
            organisation=r.version.plan.organisation,
            what=str(r.obligation),
            version_number=r.version.number,
            submitted_at=r.version.submitted_at,
            url=reverse("readiness:plan_detail", args=[r.version.plan_id])
            + f"?version={r.version.number}#section-{r.obligation.code}",
        )
        for r in sections
    ]
    contact_obligation = Obligation.objects.filter(
        directive=directive, evidence_kind=EvidenceKind.CONTACT_LIST
    ).first()
    if contact_obligation is None:
        return items
    lists = ContactListVersion.objects.filter(
        contact_list__election_id=directive.election_id, status=VersionStatus.SUBMITTED
    ).select_related("contact_list__organisation")
    items += [
        QueueItem(
            organisation=v.contact_list.organisation,
            what=str(contact_obligation),
            version_number=v.number,
            submitted_at=v.submitted_at,
            url=reverse("contacts:contact_list_detail", args=[v.contact_list_id])
            + f"?version={v.number}",
        )
        for v in lists
    ]
    return sorted(items, key=lambda item: item.submitted_at)
