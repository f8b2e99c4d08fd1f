"""The world the fuzz tests share (the hypothesis profile is in
tests/fuzz/__init__.py)."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.test_authorization_matrix import _matrix_make


@pytest.fixture(scope="package")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization matrix's world (every kind of record, each
    organisation's), made once for the package in a transaction rolled
    back after its last test; uploads go to a temporary folder."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            made = _matrix_make()
        except BaseException as exc:
            atomic.__exit__(type(exc), exc, exc.__traceback__)
            media.disable()
            raise
    yield made
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()


@pytest.fixture(scope="package")
def memo() -> dict:
    """What the tests find once in the world and reuse in every example
    (the form a page shows, a page's query parameters)."""
    return {}
