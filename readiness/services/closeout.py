"""Closing an election once its "after" period is over: from then on its
data is read-only (contacts.services.closure, and
contacts.middleware.ClosedElectionMiddleware for the web), and its archive
is made (readiness.services.archive) in the same transaction.

The archive is made in the request that closes: a province's archive is a
few MB and takes seconds (its PDF most), and a close-out that said "done"
before its archive existed would leave nothing to download if a worker
were down.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Election, User
from contacts.permissions import Action, may
from readiness.models import CycleArchive
from readiness.services.archive import archive_make


def too_early_message(election: Election) -> str:
    return _(
        "This election cannot be closed before its after-polling period ends "
        "(%(day)s): it can be closed from the next day on."
    ) % {"day": f"{election.after_ends_on:%d/%m/%Y}"}


def already_closed_message() -> str:
    return _("This election has already been closed.")


@transaction.atomic
def election_close(
    *, election: Election, by: User, now: datetime.datetime | None = None
) -> CycleArchive:
    """Close `election` and make its archive.

    1. Only a Department editor may (PermissionDenied otherwise).
    2. Refused until the day after `after_ends_on` (Vietnam time).
    3. Claimed by a conditional UPDATE, so that two clicks close once.
    4. The archive is made and stored (CycleArchive).
    """
    now = now or timezone.now()
    if not may(by, Action.CHANGE, election):
        raise PermissionDenied
    if timezone.localdate(now) <= election.after_ends_on:
        raise ValidationError(too_early_message(election))
    claimed = Election.objects.filter(pk=election.pk, closed_at__isnull=True).update(
        closed_at=now, closed_by=by
    )
    if not claimed:
        raise ValidationError(already_closed_message())
    # Saved again through the model, so the audit trail records who closed.
    election.closed_at, election.closed_by = now, by
    election.save(update_fields=["closed_at", "closed_by"])
    return archive_make(election=election, by=by, now=now)
