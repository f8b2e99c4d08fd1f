"""One shared world of organisations and users (healthchecks' alice/bob idea).

Who may see what:
- staff (Department, editor): everything, changes everything.
- staff_viewer (Department, read-only member): reads everything, changes nothing.
- observer (provincial Election Committee): reads everything, changes nothing.
- district_a / district_b officers: only their own district's records.
- telecom officer (serves district A only): only its own records.
- postal officer: only its own records.
"""

import datetime
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from contacts.models import (
    AdministrativeUnit,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
)
from readiness.models import Directive, EvidenceKind, RecipientGroup

# Loads the hypothesis profile (HYPOTHESIS_PROFILE) before any test module
# is collected, so that every @given inherits it.
from tests import hypothesis_profiles  # noqa: F401
from tests.database_template import databases_setup, databases_teardown
from tests.factories import (
    VN,
    CommuneFactory,
    DeadlineFactory,
    DirectiveFactory,
    DistrictFactory,
    DistrictOrganisationFactory,
    ElectionFactory,
    MembershipFactory,
    ObligationFactory,
    OrganisationFactory,
    ProvinceFactory,
)
from tests.kept_states import kept_change

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """pytest-django's, with the migrated database kept between processes
    on SQLite (tests/database_template.py)."""
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = databases_setup(verbosity)
    yield
    with django_db_blocker.unblock():
        try:
            databases_teardown(databases, verbosity)
        except Exception as exc:
            # As pytest-django does: a connection still open elsewhere (a
            # live server's thread) may keep PostgreSQL from dropping the
            # database; the next run's setup drops it anyway.
            request.node.warn(
                pytest.PytestWarning(f"the test database was not dropped: {exc!r}")
            )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Vietnamese), whatever an
    earlier test activated: a message's wording and date format must not
    depend on the order tests run in."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the API's per-token request
    counts live there, and a token's pk comes back after a rollback."""
    cache.clear()


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a newcomer's machine; under
    REQUIRE_SERVICES=1 (CI) a missing service is a failure instead."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def redis_url() -> str:
    """The Redis broker of the real-worker tests: CELERY_BROKER_URL when it is
    redis://, else a local Redis on its default port, database 15."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/15"


@dataclass
class World:
    province: AdministrativeUnit
    district_a: Organisation
    district_b: Organisation
    telecom: Organisation
    postal: Organisation
    department: Organisation
    observer_org: Organisation
    staff: User
    staff_viewer: User
    observer: User
    district_a_officer: User
    district_b_officer: User
    telecom_officer: User
    postal_officer: User
    directive: Directive


def _member(
    username: str, organisation: Organisation, role: str = MembershipRole.EDITOR
) -> User:
    return MembershipFactory(
        user__username=username, organisation=organisation, role=role
    ).user


@pytest.fixture
def world(db) -> World:
    return kept_change("world", world_make)


def world_make() -> World:
    """The world itself, for fixtures of a wider scope than a test's
    (tests/test_authorization_matrix.py builds it once per module)."""
    province = ProvinceFactory(code="38", name="Tỉnh Thanh Hóa")
    unit_a = DistrictFactory(parent=province, name="Thành phố Thanh Hóa")
    unit_b = DistrictFactory(parent=province, name="Huyện Đông Sơn")
    CommuneFactory.create_batch(2, parent=unit_a)
    CommuneFactory.create_batch(2, parent=unit_b)
    district_a = DistrictOrganisationFactory(unit=unit_a, code="district-a")
    district_b = DistrictOrganisationFactory(unit=unit_b, code="district-b")
    telecom = OrganisationFactory(
        kind=OrganisationKind.TELECOM, code="telecom", name="Viễn thông Thử"
    )
    telecom.served_units.set([unit_a])
    postal = OrganisationFactory(
        kind=OrganisationKind.POSTAL, code="postal", name="Bưu điện Thử"
    )
    department = OrganisationFactory(
        kind=OrganisationKind.DEPARTMENT, code="dept", name="Sở TTTT Thử", unit=province
    )
    observer_org = OrganisationFactory(
        kind=OrganisationKind.OBSERVER, code="uybc", name="Ủy ban bầu cử Thử"
    )
    election = ElectionFactory(province=province)
    directive = DirectiveFactory(election=election)
    groups = [
        ("D2", RecipientGroup.DISTRICT, EvidenceKind.CONTACT_LIST, 45),
        ("P1", RecipientGroup.POSTAL, EvidenceKind.PLAN_SECTION, 30),
        ("T1", RecipientGroup.TELECOM, EvidenceKind.PLAN_SECTION, 30),
        ("ALL", RecipientGroup.ALL, EvidenceKind.CHANNEL, None),
    ]
    for position, (code, group, evidence, days) in enumerate(groups):
        obligation = ObligationFactory(
            directive=directive,
            code=code,
            recipient_group=group,
            evidence_kind=evidence,
            position=position,
            title=f"Nghĩa vụ {code}",
            title_en=f"Obligation {code}",
        )
        if days is not None:
            due = datetime.datetime.combine(
                election.polling_day - datetime.timedelta(days=days),
                datetime.time(17),
                tzinfo=VN,
            )
            DeadlineFactory(obligation=obligation, due_at=due, days_before_polling=days)
    return World(
        province=province,
        district_a=district_a,
        district_b=district_b,
        telecom=telecom,
        postal=postal,
        department=department,
        observer_org=observer_org,
        staff=_member("staff", department),
        staff_viewer=_member("staff-viewer", department, MembershipRole.VIEWER),
        observer=_member("observer", observer_org),
        district_a_officer=_member("district-a", district_a),
        district_b_officer=_member("district-b", district_b),
        telecom_officer=_member("telecom", telecom),
        postal_officer=_member("postal", postal),
        directive=directive,
    )
