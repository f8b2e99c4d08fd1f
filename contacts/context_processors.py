from django.utils.functional import SimpleLazyObject

from contacts.middleware import request_election
from contacts.models import OrganisationKind
from contacts.permissions import is_department, membership_of, sees_everything
from contacts.selectors.inbox import unread_count


def membership(request):
    """The signed-in user's membership and role flags, for the navigation."""
    m = membership_of(request.user) if hasattr(request, "user") else None
    return {
        "current_membership": m,
        "current_organisation": m.organisation if m else None,
        "nav_sees_everything": sees_everything(m),
        "nav_is_department": is_department(m),
        # Counted only when a page shows the badge (templates/base.html).
        "nav_unread_count": SimpleLazyObject(
            lambda: unread_count(request.user) if hasattr(request, "user") else 0
        ),
        "nav_is_district": m is not None
        and m.organisation.kind == OrganisationKind.DISTRICT,
        # The current election when it is closed (the read-only banner of
        # templates/base.html): one query per page, shared with
        # contacts.middleware.ClosedElectionMiddleware.
        "nav_closed_election": SimpleLazyObject(lambda: _closed_election(request)),
    }


def _closed_election(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return None
    election = request_election(request)
    return election if election is not None and election.is_closed else None
