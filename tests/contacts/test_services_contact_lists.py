"""Editing, importing, submitting and reviewing a district's contact list."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contacts.models import (
    Contact,
    ContactImport,
    ContactListVersion,
    ElectionBody,
    SubmissionState,
    VersionStatus,
)
from contacts.selectors import contact_list_diff, coverage_of
from contacts.services import contact_lists as services
from tests.contacts.conftest import make_row
from tests.factories import CommuneFactory


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


def draft(list_a):
    return ElectionBody.objects.filter(contact_list=list_a, version=None)


def test_an_import_creates_bodies_and_contacts(list_a, communes_a, import_rows):
    done = import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    assert (done.created_count, done.updated_count, done.unchanged_count) == (2, 0, 0)
    body = draft(list_a).get(name="Tổ bầu cử số 2")
    assert body.unit == communes_a[0]
    assert body.level == "commune"
    assert body.contacts.get().phones == "+84912340002"
    assert list_a.__class__.objects.get(pk=list_a.pk).draft_changed_at is not None


def test_rows_of_one_body_make_one_body_with_several_people(
    list_a, communes_a, import_rows
):
    same = {
        "body_name": "Tổ bầu cử số 1",
        "polling_areas": "KVBP 1",
        "location": "Thôn 1",
    }
    import_rows(
        [
            make_row(2, communes_a[0], full_name="Lê Thị A", **same),
            make_row(3, communes_a[0], full_name="Lê Văn B", position="member", **same),
        ]
    )
    assert draft(list_a).count() == 1
    assert draft(list_a).get().contacts.count() == 2


def test_importing_the_same_rows_again_changes_nothing(list_a, communes_a, import_rows):
    rows = [make_row(n, communes_a[n % 2]) for n in range(2, 12)]
    import_rows(rows)
    history = (ElectionBody.history.count(), Contact.history.count())
    done = import_rows(rows)
    assert (done.created_count, done.updated_count, done.unchanged_count) == (0, 0, 10)
    assert (ElectionBody.history.count(), Contact.history.count()) == history


def test_a_changed_phone_updates_the_contact(list_a, communes_a, import_rows):
    import_rows([make_row(2, communes_a[0])])
    done = import_rows([make_row(2, communes_a[0], phones=("+84987654321",))])
    assert done.updated_count == 1
    assert Contact.objects.get(body__version=None).phones == "+84987654321"


def test_a_commune_of_another_district_is_an_error_and_nothing_is_saved(
    world, list_a, communes_a
):
    other = world.district_b.unit.children.first()
    rows = [make_row(2, communes_a[0]), make_row(3, other), make_row(4, communes_a[1])]
    plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="Mã đơn vị")
    assert [(e.row_number, e.column) for e in plan.errors] == [(3, "Mã đơn vị")]
    assert "is not" in plan.errors[0].message or "không" in plan.errors[0].message
    contact_import = ContactImport.objects.create(
        contact_list=list_a, original_name="x.csv", uploaded_by=world.district_a_officer
    )
    with pytest.raises(ValidationError):
        services.contact_list_import(contact_import=contact_import, plan=plan)
    assert draft(list_a).count() == 0
    contact_import.refresh_from_db()
    assert contact_import.status == "uploaded"


def test_a_team_at_district_level_is_an_error(world, list_a):
    plan = services.import_plan(
        contact_list=list_a, rows=[make_row(2, world.district_a.unit)], unit_column="U"
    )
    assert len(plan.errors) == 1


def test_an_import_is_applied_once(list_a, communes_a, world, import_rows):
    done = import_rows([make_row(2, communes_a[0])])
    plan = services.import_plan(
        contact_list=list_a, rows=[make_row(3, communes_a[0])], unit_column="U"
    )
    with pytest.raises(ValidationError):
        services.contact_list_import(contact_import=done, plan=plan)
    assert draft(list_a).count() == 1


def test_units_can_be_named_instead_of_coded(list_a, communes_a):
    row = make_row(2, communes_a[0], unit_code="", unit_name=communes_a[0].name.upper())
    plan = services.import_plan(contact_list=list_a, rows=[row], unit_column="U")
    assert plan.errors == []
    assert plan.rows[0].unit == communes_a[0]


def test_submitting_freezes_a_copy(list_a, communes_a, world, import_rows):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    assert (version.number, version.status) == (1, VersionStatus.SUBMITTED)
    assert version.bodies.count() == 2
    assert Contact.objects.filter(body__version=version).count() == 2
    # Editing the draft afterwards leaves the version as it was.
    draft(list_a).first().delete()
    assert version.bodies.count() == 2
    list_a.refresh_from_db()
    assert list_a.latest_version == version
    assert list_a.state == SubmissionState.SUBMITTED


def test_an_empty_list_cannot_be_submitted(list_a, world):
    with pytest.raises(ValidationError, match="empty"):
        services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)


def test_a_new_submission_supersedes_one_awaiting_review(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0])])
    first = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    import_rows([make_row(3, communes_a[1])])
    second = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert second.number == 2


def test_full_coverage_is_accepted_and_becomes_the_list_in_force(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    assert (version.communes_covered, version.communes_total) == (2, 2)
    services.contact_list_accept(version=version, by=world.staff)
    list_a.refresh_from_db()
    assert list_a.accepted_version == version
    assert list_a.state == SubmissionState.ACCEPTED


def test_incomplete_coverage_needs_a_reason(list_a, communes_a, world, import_rows):
    import_rows([make_row(2, communes_a[0])])
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    with pytest.raises(ValidationError, match="1 of 2"):
        services.contact_list_accept(version=version, by=world.staff)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    services.contact_list_accept(
        version=version,
        by=world.staff,
        reason="Xã còn lại sáp nhập, chưa lập Tổ bầu cử",
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.ACCEPTED
    assert version.incomplete_coverage_reason.startswith("Xã còn lại")


def test_returning_needs_a_comment(list_a, communes_a, world, import_rows):
    import_rows([make_row(2, communes_a[0])])
    version = services.contact_list_submit(
        contact_list=list_a, by=world.district_a_officer
    )
    with pytest.raises(ValidationError):
        services.contact_list_return(version=version, by=world.staff, comment="  ")
    services.contact_list_return(
        version=version, by=world.staff, comment="Thiếu xã thứ hai"
    )
    version.refresh_from_db()
    assert (version.status, version.review_comment) == (
        VersionStatus.RETURNED,
        "Thiếu xã thứ hai",
    )
    list_a.refresh_from_db()
    assert list_a.state == SubmissionState.RETURNED
    with pytest.raises(ValidationError, match="no longer awaiting review"):
        services.contact_list_accept(version=version, by=world.staff, reason="x")


def test_the_accepted_version_stays_in_force_while_a_new_one_is_reviewed(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    v1 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    services.contact_list_accept(version=v1, by=world.staff)
    import_rows([make_row(4, communes_a[1])])
    v2 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    list_a.refresh_from_db()
    assert list_a.accepted_version == v1
    assert list_a.latest_version == v2
    services.contact_list_return(
        version=v2, by=world.staff, comment="Sai số điện thoại"
    )
    list_a.refresh_from_db()
    assert list_a.accepted_version == v1


def test_coverage_counts_communes_with_a_team_that_has_a_phone(
    list_a, communes_a, world, import_rows
):
    CommuneFactory(parent=world.district_a.unit)
    import_rows(
        [
            make_row(2, communes_a[0]),
            make_row(
                3, communes_a[1], body_kind="committee", body_name="Ủy ban bầu cử xã"
            ),
        ]
    )
    coverage = coverage_of(contact_list=list_a, version=None)
    assert (coverage.covered, coverage.total) == (1, 3)
    assert communes_a[1] in coverage.uncovered
    assert coverage.is_complete is False


def test_the_diff_shows_added_changed_and_removed_bodies_and_contacts(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    v1 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    import_rows(
        [
            make_row(2, communes_a[0], phones=("+84987000111",)),
            make_row(5, communes_a[1]),
        ]
    )
    draft(list_a).get(name="Tổ bầu cử số 3").delete()
    v2 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    diffs = {
        (d.status, d.body.name): d
        for d in contact_list_diff(contact_list=list_a, old=v1, new=v2)
    }
    assert set(diffs) == {
        ("changed", "Tổ bầu cử số 2"),
        ("removed", "Tổ bầu cử số 3"),
        ("added", "Tổ bầu cử số 5"),
    }
    changed = diffs[("changed", "Tổ bầu cử số 2")]
    assert [c.fields for c in changed.contacts_changed] == [["phones"]]
    assert contact_list_diff(contact_list=list_a, old=v2, new=None) == []


def test_versions_are_numbered_per_list(list_a, communes_a, world, import_rows):
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    assert ContactListVersion.objects.filter(contact_list=list_a).count() == 1


# --- Submitted once per change ------------------------------------------------------


def versions_of(list_a) -> list[tuple[int, str]]:
    return list(
        ContactListVersion.objects.filter(contact_list=list_a)
        .order_by("number")
        .values_list("number", "status")
    )


def test_a_list_submitted_again_unchanged_is_refused_and_makes_no_version(
    list_a, communes_a, world, import_rows
):
    """Pressing "Gửi Sở xem xét" twice made versions 4 and 5, the second
    "with no changes" and the first superseded: now the second is refused
    and the first still awaits review."""
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    with pytest.raises(ValidationError) as refused:
        services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    assert refused.value.messages == [
        "No changes since the version already submitted (version 1), so no new "
        "version was sent."
    ]
    assert versions_of(list_a) == [(1, VersionStatus.SUBMITTED)]


def test_the_same_file_imported_again_is_no_change(
    list_a, communes_a, world, import_rows
):
    """What counts is the content, not when the draft was last touched: a
    phone changed and changed back is no change."""
    import_rows([make_row(2, communes_a[0])])
    services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    import_rows([make_row(2, communes_a[0], phones=("+84987000111",))])
    import_rows([make_row(2, communes_a[0])])
    with pytest.raises(ValidationError, match="version 1"):
        services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    assert versions_of(list_a) == [(1, VersionStatus.SUBMITTED)]


def test_a_returned_list_must_be_changed_before_it_is_submitted_again(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0])])
    v1 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    services.contact_list_return(version=v1, by=world.staff, comment="Thiếu xã")
    with pytest.raises(ValidationError) as refused:
        services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    assert refused.value.messages == [
        "No changes since the version already submitted (version 1), which the "
        "Department returned: make the changes it asked for, then submit again."
    ]
    import_rows([make_row(3, communes_a[1])])
    v2 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    assert (v2.number, v2.bodies.count()) == (2, 2)
    assert versions_of(list_a) == [
        (1, VersionStatus.RETURNED),
        (2, VersionStatus.SUBMITTED),
    ]


def test_the_list_in_force_is_not_submitted_again_unchanged(
    list_a, communes_a, world, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    v1 = services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    services.contact_list_accept(version=v1, by=world.staff)
    with pytest.raises(ValidationError, match="version 1"):
        services.contact_list_submit(contact_list=list_a, by=world.district_a_officer)
    draft(list_a).get(name="Tổ bầu cử số 3").delete()  # a body removed
    assert (
        services.contact_list_submit(
            contact_list=list_a, by=world.district_a_officer
        ).number
        == 2
    )
