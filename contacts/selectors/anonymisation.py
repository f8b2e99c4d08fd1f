"""Which closed elections still hold their contacts' personal data, and
from when they may be anonymised (contacts.services.anonymisation). Shown
on the phone-access log page (contacts.views.access_log)."""

import datetime
from dataclasses import dataclass

from contacts.models import Election
from contacts.services.anonymisation import anonymisation_allowed_from


@dataclass
class AwaitingAnonymisation:
    election: Election
    allowed_from: datetime.datetime


def elections_awaiting_anonymisation() -> list[AwaitingAnonymisation]:
    """Closed elections not yet anonymised, earliest close-out first (one
    query)."""
    return [
        AwaitingAnonymisation(election, allowed_from)
        for election in Election.objects.filter(
            closed_at__isnull=False, anonymised_at__isnull=True
        ).order_by("closed_at", "pk")
        if (allowed_from := anonymisation_allowed_from(election)) is not None
    ]
