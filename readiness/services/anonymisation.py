"""Anonymising a closed election's personal data: the contacts side and the
incidents side in one transaction (the anonymise_election command).

What is replaced and what is kept: contacts.services.anonymisation and
incidents.services.anonymisation. The election's archive
(readiness.CycleArchive) is the official record and is not altered.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from contacts.models import Election, User
from contacts.services.anonymisation import (
    ContactsAnonymised,
    anonymisation_ensure_allowed,
    election_anonymise,
)
from incidents.services.anonymisation import (
    IncidentsAnonymised,
    election_anonymise_incidents,
)


@dataclass
class Anonymised:
    contacts: ContactsAnonymised
    incidents: IncidentsAnonymised
    # True when nothing was kept (a dry run): the figures say what would
    # have changed.
    dry_run: bool = False


def election_to_anonymise() -> Election | None:
    """The election the command works on without --election: the latest
    closed one (latest close-out first)."""
    return (
        Election.objects.filter(closed_at__isnull=False)
        .order_by("-closed_at", "-pk")
        .first()
    )


@transaction.atomic
def election_anonymise_all(
    *,
    election: Election,
    by: User | None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
) -> Anonymised:
    """Anonymise the contacts, rosters and roll-calls of a closed election
    whose retention period is over (AnonymisationRefused otherwise, and on
    a second run).

    A dry run does the same work and rolls it back: its figures are exactly
    what a real run would change, and it deletes no file (the import files
    are deleted after commit only).
    """
    now = now or timezone.now()
    anonymisation_ensure_allowed(election=election, now=now)
    done = Anonymised(
        incidents=election_anonymise_incidents(election=election, now=now),
        # Last: it marks the election anonymised.
        contacts=election_anonymise(election=election, by=by, now=now),
        dry_run=dry_run,
    )
    if dry_run:
        transaction.set_rollback(True)
        # The row goes back to not anonymised with the rollback.
        election.anonymised_at = None
    return done
