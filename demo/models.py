"""The demo's own record: how far `load_demo` moved the seed case's
calendar, and in which phase it runs (demo.calendar)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoPhase(models.TextChoices):
    """Where today falls in the demo election (README "Demo phases")."""

    BEFORE = "before", _("before polling day")
    POLLING_DAY = "polling-day", _("polling day")
    AFTER = "after", _("results period")


class DemoCalendar(models.Model):
    """One row, written by load_demo: the seed's dates plus `days_moved`
    are the demo's; `phase` says where today is put on the next run."""

    phase = models.CharField(max_length=20, choices=DemoPhase.choices)
    days_moved = models.IntegerField(default=0)
    # The day load_demo last moved the calendar (Vietnam time).
    anchored_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.phase} ({self.days_moved:+d} days)"
