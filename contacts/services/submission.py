"""What a submission of something unchanged is told: a contact list
(contacts.services.contact_lists) and a plan or district report
(readiness.services.plans) are submitted once per change, so a second
press of the button, or a resubmission of what was returned as it was,
makes no new version for the Department to review."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

UNCHANGED = gettext_lazy(
    "No changes since the version already submitted (version %(number)s), "
    "so no new version was sent."
)
UNCHANGED_AFTER_RETURN = gettext_lazy(
    "No changes since the version already submitted (version %(number)s), "
    "which the Department returned: make the changes it asked for, then "
    "submit again."
)


def unchanged_submission(*, number: int, returned: bool) -> ValidationError:
    """The refusal of a submission identical to version `number`;
    `returned`: the Department sent that version back."""
    message = UNCHANGED_AFTER_RETURN if returned else UNCHANGED
    return ValidationError(message, code="unchanged", params={"number": number})
