"""Reads of the registry and contact lists, each with a fixed number of
queries. Re-exported so callers import from `contacts.selectors`."""

from contacts.selectors.contact_lists import (
    BodyDiff,
    Coverage,
    contact_list_bodies,
    contact_list_diff,
    contact_list_overview,
    coverage_of,
    directory_bodies,
)
from contacts.selectors.registry import (
    election_current,
    organisation_counts_by_kind,
    organisation_detail,
    organisation_list,
    unit_counts,
)

__all__ = [
    "BodyDiff",
    "Coverage",
    "contact_list_bodies",
    "contact_list_diff",
    "contact_list_overview",
    "coverage_of",
    "directory_bodies",
    "election_current",
    "organisation_counts_by_kind",
    "organisation_detail",
    "organisation_list",
    "unit_counts",
]
