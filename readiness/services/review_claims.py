"""Claiming an item of the review queue: a Department editor says "I am
reviewing this", so that the others see it and take another item. A claim
is a courtesy, not a lock: another editor cannot claim the item but may
still accept or return it, and accepting or returning it ends the claim
(contacts.services.contact_lists, readiness.services.plans). Each public
function is one transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from contacts.models import ContactListVersion, User, VersionStatus
from contacts.permissions import may_change_anything, membership_of
from contacts.services.closure import election_ensure_open
from readiness.models import ReviewStatus, SectionReview

QueueRecord = ContactListVersion | SectionReview

NOT_AWAITING = gettext_lazy("It is no longer awaiting review.")
CLAIMED_BY_ANOTHER = gettext_lazy(
    "%(name)s is already reviewing it. You may still accept or return it."
)
RELEASE_BY_ANOTHER = gettext_lazy(
    "Only %(name)s, who is reviewing it, can release it. You may still accept "
    "or return it."
)


def _election_id(record: QueueRecord) -> int:
    if isinstance(record, ContactListVersion):
        return record.contact_list.election_id
    return record.version.plan.directive.election_id


def _awaiting(record: QueueRecord) -> bool:
    if isinstance(record, ContactListVersion):
        return record.status == VersionStatus.SUBMITTED
    return record.status == ReviewStatus.SUBMITTED


def _locked(record: QueueRecord, by: User) -> QueueRecord:
    """The record, its row locked, so that two editors claiming at the same
    moment cannot both have it: the second reads the first's claim."""
    if not may_change_anything(membership_of(by)):
        raise PermissionDenied
    election_ensure_open(_election_id(record))
    # No join: a row read after waiting for the lock is read afresh, but
    # PostgreSQL would keep the joined claimer as it was before the wait.
    return type(record).objects.select_for_update().get(pk=record.pk)


@transaction.atomic
def review_claim(
    *, record: QueueRecord, by: User, now: datetime.datetime | None = None
) -> QueueRecord:
    """Mark `record` as being reviewed by `by`. Claiming one's own claim
    again changes nothing."""
    record = _locked(record, by)
    if not _awaiting(record):
        raise ValidationError(NOT_AWAITING, code="not_awaiting")
    if record.claimed_by_id not in (None, by.pk):
        raise ValidationError(
            CLAIMED_BY_ANOTHER, code="claimed", params={"name": str(record.claimed_by)}
        )
    if record.claimed_by_id is None:
        record.claimed_by, record.claimed_at = by, now or timezone.now()
        # An UPDATE, not save(): a claim writes no audit-trail row.
        type(record).objects.filter(pk=record.pk).update(
            claimed_by=by, claimed_at=record.claimed_at
        )
    return record


@transaction.atomic
def review_release(*, record: QueueRecord, by: User) -> QueueRecord:
    """Free `record` for another reviewer; only the one who claimed it may.
    Releasing what nobody claims (released already, or decided) changes
    nothing."""
    record = _locked(record, by)
    if record.claimed_by_id is None:
        return record
    if record.claimed_by_id != by.pk:
        raise ValidationError(
            RELEASE_BY_ANOTHER, code="claimed", params={"name": str(record.claimed_by)}
        )
    record.claimed_by, record.claimed_at = None, None
    type(record).objects.filter(pk=record.pk).update(claimed_by=None, claimed_at=None)
    return record
