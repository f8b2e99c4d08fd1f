"""The demo in today's calendar (demo.calendar): load_demo moves the seed
case's dates so that polling day lies ahead (or is today, or is past) as
the phase says, and keeps it so on a later day."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import Election, Invitation, OutboundMessage, User
from demo.calendar import MOVED, NOT_MOVED
from demo.models import DemoCalendar
from incidents.models import Incident, RollCall
from incidents.selectors.rosters import duty_now
from readiness.models import Deadline, Directive
from readiness.nd30 import PartialDate
from readiness.services import seed_case_load
from readiness.services.reminders import reminders_enqueue_due
from tests.demo.loading import demo_loaded

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
VN_NOON = "2026-03-02 12:00 +07:00"
SEED_POLLING_DAY = datetime.date(2021, 5, 23)


def _today() -> datetime.date:
    return timezone.localdate()


def test_every_date_of_the_cycle_is_moved_or_said_not_to_be():
    """A date field added later must be placed in MOVED or NOT_MOVED."""
    unplaced = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in ("contacts", "incidents", "readiness"):
            continue
        if label.split(".")[1].startswith("Historical"):
            continue
        dated = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateField)
        ]
        placed = set(MOVED.get(label, ())) | set(NOT_MOVED.get(label, ()))
        unplaced += [f"{label}.{name}" for name in dated if name not in placed]
    assert unplaced == []


def test_load_seed_alone_keeps_the_real_2021_dates():
    seed_case_load()
    assert Election.objects.get().polling_day == SEED_POLLING_DAY
    # The letter leaves its day blank ("ngày … tháng 02 năm 2021").
    assert Directive.objects.get().issued == PartialDate(2021, 2)


@override_settings(DEBUG=True)
def test_the_demo_election_lies_three_weeks_ahead_with_every_date_moved_alike():
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True)
        election = Election.objects.get()
        moved = election.polling_day - SEED_POLLING_DAY
        assert election.polling_day == _today() + 23 * DAY
        assert election.before_starts_on == datetime.date(2021, 2, 7) + moved
        # The letter stays three months before polling day (February, May),
        # its day blank.
        polling = election.polling_day
        month = polling.year * 12 + polling.month - 1 - 3
        assert Directive.objects.get().issued == PartialDate(
            month // 12, month % 12 + 1
        )
        due = {
            d.obligation.code: timezone.localdate(d.due_at)
            for d in Deadline.objects.filter(organisation=None)
        }
        # D1 due within days, P1/T1 overdue a week, D2 three weeks.
        assert due["D1"] == _today() + 3 * DAY
        assert due["T1"] == _today() - 7 * DAY
        assert due["D2"] == _today() - 22 * DAY
        assert DemoCalendar.objects.get().days_moved == moved.days


@override_settings(DEBUG=True)
def test_a_later_run_keeps_polling_day_ahead_and_what_was_done():
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True)
        incidents = dict(Incident.objects.values_list("pk", "created_at"))
        invitations = dict(Invitation.objects.values_list("pk", "expires_at"))
    with time_machine.travel("2026-03-07 09:00 +07:00", tick=False):
        call_command("load_demo", seed=True)  # as `make run` does
        assert Election.objects.count() == 1  # the seed is not loaded again
        assert Election.objects.get().polling_day == _today() + 23 * DAY
        moved = dict(Incident.objects.values_list("pk", "created_at"))
        assert moved == {pk: at + 5 * DAY for pk, at in incidents.items()}
        # The links sent in the demo too: one expired, the others open.
        links = dict(Invitation.objects.values_list("pk", "expires_at"))
        assert links == {pk: at + 5 * DAY for pk, at in invitations.items()}
        assert sorted(at > timezone.now() for at in links.values()) == [
            False,
            True,
            True,
        ]


@override_settings(DEBUG=True)
def test_on_polling_day_someone_is_on_duty_and_the_board_is_busy():
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True, phase="polling-day")
        election = Election.objects.get()
        assert election.polling_day == _today()
        on_duty = duty_now(election=election, at=timezone.now())
        assert {r.organisation.code for r in on_duty if r.shifts} >= {
            "so-tttt-38",
            "vnpt-thanhhoa",
            "vnpost-thanhhoa",  # (Viettel's gap is 12:00–14:00 of polling day)
        }
        open_today = Incident.objects.filter(
            created_at__date__gte=_today() - DAY, resolved_at=None
        )
        assert open_today.count() >= 3


@override_settings(DEBUG=True)
def test_after_the_results_period_the_close_out_is_allowed():
    from readiness.services.closeout import election_close

    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True, phase="after")
        election = Election.objects.get()
        assert election.after_ends_on == _today() - DAY
        from contacts.models import User

        election_close(election=election, by=User.objects.get(username="staff"))
        election.refresh_from_db()
        assert election.is_closed


@override_settings(DEBUG=True)
def test_a_demo_made_before_the_calendar_moved_is_to_be_reset():
    from demo.users import demo_users_ensure

    seed_case_load()
    demo_users_ensure(password="x-Pass-1")
    with pytest.raises(CommandError, match="make demo-reset"):
        call_command("load_demo")


@override_settings(DEBUG=True)
def test_a_later_phase_moves_the_demo_on_and_an_earlier_one_needs_a_reset():
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True)
        demo_loaded(seed=True, phase="polling-day")
        assert Election.objects.get().polling_day == _today()
        call_command("load_demo", seed=True)  # the phase is kept
        assert Election.objects.get().polling_day == _today()
        with pytest.raises(CommandError, match="make demo-reset DEMO_PHASE=before"):
            call_command("load_demo", phase="before")


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "phases", [["before"], ["polling-day"], ["after"], ["before", "polling-day"]]
)
def test_no_phase_shows_an_overdue_count_of_more_than_a_few_weeks(phases):
    from readiness.selectors import compliance_matrix
    from readiness.selectors.obligations import overdue_as_history

    with time_machine.travel(VN_NOON, tick=False):
        for phase in phases:
            demo_loaded(seed=True, phase=phase)
        directive = Directive.objects.select_related("election").get()
        over = directive.election.is_over_on(_today())
        matrix = compliance_matrix(directive=directive, now=timezone.now())
        counts = {
            (cell.organisation.code, cell.obligation.code): days
            for cell in matrix.cells.values()
            if cell.overdue and cell.due_at is not None
            for days in [(_today() - timezone.localdate(cell.due_at)).days]
            if not overdue_as_history(days_overdue=max(days, 1), election_over=over)
        }
        assert counts or over  # some are late, by days
        # A situation report waits for the observer, whatever the phase.
        from contacts.models import User
        from contacts.selectors.inbox import inbox_messages

        observer = User.objects.get(username="observer")
        assert inbox_messages(user=observer).filter(kind="situation_report").exists()
        assert {k: d for k, d in counts.items() if d > 21} == {}


def _reminders_by_occasion() -> list[tuple[str, str, str, str]]:
    """Each reminder planned: (obligation, organisation, user, occasion),
    its deadline left out (the calendar moves it)."""
    keys = OutboundMessage.objects.filter(dedupe_key__startswith="reminder:")
    return sorted(
        (parts[1], parts[2], parts[3], parts[5])
        for parts in (k.split(":") for k in keys.values_list("dedupe_key", flat=True))
    )


@override_settings(DEBUG=True)
def test_a_reminder_planned_before_a_later_run_is_not_planned_again():
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True)
        reminders_enqueue_due(now=timezone.now())
        planned = _reminders_by_occasion()
    assert planned, "the demo has reminders due"
    with time_machine.travel("2026-03-03 08:00 +07:00", tick=False):
        call_command("load_demo", seed=True)  # `make run` the next morning
        reminders_enqueue_due(now=timezone.now())
        again = _reminders_by_occasion()
    assert len(again) == len(set(again))
    assert set(planned) <= set(again)


@override_settings(DEBUG=True)
def test_the_department_can_start_a_reachability_check_in_the_demo(client):
    """Polling day lies ahead, so a roll-call is not refused as it was when
    the demo was the 2021 election under today's clock."""
    with time_machine.travel(VN_NOON, tick=False):
        demo_loaded(seed=True)
        client.force_login(User.objects.get(username="staff"))
        response = client.post(
            reverse("roll_calls:start"),
            {"audience": "contacts", "remind_after_hours": "2"},
        )
    assert response.status_code == 302
    roll_call = RollCall.objects.get()
    assert response["Location"] == reverse("roll_calls:detail", args=[roll_call.pk])
