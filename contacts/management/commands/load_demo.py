import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contacts.models import Organisation
from contacts.services import DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = "Create the demo logins (DEBUG only). Run load_seed first."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates well-known passwords; it runs only with DEBUG on."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo-password"
        try:
            demo_users_ensure(password=password)
        except Organisation.DoesNotExist:
            raise CommandError(
                "The demo organisations are missing: run `manage.py load_seed` first."
            ) from None
        self.stdout.write(
            f"Demo logins ({', '.join(DEMO_USERS)}), password: {password}"
        )
