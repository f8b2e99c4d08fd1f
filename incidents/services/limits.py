"""Staff edit how long each severity may wait for acknowledgement."""

import datetime

from django.db import transaction

from contacts.models import User
from incidents.models import Severity, SeverityPolicy

# The directive's defaults; also written by incidents migration 0002.
DEFAULT_LIMITS: dict[str, datetime.timedelta] = {
    Severity.CRITICAL: datetime.timedelta(minutes=15),
    Severity.MAJOR: datetime.timedelta(hours=1),
    Severity.MINOR: datetime.timedelta(hours=4),
}


def severity_policy_for(severity: str) -> SeverityPolicy:
    """The limits of a severity, created with the defaults if missing (a
    database emptied by a flush has none)."""
    limit = DEFAULT_LIMITS[severity]
    policy, _created = SeverityPolicy.objects.get_or_create(
        severity=severity,
        defaults={"acknowledge_within": limit, "leadership_after": limit},
    )
    return policy


def severity_policies() -> list[SeverityPolicy]:
    """Every severity's limits, most urgent first."""
    return [severity_policy_for(severity) for severity in DEFAULT_LIMITS]


@transaction.atomic
def severity_policy_set(
    *,
    severity: str,
    acknowledge_within: datetime.timedelta,
    leadership_after: datetime.timedelta,
    by: User,
) -> SeverityPolicy:
    """Applies to incidents reported from now on; open ones keep the limits
    they were reported with (incidents.models.incidents)."""
    policy = severity_policy_for(severity)
    policy.acknowledge_within = acknowledge_within
    policy.leadership_after = leadership_after
    policy._history_user = by
    policy.full_clean()
    policy.save()
    return policy
