"""python manage.py anonymise_election [--election ID] [--by USERNAME] [--dry-run]

Anonymises a closed election's contacts, duty rosters and roll-calls once
its retention period (PERSONAL_DATA_RETENTION_DAYS) is over
(readiness.services.anonymisation). README "Personal data" says when and
why.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contacts.models import Election, User
from contacts.services.anonymisation import AnonymisationRefused
from readiness.services.anonymisation import (
    Anonymised,
    election_anonymise_all,
    election_to_anonymise,
)


class Command(BaseCommand):
    help = (
        "Anonymise the contacts, duty rosters and roll-calls of a closed "
        "election once its retention period is over; the totals are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--election",
            type=int,
            help="The election's id (default: the latest closed election).",
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="The Department user running it, recorded in the audit trail.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would change and change nothing.",
        )

    def handle(self, *args, election=None, by=None, dry_run=False, **options):
        target = self._election(election)
        try:
            done = election_anonymise_all(
                election=target, by=self._user(by), dry_run=dry_run
            )
        except AnonymisationRefused as exc:
            raise CommandError(exc.message) from None
        self._report(target, done)

    def _election(self, pk: int | None) -> Election:
        if pk is None:
            found = election_to_anonymise()
            if found is None:
                raise CommandError(_("No election has been closed yet."))
            return found
        try:
            return Election.objects.get(pk=pk)
        except Election.DoesNotExist:
            raise CommandError(_("There is no election %(id)s.") % {"id": pk}) from None

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(
                _("There is no active user %(username)s.") % {"username": username}
            ) from None

    def _report(self, election: Election, done: Anonymised) -> None:
        if done.dry_run:
            self.stdout.write(_("Dry run: nothing was changed. It would change:"))
        else:
            self.stdout.write(self.style.SUCCESS(_("Anonymised:")))
        self.stdout.write(str(election))
        lines = [
            (_("contacts"), done.contacts.contacts),
            (_("contact history rows"), done.contacts.contact_history),
            (_("uploaded import files"), done.contacts.import_files),
            (_("shifts"), done.incidents.shifts),
            (_("shift history rows"), done.incidents.shift_history),
            (_("roll-call entries"), done.incidents.roll_call_entries),
            (_("messages to people without an account"), done.incidents.messages),
        ]
        for label, count in lines:
            self.stdout.write(f"  {label}: {count}")
