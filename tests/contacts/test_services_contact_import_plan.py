"""What an import's plan says it will do, and what confirming does: a moved
body and a renamed person are changes (not a second Ủy ban or Tổ trưởng),
a whole-list import removes what the file no longer names, with audit rows,
and a commune of another district is named with its district."""

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact, ContactImport, ElectionBody
from contacts.services import contact_lists as services
from tests.contacts.conftest import contact_csv, make_row, uploaded

WHOLE = services.ImportMode.WHOLE_LIST


def _draft(list_a):
    return Contact.objects.filter(body__contact_list=list_a, body__version=None)


def _plan(list_a, rows):
    return services.import_plan(contact_list=list_a, rows=rows, unit_column="Mã")


def test_a_renamed_chair_replaces_the_old_one(list_a, communes_a, import_rows):
    import_rows([make_row(2, communes_a[0], full_name="Lê Văn An")])
    rows = [make_row(2, communes_a[0], full_name="Trần Thị Bình")]
    plan = _plan(list_a, rows)
    [item] = plan.rows
    assert item.action == services.RowAction.UPDATE
    assert [(c.old, c.new) for c in item.changes] == [("Lê Văn An", "Trần Thị Bình")]
    import_rows(rows)
    assert list(_draft(list_a).values_list("full_name", "position")) == [
        ("Trần Thị Bình", "chair")
    ]


def test_a_new_member_beside_two_is_an_addition(list_a, communes_a, import_rows):
    """Which of two members a newcomer replaces cannot be told: added."""
    kw = {"body_name": "Tổ 1", "position": "member"}
    import_rows([make_row(2, communes_a[0], full_name=n, **kw) for n in ("A", "B")])
    plan = _plan(list_a, [make_row(2, communes_a[0], full_name="C", **kw)])
    assert [i.action for i in plan.rows] == [services.RowAction.CREATE]


def test_a_moved_body_is_a_change_of_its_unit(list_a, communes_a, import_rows):
    row = make_row(2, communes_a[0], body_kind="board", body_name="Ban bầu cử số 1")
    import_rows([row])
    moved = make_row(2, communes_a[1], body_kind="board", body_name="Ban bầu cử số 1")
    plan = _plan(list_a, [moved])
    [item] = plan.rows
    assert item.action == services.RowAction.UPDATE
    assert [(c.old, c.new) for c in item.changes] == [
        (communes_a[0].name, communes_a[1].name)
    ]
    import_rows([moved])
    body = ElectionBody.objects.get(contact_list=list_a, version=None)
    assert (body.unit_id, _draft(list_a).count()) == (communes_a[1].pk, 1)


def test_a_name_the_draft_has_twice_is_not_a_move(
    world, list_a, communes_a, import_rows
):
    kw = {"body_kind": "board", "body_name": "Ban bầu cử số 1"}
    import_rows([make_row(2, communes_a[0], **kw), make_row(3, communes_a[1], **kw)])
    plan = _plan(list_a, [make_row(2, world.district_a.unit, **kw)])
    assert [i.action for i in plan.rows] == [services.RowAction.CREATE]


def test_changes_list_the_old_and_the_new_value(list_a, communes_a, import_rows):
    import_rows([make_row(2, communes_a[0])])
    rows = [make_row(2, communes_a[0], phones=("+84987654321",), note="trực")]
    [item] = _plan(list_a, rows).rows
    assert [(c.old, c.new) for c in item.changes] == [
        ("0912 340 002", "0987 654 321"),
        ("", "trực"),
    ]


def _apply(list_a, world, rows, mode):
    plan = _plan(list_a, rows)
    contact_import = ContactImport.objects.create(
        contact_list=list_a,
        original_name="t.xlsx",
        uploaded_by=world.district_a_officer,
    )
    return plan, services.contact_list_import(
        contact_import=contact_import, plan=plan, mode=mode
    )


def test_a_whole_list_import_removes_what_it_showed(
    world, list_a, communes_a, import_rows
):
    kw = {"body_name": "Tổ 1", "position": "member"}
    import_rows(
        [make_row(2, communes_a[0], full_name=n, **kw) for n in ("A", "B", "C")]
        + [make_row(5, communes_a[1]), make_row(6, communes_a[1])]
    )
    rows = [make_row(2, communes_a[0], full_name=n, **kw) for n in ("A",)]
    rows.append(make_row(5, communes_a[1]))
    plan, done = _apply(list_a, world, rows, WHOLE)
    shown = sorted((r.body_name, r.full_name, r.people) for r in plan.removals)
    assert shown == [("Tổ 1", "B", 1), ("Tổ 1", "C", 1), ("Tổ bầu cử số 6", "", 1)]
    assert done.removed_count == 3
    assert sorted(_draft(list_a).values_list("full_name", flat=True)) == [
        "A",
        "Nguyễn Văn 5",
    ]
    gone = Contact.history.filter(history_type="-")
    assert sorted(gone.values_list("full_name", "history_user")) == [
        ("B", None),
        ("C", None),
        ("Nguyễn Văn 6", None),
    ]
    assert ElectionBody.history.filter(history_type="-").get().name == "Tổ bầu cử số 6"


def test_an_add_and_update_import_removes_nothing(
    world, list_a, communes_a, import_rows
):
    import_rows([make_row(2, communes_a[0]), make_row(3, communes_a[1])])
    plan, done = _apply(list_a, world, [make_row(2, communes_a[0])], "add_update")
    assert plan.removed_people == 1
    assert (done.removed_count, _draft(list_a).count()) == (0, 2)


def test_a_whole_list_confirmation_refuses_a_draft_changed_since_the_preview(
    world, list_a, communes_a
):
    contact_import = uploaded(list_a, world, contact_csv(communes_a, 2))
    shown = services.contact_import_preview(contact_import=contact_import)
    ElectionBody.objects.create(
        contact_list=list_a, kind="team", level="commune", unit=communes_a[0], name="X"
    )
    with pytest.raises(ValidationError):
        services.contact_import_apply(
            contact_import=contact_import, mode=WHOLE, shown=shown.fingerprint
        )
    assert ElectionBody.objects.filter(name="X").exists()
    assert _draft(list_a).count() == 0  # nothing of the file either


def test_a_kept_plan_is_confirmed_as_a_whole_list(world, list_a, communes_a):
    """Preview, then confirm in whole-list mode, without the file."""
    first = uploaded(list_a, world, contact_csv(communes_a, 3))
    services.contact_import_apply(contact_import=first)
    again = uploaded(list_a, world, contact_csv(communes_a, 2))
    assert again.file.name
    again.file.storage.delete(again.file.name)
    shown = services.contact_import_preview(contact_import=again)
    assert [r.body_name for r in shown.removals] == ["Tổ bầu cử số 2"]
    done = services.contact_import_apply(
        contact_import=again, mode=WHOLE, shown=shown.fingerprint
    )
    assert (done.unchanged_count, done.removed_count) == (2, 1)
    assert _draft(list_a).count() == 2


def test_a_commune_of_another_district_names_its_district(world, list_a):
    other = world.district_b.unit.children.first()
    by_code = make_row(2, other)
    by_name = make_row(3, other, unit_code="", unit_name=other.name.upper())
    plan = _plan(list_a, [by_code, by_name])
    assert [e.row_number for e in plan.errors] == [2, 3]
    for error in plan.errors:
        # Inside the sentence, as Decree 30 writes it: "thuộc huyện Đông Sơn".
        assert "thuộc huyện Đông Sơn." in error.message
