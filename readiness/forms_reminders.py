"""The reminder rule form (readiness.views.reminders). It checks the shape
of what was typed and normalises it; readiness.services.reminders and
readiness.services.digest read the saved rule on every tick."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from contacts.forms import form_field
from readiness.models import ReminderRule

# Typed the same way whatever the page language; "21h00" is how times are
# often written in Vietnamese.
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M"]
LAST_HOUR = 23
BAD_OFFSETS = _(
    "Enter whole numbers of days above zero, separated by commas, e.g. 7,3,1."
)
BAD_OFFSET_PART = _("“%(part)s” is not a whole number of days above zero.")
# The reminder tick counts back from each deadline by the offsets
# (readiness.services.reminders): a huge offset would overflow the date.
MAX_OFFSET_DAYS = 365
OFFSET_TOO_FAR = _("“%(part)s” is more than %(days)s days before the deadline.")
BAD_TIME = _("Enter a time as hour:minute, e.g. 21:00.")


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(
        format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric"}
    )


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = [
            "enabled",
            "offsets_days",
            "overdue_daily",
            "head_after_overdue_days",
            "quiet_start",
            "quiet_end",
            "digest_hour",
        ]
        widgets = {"quiet_start": _time_widget(), "quiet_end": _time_widget()}
        error_messages = {
            "quiet_start": {"invalid": BAD_TIME},
            "quiet_end": {"invalid": BAD_TIME},
        }
        help_texts = {
            "enabled": _("Untick to stop every deadline reminder."),
            "head_after_overdue_days": _(
                "0 reminds the head from the first overdue day."
            ),
            "quiet_end": _(
                "No reminder is sent between these times: it waits until the "
                "end. The same time twice means no quiet hours."
            ),
            "digest_hour": _(
                "0 to 23, Vietnam time: the Department's daily e-mail goes out "
                "at or after this hour."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("quiet_start", "quiet_end"):
            form_field(self, name, forms.TimeField).input_formats = TIME_FORMATS
        digest_hour = self.fields["digest_hour"]
        digest_hour.validators.append(MaxValueValidator(LAST_HOUR))
        digest_hour.widget.attrs["max"] = LAST_HOUR
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Reminders to recipients"),
                "enabled",
                "offsets_days",
                "overdue_daily",
                "head_after_overdue_days",
            ),
            Fieldset(
                _("Quiet hours"),
                Row(Column("quiet_start"), Column("quiet_end")),
            ),
            Fieldset(_("Staff digest"), "digest_hour"),
        )

    def clean_offsets_days(self) -> str:
        """'7, 3,1' becomes '7,3,1': whole days above zero, largest first,
        each once. ReminderRule.offsets silently skips malformed parts, so
        they are refused here instead."""
        parts = [p.strip() for p in self.cleaned_data["offsets_days"].split(",")]
        for part in parts:
            if not part:
                raise forms.ValidationError(BAD_OFFSETS)
            if not (part.isascii() and part.isdigit()) or int(part) == 0:
                raise forms.ValidationError(
                    [BAD_OFFSET_PART % {"part": part}, BAD_OFFSETS]
                )
            if int(part) > MAX_OFFSET_DAYS:
                raise forms.ValidationError(
                    OFFSET_TOO_FAR % {"part": part, "days": MAX_OFFSET_DAYS}
                )
        days = sorted({int(p) for p in parts}, reverse=True)
        return ",".join(str(d) for d in days)
