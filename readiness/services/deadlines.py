"""Setting and moving deadlines, and extensions for one organisation. The
reason goes into the audit trail (django-simple-history's change reason);
the organisations whose date changed are told, with the old and the new
date (readiness.services.notices)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from contacts.models import Organisation, User
from contacts.services.closure import election_ensure_open
from readiness.models import GROUP_KINDS, Deadline, Obligation
from readiness.services.notices import (
    EXTENDED,
    MOVED,
    REVOKED,
    deadline_notices_enqueue,
    deadlines_in_force,
)

REASON_REQUIRED = gettext_lazy("Give the reason; it is kept in the history.")
EXTENSION_NOT_LATER = gettext_lazy(
    "An extension must end after the deadline it extends."
)
NOT_ADDRESSED = gettext_lazy("This obligation is not addressed to this organisation.")
NO_DEADLINE = gettext_lazy("This obligation has no deadline to extend.")


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason.strip()


def _save(deadline: Deadline, *, reason: str, by: User) -> Deadline:
    deadline.full_clean()
    deadline._change_reason = reason
    deadline._history_user = by
    deadline.save()
    return deadline


@transaction.atomic
def deadline_set(
    *, obligation: Obligation, due_at: datetime.datetime, reason: str, by: User
) -> Deadline:
    """Set or move the deadline every recipient of the obligation has."""
    election_ensure_open(obligation.directive.election_id)
    reason = _require_reason(reason)
    before = deadlines_in_force(obligation)
    deadline = Deadline.objects.filter(obligation=obligation, organisation=None).first()
    deadline = deadline or Deadline(obligation=obligation)
    deadline.due_at, deadline.reason = due_at, reason
    # Set by hand now, no longer "E minus n days".
    deadline.days_before_polling = None
    _save(deadline, reason=reason, by=by)
    # An extension that no longer gives more time than everyone has is moot.
    for moot in Deadline.objects.filter(
        obligation=obligation, organisation__isnull=False, due_at__lte=due_at
    ):
        moot._change_reason, moot._history_user = reason, by
        moot.delete()
    deadline_notices_enqueue(
        obligation=obligation,
        before=before,
        occasion=MOVED,
        reason=reason,
        by=by,
        now=timezone.now(),
    )
    return deadline


@transaction.atomic
def deadline_extension_grant(
    *,
    obligation: Obligation,
    organisation: Organisation,
    due_at: datetime.datetime,
    reason: str,
    by: User,
) -> Deadline:
    """Give one organisation more time than the deadline of everyone else."""
    election_ensure_open(obligation.directive.election_id)
    reason = _require_reason(reason)
    if organisation.kind not in GROUP_KINDS[obligation.recipient_group]:
        raise ValidationError({"organisation": NOT_ADDRESSED})
    default = Deadline.objects.filter(obligation=obligation, organisation=None).first()
    if default is None:
        raise ValidationError({"obligation": NO_DEADLINE})
    if due_at <= default.due_at:
        raise ValidationError({"due_at": EXTENSION_NOT_LATER})
    extension = Deadline.objects.filter(
        obligation=obligation, organisation=organisation
    ).first()
    extension = extension or Deadline(obligation=obligation, organisation=organisation)
    before = deadlines_in_force(obligation)
    extension.due_at, extension.reason = due_at, reason
    _save(extension, reason=reason, by=by)
    deadline_notices_enqueue(
        obligation=obligation,
        before=before,
        occasion=EXTENDED,
        reason=reason,
        by=by,
        now=timezone.now(),
        organisation=organisation,
    )
    return extension


@transaction.atomic
def deadline_extension_revoke(*, extension: Deadline, reason: str, by: User) -> None:
    election_ensure_open(extension.obligation.directive.election_id)
    reason = _require_reason(reason)
    if extension.organisation_id is None:
        raise ValidationError(
            gettext_lazy("This is the deadline of everyone, not an extension.")
        )
    obligation, organisation = extension.obligation, extension.organisation
    before = deadlines_in_force(obligation)
    extension._change_reason = reason
    extension._history_user = by
    extension.delete()
    deadline_notices_enqueue(
        obligation=obligation,
        before=before,
        occasion=REVOKED,
        reason=reason,
        by=by,
        now=timezone.now(),
        organisation=organisation,
    )
