"""The form that sets how often polling-day situation reports are made
(readiness.views.situation_reports; the service checks the election is
open: readiness.services.situation_reports.situation_report_interval_set)."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Election.situation_report_every_hours allows the same range.
MIN_HOURS, MAX_HOURS = 1, 24
BAD_HOURS = _("Enter a whole number of hours from 1 to 24.")


class SituationIntervalForm(forms.Form):
    situation_report_every_hours = forms.IntegerField(
        label=_("Make a situation report every (hours)"),
        min_value=MIN_HOURS,
        max_value=MAX_HOURS,
        help_text=_(
            "On polling day the first report is made at 07:00, when the polls "
            "open, then every so many hours until midnight."
        ),
        error_messages={
            "required": BAD_HOURS,
            "invalid": BAD_HOURS,
            "min_value": BAD_HOURS,
            "max_value": BAD_HOURS,
        },
    )
