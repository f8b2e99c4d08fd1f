"""Moving deadlines and granting extensions, with the reason kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from readiness.models import Deadline
from readiness.services.deadlines import (
    deadline_extension_grant,
    deadline_extension_revoke,
    deadline_set,
)
from tests.factories import VN


def test_moving_a_deadline_keeps_who_and_why(world):
    t1 = world.directive.obligations.get(code="T1")
    new = datetime.datetime(2021, 4, 30, 17, tzinfo=VN)
    deadline_set(
        obligation=t1,
        due_at=new,
        reason="Theo đề nghị của doanh nghiệp",
        by=world.staff,
    )
    deadline = Deadline.objects.get(obligation=t1, organisation=None)
    assert deadline.due_at == new
    latest = deadline.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        world.staff,
        "Theo đề nghị của doanh nghiệp",
    )


def test_a_move_without_a_reason_changes_nothing(world):
    t1 = world.directive.obligations.get(code="T1")
    before = Deadline.objects.get(obligation=t1).due_at
    with pytest.raises(ValidationError):
        deadline_set(
            obligation=t1,
            due_at=before + datetime.timedelta(days=3),
            reason="  ",
            by=world.staff,
        )
    assert Deadline.objects.get(obligation=t1).due_at == before


def test_an_extension_is_for_one_organisation_and_must_be_later(world):
    t1 = world.directive.obligations.get(code="T1")
    default = Deadline.objects.get(obligation=t1, organisation=None)
    with pytest.raises(ValidationError):
        deadline_extension_grant(
            obligation=t1,
            organisation=world.telecom,
            due_at=default.due_at,
            reason="x",
            by=world.staff,
        )
    later = default.due_at + datetime.timedelta(days=5)
    ext = deadline_extension_grant(
        obligation=t1,
        organisation=world.telecom,
        due_at=later,
        reason="Mất điện diện rộng",
        by=world.staff,
    )
    assert ext.organisation == world.telecom
    assert (
        Deadline.objects.get(obligation=t1, organisation=None).due_at == default.due_at
    )
    deadline_extension_revoke(extension=ext, reason="Đã khắc phục", by=world.staff)
    assert not Deadline.objects.filter(organisation=world.telecom).exists()
    assert (
        Deadline.history.filter(history_type="-").get().history_change_reason
        == "Đã khắc phục"
    )
