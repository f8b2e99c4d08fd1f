"""Chasing the people who have not joined yet, from the Department's
adoption page (contacts.views.adoption)."""

import datetime

from django.db import transaction
from django.utils import timezone

from contacts.models import Invitation, Organisation, User
from contacts.selectors.adoption import memberships_not_joined
from contacts.services.members import invitation_resend


@transaction.atomic
def invitations_resend_not_joined(
    *,
    organisation: Organisation,
    by: User,
    now: datetime.datetime | None = None,
) -> list[Invitation]:
    """A new link to each of the organisation's people who have not joined
    yet, deactivated people left out; each previous link stops working
    (contacts.services.members.invitation_resend)."""
    now = now or timezone.now()
    return [
        invitation_resend(membership=membership, by=by, now=now)
        for membership in memberships_not_joined(organisation=organisation)
    ]
