"""The notification settings forms (contacts.views.notices): per kind of
notice, e-mail and SMS ticked or not; for a person, the daily digest too.
A mandatory kind's boxes are shown ticked and cannot be changed (the
service ignores them anyway)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.selectors.notices import PreferenceRow


class NoticeChannelsForm(forms.Form):
    """One `email_<kind>` and one `sms_<kind>` checkbox per row, and
    `daily_digest` when `digest` is given (a person's page)."""

    def __init__(
        self,
        *args,
        rows: list[PreferenceRow],
        digest: bool | None = None,
        read_only: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel, label in (("email", _("e-mail")), ("sms", _("SMS"))):
                self.fields[f"{channel}_{row.kind}"] = forms.BooleanField(
                    label=f"{row.kind.label}: {label}",
                    required=False,
                    initial=getattr(row, channel),
                    disabled=row.mandatory or read_only,
                )
        if digest is not None:
            self.fields["daily_digest"] = forms.BooleanField(
                label=_("Send me one e-mail a day with all my notices"),
                help_text=_(
                    "Instead of one e-mail per notice, one at the end of the day. "
                    "Reminders of deadlines still come one by one: each is "
                    "checked just before it is sent."
                ),
                required=False,
                initial=digest,
                disabled=read_only,
            )

    def lines(self) -> list[tuple[PreferenceRow, forms.BoundField, forms.BoundField]]:
        """Each row with its two boxes, for the table of the page."""
        return [
            (row, self[f"email_{row.kind}"], self[f"sms_{row.kind}"])
            for row in self.rows
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        """(e-mail, SMS) of each kind that may be changed, as ticked."""
        data = self.cleaned_data
        return {
            row.kind: (data[f"email_{row.kind}"], data[f"sms_{row.kind}"])
            for row in self.rows
            if not row.mandatory
        }
