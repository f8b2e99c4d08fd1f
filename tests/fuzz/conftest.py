"""The world the fuzz tests share (the hypothesis profiles are in
tests/hypothesis_profiles.py)."""

import pytest

from tests.test_authorization_matrix import matrix_kept


@pytest.fixture(scope="package")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization matrix's world (every kind of record, each
    organisation's), made once for the package."""
    yield from matrix_kept(django_db_blocker, tmp_path_factory)


@pytest.fixture(scope="package")
def memo() -> dict:
    """What the tests find once in the world and reuse in every example
    (the form a page shows, a page's query parameters)."""
    return {}
