"""The confirmation of a spreadsheet of people to invite: the rows the
preview read, carried to the confirmation signed rather than stored (no
table, nothing to clean up), with the fingerprint of the plan shown
(contacts.services.invitation_imports)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from contacts.importers.people import PersonRow
from contacts.importers.vocabulary import FileColumn
from contacts.models import User

# Only this form reads what it signed; another signed value of the app
# (with another salt) is refused.
SALT = "contacts.invitation-import"
# A preview left open longer is checked again from its file.
MAX_AGE = datetime.timedelta(days=1)

PREVIEW_EXPIRED = _(
    "This preview is more than a day old; upload the file again to check it."
)
PREVIEW_INVALID = _("This preview cannot be read; upload the file again.")


@dataclass(frozen=True)
class SignedRows:
    rows: list[PersonRow]
    columns: dict[str, FileColumn]
    shown: str  # the fingerprint of the plan the preview showed


def rows_sign(
    *,
    rows: list[PersonRow],
    columns: dict[str, FileColumn],
    shown: str,
    by: User,
) -> str:
    """The preview's rows as a signed, compressed text for a hidden field,
    valid for its signer only."""
    payload = {
        "by": by.pk,
        "shown": shown,
        "columns": {key: [c.letter, c.header] for key, c in columns.items()},
        "rows": [
            [r.row_number, r.full_name, r.email, r.phone, r.organisation, r.role]
            for r in rows
        ],
    }
    return signing.dumps(payload, salt=SALT, compress=True)


class InvitationImportConfirmForm(forms.Form):
    rows = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_rows(self) -> SignedRows:
        try:
            payload = signing.loads(
                self.cleaned_data["rows"], salt=SALT, max_age=MAX_AGE
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(PREVIEW_EXPIRED) from None
        except signing.BadSignature:
            raise forms.ValidationError(PREVIEW_INVALID) from None
        if not isinstance(payload, dict) or payload.get("by") != self.user.pk:
            raise forms.ValidationError(PREVIEW_INVALID)
        try:
            return SignedRows(
                rows=[
                    PersonRow(int(n), *map(str, rest)) for n, *rest in payload["rows"]
                ],
                columns={
                    str(key): FileColumn(str(letter), str(header), str(key))
                    for key, (letter, header) in payload["columns"].items()
                },
                shown=str(payload["shown"]),
            )
        except (KeyError, TypeError, ValueError):
            raise forms.ValidationError(PREVIEW_INVALID) from None
