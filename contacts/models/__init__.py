"""The registry (people, units, organisations, elections) and the
election-body contact lists. This is the lowest app: it must not import
`incidents` or `readiness` (tests/test_layering.py)."""

from contacts.models.access_log import PhoneAccess, PhoneAccessKind
from contacts.models.api_tokens import ApiToken
from contacts.models.contact_lists import (
    BodyKind,
    Contact,
    ContactImport,
    ContactList,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    ImportColumns,
    ImportStatus,
    SubmissionState,
    VersionStatus,
    list_state,
)
from contacts.models.outbox import Channel, MessageStatus, OutboundMessage
from contacts.models.registry import (
    CARRIER_KINDS,
    FIRST_EDITION,
    AdministrativeUnit,
    ChangeAttribution,
    Election,
    ElectionMilestone,
    ElectionPhase,
    Heartbeat,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    UnitLevel,
    User,
    in_language,
)

__all__ = [
    "ApiToken",
    "ChangeAttribution",
    "CARRIER_KINDS",
    "FIRST_EDITION",
    "AdministrativeUnit",
    "BodyKind",
    "Channel",
    "Contact",
    "ContactImport",
    "ContactList",
    "ContactListVersion",
    "ContactPosition",
    "Election",
    "ElectionBody",
    "ElectionMilestone",
    "ElectionPhase",
    "Heartbeat",
    "ImportColumns",
    "ImportStatus",
    "Membership",
    "MessageStatus",
    "MembershipRole",
    "Organisation",
    "OrganisationKind",
    "OutboundMessage",
    "PhoneAccess",
    "PhoneAccessKind",
    "SubmissionState",
    "UnitLevel",
    "User",
    "VersionStatus",
    "in_language",
    "list_state",
]
