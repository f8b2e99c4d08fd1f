import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contacts.models import Election, Organisation, User
from contacts.selectors import election_current
from demo.calendar import demo_calendar_anchor
from demo.contacts import demo_contact_list_ensure
from demo.incidents import demo_incidents_ensure, demo_rosters_ensure
from demo.models import DemoCalendar, DemoPhase
from demo.state import demo_work_ensure
from demo.status_reports import demo_status_reports_ensure
from demo.users import (
    DEMO_USERS,
    demo_invitations_ensure,
    demo_organisation_logins_ensure,
    demo_users_ensure,
)
from readiness.selectors import directive_current
from readiness.services import seed_case_load

OLDER_DEMO = (
    "This database holds a demo made before the demo moved to today's "
    "calendar; start it over with `make demo-reset`."
)


class Command(BaseCommand):
    help = (
        "Create the demo logins and data (DEBUG only), with the election moved "
        "to today's calendar. Run load_seed first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--phase",
            choices=DemoPhase.values,
            help=(
                "Where today falls: before polling day (the first time's "
                "default), on polling day, or in the results period. "
                "Without it, the phase of the last run."
            ),
        )

        parser.add_argument(
            "--seed",
            action="store_true",
            help=(
                "Load the seed case first (load_seed) when the database has "
                "no demo yet; `make run` passes it."
            ),
        )

    def handle(self, *args, phase: str | None = None, seed: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates well-known passwords; it runs only with DEBUG on."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo-password"
        if seed and not DemoCalendar.objects.exists():
            seed_case_load()
        election = _election()
        calendar = _calendar(election, phase)
        try:
            users = {u.username: u for u in demo_users_ensure(password=password)}
            logins = demo_organisation_logins_ensure(password=password)
            demo_invitations_ensure(staff=users["staff"], today=calendar.anchored_on)
            self._contact_lists(election, users)
            now = timezone.now()
            demo_rosters_ensure(
                election=election, users=users, today=timezone.localdate(now)
            )
            demo_incidents_ensure(
                election=election, users=users, now=now, phase=calendar.phase
            )
            demo_status_reports_ensure(election=election, users=users, now=now)
            _work(election, users, logins, now)
        except Organisation.DoesNotExist:
            raise CommandError(
                "The demo organisations are missing: run `manage.py load_seed` first."
            ) from None
        self.stdout.write(
            f"Demo election: polling day {election.polling_day:%d/%m/%Y} "
            f"(phase {calendar.phase}; DEMO_PHASE=before|polling-day|after "
            "make run to change, make demo-reset to start over)."
        )
        self.stdout.write(
            f"Demo logins ({', '.join(DEMO_USERS)}, and one per organisation "
            f"named by its code, {len(logins)} in all), password: {password}"
        )

    def _contact_lists(self, election: Election, users: dict) -> None:
        """Đông Sơn's list accepted (so the directory has content); Thành
        phố Thanh Hóa's submitted and awaiting review."""
        for username, reviewer in (("district2", users["staff"]), ("district", None)):
            officer = users[username]
            demo_contact_list_ensure(
                election=election,
                district=officer.membership.organisation,
                officer=officer,
                reviewer=reviewer,
            )


def _work(election: Election, users: dict, logins: list[User], now) -> None:
    """The state of work across the province (demo.state)."""
    directive = directive_current(election=election)
    if directive is None:
        return
    officers = {u.membership.organisation.code: u for u in logins}
    officers |= {u.membership.organisation.code: u for u in users.values()}
    demo_work_ensure(
        election=election,
        directive=directive,
        staff=users["staff"],
        officers=officers,
        now=now,
    )


def _election() -> Election:
    election = election_current()
    if election is None:
        raise CommandError("There is no election: run `manage.py load_seed` first.")
    return election


def _order(phase: str) -> int:
    return list(DemoPhase.values).index(phase)


def _calendar(election: Election, phase: str | None) -> DemoCalendar:
    """Move the election to today's calendar (demo.calendar)."""
    recorded = DemoCalendar.objects.first()
    if recorded is None and User.objects.filter(username__in=DEMO_USERS).exists():
        raise CommandError(OLDER_DEMO)
    phase = phase or (recorded.phase if recorded else DemoPhase.BEFORE)
    if recorded is not None and _order(phase) < _order(recorded.phase):
        # What was done in the later phase would land in the future.
        raise CommandError(
            f"The demo is in the {recorded.phase} phase and cannot go back to "
            f"{phase}; start over with `make demo-reset DEMO_PHASE={phase}`."
        )
    return demo_calendar_anchor(
        election=election, phase=phase, today=timezone.localdate()
    )
