"""The moment the Election Committee report is made for
(readiness.views.report)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.formats.vi.formats import DATETIME_INPUT_FORMATS
from contacts.validators import validate_date_in_range

# Typed the Vietnamese way whatever the page language (config/formats/vi):
# 15/04/2021 17:00. Seconds are kept so that a download link gives exactly
# the moment of the page it was shown on.
MOMENT_WIDGET_FORMAT = "%d/%m/%Y %H:%M:%S"
MOMENT_IN_FUTURE = _("The report can only be made for a moment that has passed.")


class ReportMomentForm(forms.Form):
    moment = forms.DateTimeField(
        label=_("As of"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(
            format=MOMENT_WIDGET_FORMAT,
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
        ),
        error_messages={
            "invalid": _(
                "Write the moment as day/month/year hour:minute, e.g. 15/04/2021 17:00."
            )
        },
        help_text=_(
            "Day/month/year hour:minute, Vietnam time; empty for now. A date "
            "alone means 00:00 of that day."
        ),
        validators=[validate_date_in_range],
    )

    def __init__(self, *args, now: datetime.datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_moment(self) -> datetime.datetime:
        """The moment asked for, to the second; now when none was given. A
        moment still to come is refused: its figures could still change."""
        moment = self.cleaned_data.get("moment")
        if moment is None:
            return self.now.replace(microsecond=0)
        if moment > self.now:
            raise forms.ValidationError(MOMENT_IN_FUTURE, code="future")
        return moment.replace(microsecond=0)


def moment_param(moment: datetime.datetime) -> str:
    """The moment as the form reads it back (download links)."""
    return timezone.localtime(moment).strftime(MOMENT_WIDGET_FORMAT)
