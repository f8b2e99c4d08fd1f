"""Under REQUIRE_SERVICES=1 (.ci/run) the suite must really run against
PostgreSQL and Redis; elsewhere these checks do not apply."""

import os

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    os.environ.get("REQUIRE_SERVICES") != "1",
    reason="only under REQUIRE_SERVICES=1 (CI)",
)


@pytest.mark.django_db
def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_the_broker_is_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
