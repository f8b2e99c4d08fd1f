"""Schemathesis against the API's own OpenAPI schema: for every operation
it generates requests (valid ones and hostile ones) with a real token of a
telecom firm and checks that no answer is a server error and that every
answer — status, headers, body — is what the schema says."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.api import token_client

# Checks left out, as what they ask is not what the API promises: an unknown
# query parameter is ignored, not refused (negative_data_rejection), and a
# request of the right shape may still be refused by a business rule, such
# as a commune id that does not exist (positive_data_acceptance). Server
# errors and answers that break the schema are checked, and so are
# authentication, unsupported methods and missing headers.
LENIENT = [checks.negative_data_rejection, checks.positive_data_acceptance]


def _schema() -> schemathesis.schemas.BaseSchema:
    """The schema /api/v1/schema/ serves, made when the module is collected
    (by the generator itself: a request would open a database transaction,
    ATOMIC_REQUESTS, before any test may), calling the app in-process."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(document))
    )
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture
def in_process():
    """The app is called in this process, inside the test's transaction: the
    connection Django closes after each request must stay open (what
    django.test.Client does too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, in_process):
    """A telecom firm's token; its user reads Vietnamese."""
    return token_client(organisation=world.telecom, by=world.telecom_officer).secret


@schema.parametrize()
# The profile of the run (tests/hypothesis_profiles.py: the same requests
# on every `make test`, new ones under `make fuzz`), with two and a half
# times a form's examples: an operation's path, query, headers and body all
# vary.
@settings(
    max_examples=settings().max_examples * 5 // 2,
    suppress_health_check=list(HealthCheck),
)
@override_settings(API_RATE_LIMIT="100000/minute")
@pytest.mark.django_db
def test_every_answer_matches_the_schema_and_none_is_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=LENIENT
    )
