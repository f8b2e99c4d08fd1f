import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts.models import Organisation
from contacts.selectors import election_current
from demo.contacts import demo_contact_list_ensure
from demo.incidents import demo_incidents_ensure, demo_rosters_ensure
from demo.status_reports import demo_status_reports_ensure
from demo.users import DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = "Create the demo logins (DEBUG only). Run load_seed first."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates well-known passwords; it runs only with DEBUG on."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo-password"
        try:
            users = {u.username: u for u in demo_users_ensure(password=password)}
            self._contact_lists(users)
            election = election_current()
            demo_rosters_ensure(
                election=election, users=users, today=timezone.localdate()
            )
            demo_incidents_ensure(election=election, users=users, now=timezone.now())
            demo_status_reports_ensure(election=election, users=users)
        except Organisation.DoesNotExist:
            raise CommandError(
                "The demo organisations are missing: run `manage.py load_seed` first."
            ) from None
        self.stdout.write(
            f"Demo logins ({', '.join(DEMO_USERS)}), password: {password}"
        )

    def _contact_lists(self, users: dict) -> None:
        """Đông Sơn's list accepted (so the directory has content); Thành
        phố Thanh Hóa's submitted and awaiting review."""
        election = election_current()
        for username, reviewer in (("district2", users["staff"]), ("district", None)):
            officer = users[username]
            demo_contact_list_ensure(
                election=election,
                district=officer.membership.organisation,
                officer=officer,
                reviewer=reviewer,
            )
