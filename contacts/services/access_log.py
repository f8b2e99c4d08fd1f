"""Recording who read election officials' phone numbers.

Called once per request by each view that shows them: the directory
(search page, export, print sheet: contacts.views.directory), a district's
contact list and its changes (contacts.views.contact_lists) and the API
(contacts.api.directory). Read by contacts.views.access_log.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import PhoneAccess, PhoneAccessKind, User
from contacts.permissions import membership_of


# No savepoint: the two INSERTs join the request's transaction
# (ATOMIC_REQUESTS), so that recording costs two queries, not four.
@transaction.atomic(savepoint=False)
def phone_access_record(
    *,
    user: User,
    kind: PhoneAccessKind,
    districts: Iterable[int],
    purpose: str = "",
    now: datetime.datetime | None = None,
) -> PhoneAccess | None:
    """Write one row naming `user`, their organisation, `kind`, `purpose`
    and the district organisations (pks) whose phones were shown; nothing
    when no district's phones were shown (an empty search, an empty page).

    Two INSERTs whatever the number of districts: the row, then its
    districts in one bulk INSERT. The
    organisation comes from the membership the request has already read
    (contacts.permissions.membership_of caches it; an API token's user gets
    its token's organisation there), so it costs no query.
    """
    districts = sorted(set(districts))
    if not districts:
        return None
    membership = membership_of(user)
    access = PhoneAccess.objects.create(
        user=user,
        organisation_id=membership.organisation_id if membership else None,
        at=now or timezone.now(),
        kind=kind,
        purpose=purpose,
    )
    through = PhoneAccess.districts.through
    through.objects.bulk_create(
        [through(phoneaccess_id=access.pk, organisation_id=pk) for pk in districts]
    )
    return access


def export_preamble(
    *, user: User, purpose: str, now: datetime.datetime
) -> list[list[str]]:
    """An export's first rows: that it holds personal data, its purpose,
    who exported it and when; then an empty row before the headers."""
    membership = membership_of(user)
    who = user.get_username()
    if user.full_name:
        who = f"{user.full_name} ({who})"
    if membership is not None:
        who = f"{who}, {membership.organisation}"
    return [
        [gettext("Personal data: use only for the purpose below.")],
        [gettext("Purpose"), purpose],
        [gettext("Exported by"), who],
        [gettext("Exported at"), timezone.localtime(now).strftime("%d/%m/%Y %H:%M")],
        [],
    ]
