"""Plans and reports on top of the shared world (tests/conftest.py).

`plan_world` adds T3 (a second telecom section) and D1 (the district
report) to the world's directive, so a telecom plan has two sections (T1,
T3), a postal plan one (P1) and a district report one (D1).
"""

import datetime

import pytest
from django.conf import settings as django_settings

from readiness.models import (
    EvidenceKind,
    Obligation,
    PlanSection,
    ReadinessPlan,
    RecipientGroup,
)
from readiness.services.plans import (
    ResourceLine,
    plan_get_or_create,
    plan_section_save,
)
from tests.factories import VN, DeadlineFactory, ObligationFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a directory of their own, removed after the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def t2(world):
    """T2, met by the duty roster, due 31 March 2021 09:00."""
    obligation = ObligationFactory(
        directive=world.directive,
        code="T2",
        recipient_group=RecipientGroup.TELECOM,
        evidence_kind=EvidenceKind.DUTY_ROSTER,
        position=8,
    )
    DeadlineFactory(
        obligation=obligation, due_at=datetime.datetime(2021, 3, 31, 9, tzinfo=VN)
    )
    return obligation


def add_obligation(
    world,
    code: str,
    group: str = RecipientGroup.TELECOM,
    evidence: str = EvidenceKind.PLAN_SECTION,
    *,
    position: int,
    days: int = 25,
) -> Obligation:
    """An obligation of the world's directive, due `days` before polling day."""
    obligation = ObligationFactory(
        directive=world.directive,
        code=code,
        recipient_group=group,
        evidence_kind=evidence,
        position=position,
        title=f"Nghĩa vụ {code}",
        title_en=f"Obligation {code}",
    )
    polling_day = world.directive.election.polling_day
    DeadlineFactory(
        obligation=obligation,
        due_at=datetime.datetime.combine(
            polling_day - datetime.timedelta(days=days), datetime.time(17), tzinfo=VN
        ),
        days_before_polling=days,
    )
    return obligation


@pytest.fixture
def plan_world(world):
    add_obligation(world, "T3", position=10)
    add_obligation(
        world, "D1", RecipientGroup.DISTRICT, EvidenceKind.REPORT, position=11
    )
    return world


@pytest.fixture
def telecom_plan(plan_world) -> ReadinessPlan:
    return plan_get_or_create(
        directive=plan_world.directive, organisation=plan_world.telecom
    )


@pytest.fixture
def postal_plan(plan_world) -> ReadinessPlan:
    return plan_get_or_create(
        directive=plan_world.directive, organisation=plan_world.postal
    )


@pytest.fixture
def district_a_report(plan_world) -> ReadinessPlan:
    return plan_get_or_create(
        directive=plan_world.directive, organisation=plan_world.district_a
    )


def section_of(plan: ReadinessPlan, code: str) -> PlanSection:
    return plan.sections.select_related("plan", "obligation").get(obligation__code=code)


def fill(
    plan: ReadinessPlan,
    code: str,
    by,
    measures: str = "Bố trí máy phát điện dự phòng tại các trạm BTS",
    resources: list[ResourceLine] | None = None,
) -> PlanSection:
    """Save a section through the service, from its current revision."""
    section = section_of(plan, code)
    return plan_section_save(
        section=section,
        revision=section.revision,
        measures=measures,
        responsible_name="Lê Văn Trực",
        responsible_phone="+84912345678",
        resources=resources or [],
        by=by,
    )


def english(client):
    """Pages in English (the language switcher's cookie)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
