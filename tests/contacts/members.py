"""Helpers of the members' tests: the link an invited person received."""

import re

from contacts.models import Invitation, OutboundMessage, User
from contacts.services.members import invitation_find

LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]+)/")


def invitation_secret(person: User) -> str:
    """The secret of the latest invitation link sent to `person`, read from
    the message in the outbox as the person reads it."""
    message = (
        OutboundMessage.objects.filter(recipient=person, kind="invitation")
        .order_by("-pk")
        .first()
    )
    assert message is not None, f"no invitation was sent to {person}"
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def invitation_of(person: User) -> Invitation:
    """The invitation of the latest link sent to `person`."""
    invitation = invitation_find(invitation_secret(person))
    assert invitation is not None
    return invitation
