"""Staff edit how long each severity may wait for acknowledgement."""

import datetime

from django.db import transaction

from contacts.models import User
from incidents.models import SeverityPolicy


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
    policy = SeverityPolicy.objects.get(severity=severity)
    policy.acknowledge_within = acknowledge_within
    policy.leadership_after = leadership_after
    policy._history_user = by
    policy.full_clean()
    policy.save()
    return policy
