"""The phone-access log in the admin site: readable, and not editable by
anyone, superusers included (contacts.admin.PhoneAccessAdmin)."""

import pytest
from django.urls import reverse

from contacts.models import PhoneAccess, PhoneAccessKind


@pytest.fixture
def superuser_client(client, world):
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    return client


@pytest.fixture
def access(world) -> PhoneAccess:
    access = PhoneAccess.objects.create(
        user=world.telecom_officer,
        organisation=world.telecom,
        kind=PhoneAccessKind.EXPORT_CSV,
        purpose="Gọi kiểm tra trước ngày bầu cử",
    )
    access.districts.set([world.district_a])
    return access


def test_a_superuser_reads_the_log_in_the_admin(superuser_client, access):
    r = superuser_client.get(reverse("admin:contacts_phoneaccess_changelist"))
    assert r.status_code == 200
    assert "Gọi kiểm tra trước ngày bầu cử" in r.content.decode()
    r = superuser_client.get(
        reverse("admin:contacts_phoneaccess_change", args=[access.pk])
    )
    assert r.status_code == 200
    assert r.context["has_change_permission"] is False
    assert "delete_selected" not in r.context.get("actions", {})


def test_nobody_adds_changes_or_deletes_an_access(superuser_client, access, world):
    add = reverse("admin:contacts_phoneaccess_add")
    change = reverse("admin:contacts_phoneaccess_change", args=[access.pk])
    delete = reverse("admin:contacts_phoneaccess_delete", args=[access.pk])
    assert superuser_client.get(add).status_code == 403
    r = superuser_client.post(
        change,
        {
            "user": world.staff.pk,
            "kind": PhoneAccessKind.PRINT_SHEET,
            "purpose": "sửa",
            "at_0": "01/01/2021",
            "at_1": "00:00",
        },
    )
    assert r.status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    r = superuser_client.post(
        reverse("admin:contacts_phoneaccess_changelist"),
        {"action": "delete_selected", "_selected_action": [access.pk], "post": "yes"},
    )
    access.refresh_from_db()
    assert (access.user, access.kind, access.purpose) == (
        world.telecom_officer,
        PhoneAccessKind.EXPORT_CSV,
        "Gọi kiểm tra trước ngày bầu cử",
    )
    assert PhoneAccess.objects.count() == 1
