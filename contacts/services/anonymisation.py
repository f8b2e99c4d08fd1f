"""Anonymising an election's contacts once its records need them no more.

After close-out (Election.closed_at) and PERSONAL_DATA_RETENTION_DAYS, the
names, phone numbers, e-mail addresses and notes of the election bodies'
contacts are replaced, in the live rows and in their audit trail, and the
uploaded spreadsheets are deleted. Rows are kept, so every count the
dashboard, the report and the contact-list pages make stays the same:
bodies, contacts per body, position and commune, and coverage (a contact
who had a phone keeps a placeholder, so "has a phone" still holds).

The archive made at close-out (readiness.CycleArchive) is the official
record kept under the Department's archive rules: it is not altered.

A closed election is read-only for everyone else (contacts.services.
closure); this is the one writer allowed, so it does not call
election_ensure_open. The incidents side (rosters, roll-calls) is in
incidents.services.anonymisation; readiness.services.anonymisation runs
both in one transaction (the anonymise_election command).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import (
    Contact,
    ContactImport,
    ContactList,
    Election,
    ElectionBody,
    User,
)

# What replaces a contact's name: the first 8 hex digits of its uid, which
# every copy of the person shares (the draft, each frozen version, each
# history row), so comparing two versions still shows no change where
# there was none. A UUID cast to text starts with the same 8 digits on
# SQLite (hex) and PostgreSQL (dashed), so one UPDATE does a whole table.
CONTACT_NAME_PREFIX = "Người liên hệ #"
# What replaces the phone numbers of a contact who had some: not a number
# (nothing to dial), but not empty, so coverage ("a commune whose team has
# someone with a phone", contacts.selectors.contact_lists) is unchanged.
PHONE_PLACEHOLDER = "***"


class AnonymisationRefused(Exception):
    """The election may not be anonymised (yet, or again). The message is a
    translated sentence that can be shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ContactsAnonymised:
    """How many rows were changed, per kind."""

    contacts: int = 0
    contact_history: int = 0
    import_files: int = 0


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def anonymisation_allowed_from(election: Election) -> datetime.datetime | None:
    """When the election's contacts may be anonymised: close-out plus the
    retention period; None while it is not closed."""
    if election.closed_at is None:
        return None
    return election.closed_at + retention()


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def not_closed_message() -> str:
    return gettext(
        "This election has not been closed: its contacts can be anonymised "
        "only %(days)s days after its close-out."
    ) % {"days": settings.PERSONAL_DATA_RETENTION_DAYS}


def too_early_message(
    *, closed_at: datetime.datetime, allowed_from: datetime.datetime
) -> str:
    return gettext(
        "The contacts of this election can be anonymised from %(date)s "
        "(close-out on %(closed)s plus %(days)s days of retention)."
    ) % {
        "date": _when(allowed_from),
        "closed": _when(closed_at),
        "days": settings.PERSONAL_DATA_RETENTION_DAYS,
    }


def already_done_message(anonymised_at: datetime.datetime) -> str:
    return gettext("The contacts of this election were anonymised on %(date)s.") % {
        "date": _when(anonymised_at)
    }


def anonymisation_ensure_allowed(
    *, election: Election, now: datetime.datetime, again: bool = False
) -> None:
    """Raise AnonymisationRefused unless the election is closed and its
    retention period is over; and, unless `again`, not yet anonymised.
    Reads the row, so a close-out committed meanwhile is seen."""
    election.refresh_from_db(fields=["closed_at", "anonymised_at"])
    allowed_from = anonymisation_allowed_from(election)
    if allowed_from is None or election.closed_at is None:
        raise AnonymisationRefused(not_closed_message())
    if election.anonymised_at is not None and not again:
        raise AnonymisationRefused(already_done_message(election.anonymised_at))
    if now < allowed_from:
        raise AnonymisationRefused(
            too_early_message(closed_at=election.closed_at, allowed_from=allowed_from)
        )


def _placeholder_name() -> Concat:
    return Concat(
        Value(CONTACT_NAME_PREFIX),
        Substr(Cast("uid", output_field=CharField()), 1, 8),
        output_field=CharField(),
    )


def _scrub(q: QuerySet) -> int:
    """Replace the personal fields of contact rows (live or historical):
    two UPDATEs, whatever the number of rows."""
    q.filter(phones__gt="").update(phones=PHONE_PLACEHOLDER)
    return q.update(full_name=_placeholder_name(), email="", note="")


def _body_ids(election: Election) -> tuple[QuerySet, QuerySet]:
    """The election's bodies, live and removed ones (their history rows),
    as subqueries: the draft's, every frozen version's."""
    lists = ContactList.objects.filter(election=election).values("pk")
    live = ElectionBody.objects.filter(contact_list__in=lists).values("pk")
    removed = ElectionBody.history.filter(contact_list_id__in=lists).values("id")
    return live, removed


def _delete_import_files(election: Election) -> int:
    """Delete the uploaded spreadsheets, and the plans kept of those never
    confirmed (contacts.services.kept_plans), once the transaction commits
    (a rolled-back run, or a dry run, deletes nothing) and clear their rows'
    file fields; the rows stay, with their counts. Returns the number of
    uploaded files."""
    imports = ContactImport.objects.filter(contact_list__election=election).exclude(
        file="", plan_file=""
    )
    names = list(imports.values_list("file", "plan_file"))
    # Both fields keep their files in the default storage.
    storage = ContactImport._meta.get_field("file").storage

    def delete_files() -> None:
        for name in (name for pair in names for name in pair if name):
            storage.delete(name)

    transaction.on_commit(delete_files)
    imports.update(file="", plan_file="")
    return sum(1 for name, _plan_name in names if name)


@transaction.atomic
def election_anonymise(
    *, election: Election, by: User | None, now: datetime.datetime | None = None
) -> ContactsAnonymised:
    """Anonymise the contacts of a closed election whose retention period
    is over, once.

    1. Refuse unless closed, past close-out plus the retention, and not yet
       anonymised (AnonymisationRefused, with the date it is allowed from).
    2. Replace name, phones, e-mail and note of every contact of the
       election's lists (draft and versions) and of their history rows.
    3. Delete the uploaded import files (after commit).
    4. Record when and by whom: Election.anonymised_at, with a history row
       naming the user.
    """
    now = now or timezone.now()
    anonymisation_ensure_allowed(election=election, now=now)
    live, removed = _body_ids(election)
    in_bodies = Q(body_id__in=live) | Q(body_id__in=removed)
    done = ContactsAnonymised(
        contacts=_scrub(Contact.objects.filter(body__in=live)),
        contact_history=_scrub(Contact.history.filter(in_bodies)),
        import_files=_delete_import_files(election),
    )
    election.anonymised_at = now
    election._history_user = by
    election._change_reason = gettext(
        "Contacts anonymised: %(contacts)s contacts, %(history)s history rows, "
        "%(files)s import files."
    ) % {
        "contacts": done.contacts,
        "history": done.contact_history,
        "files": done.import_files,
    }
    election.save(update_fields=["anonymised_at"])
    return done


__all__ = [
    "CONTACT_NAME_PREFIX",
    "PHONE_PLACEHOLDER",
    "AnonymisationRefused",
    "ContactsAnonymised",
    "anonymisation_allowed_from",
    "anonymisation_ensure_allowed",
    "election_anonymise",
]
