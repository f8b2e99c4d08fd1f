"""A closed election is read-only. Every service that changes an
election's data calls `election_ensure_open` first, inside its
transaction; `contacts.middleware.ClosedElectionMiddleware` refuses the
web's writes earlier with a page that says why."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from contacts.models import Election


class ElectionClosed(PermissionDenied):
    """Raised when something would change a closed election. A
    PermissionDenied, so a view that lets it through answers 403."""

    def __init__(self, election: Election | None = None) -> None:
        super().__init__(
            _("This election has been closed: its data can be read but not changed.")
        )
        self.election = election


def election_ensure_open(election: Election | int | None) -> None:
    """Raise ElectionClosed when the election (or its id) is closed. Reads
    the row, so a close-out committed by another process is seen."""
    if election is None:
        return
    pk = election if isinstance(election, int) else election.pk
    if Election.objects.filter(pk=pk, closed_at__isnull=False).exists():
        raise ElectionClosed(election if isinstance(election, Election) else None)
