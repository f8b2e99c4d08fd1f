"""Changes to the registry and to contact lists (HackSoft styleguide:
writes live in services). Re-exported so callers import from
`contacts.services`."""

from contacts.services.registry import (
    LoadResult,
    create_missing,
    election_ensure,
    heartbeat_record,
    province_organisations_ensure,
    units_load,
)

__all__ = [
    "LoadResult",
    "create_missing",
    "election_ensure",
    "heartbeat_record",
    "province_organisations_ensure",
    "units_load",
]
