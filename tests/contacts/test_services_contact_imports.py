"""Writing an import's rows: texts are stored as typed however many rows there
are, new rows get version-4 uids as the models' default makes them, and the
import leaves Python's garbage collector running. The plan kept between the
upload and the confirmation, and when it goes."""

import gc
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from contacts.importers import RowError
from contacts.models import Contact, ContactImport, ElectionBody
from contacts.services import contact_lists as services
from contacts.services.contact_imports import _random_uids
from tests.contacts.conftest import contact_csv, make_row, uploaded


def test_texts_with_tabs_newlines_and_backslashes_are_stored_as_typed(
    list_a, communes_a, import_rows
):
    """2,500 rows: more than one batch of COPY text (1,000 rows), with the
    characters COPY escapes only in the middle batch."""
    notes = {
        n: f"dòng {n}\tcột\\{n}\r\nhết" if 1500 <= n < 1510 else f"ghi chú {n}"
        for n in range(2, 2502)
    }
    import_rows(
        [make_row(n, communes_a[n % len(communes_a)], note=notes[n]) for n in notes]
    )
    expected = {f"Nguyễn Văn {n}": note for n, note in notes.items()}
    contacts = Contact.objects.filter(body__contact_list=list_a)
    assert dict(contacts.values_list("full_name", "note")) == expected
    history = Contact.history.filter(history_type="+")
    assert dict(history.values_list("full_name", "note")) == expected


def test_new_rows_get_version_4_uids(list_a, communes_a, import_rows):
    import_rows([make_row(n, communes_a[0]) for n in range(2, 12)])
    bodies = ElectionBody.objects.filter(contact_list=list_a)
    contacts = Contact.objects.filter(body__contact_list=list_a)
    uids = [*bodies.values_list("uid", flat=True)]
    uids += contacts.values_list("uid", flat=True)
    assert len(set(uids)) == 20
    assert {u.version for u in uids} == {4}


def test_uids_are_made_as_uuid4_makes_them():
    uids = _random_uids(5000)
    assert len(set(uids)) == 5000
    for uid in uids:
        parsed = uuid.UUID(hex=uid)
        assert parsed.hex == uid
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # The variant digit takes each of its four values.
    assert {uid[16] for uid in uids} == set("89ab")


def test_the_garbage_collector_runs_again_after_a_refused_import(list_a, world):
    contact_import = ContactImport.objects.create(
        contact_list=list_a,
        original_name="t.xlsx",
        uploaded_by=world.district_a_officer,
    )
    plan = services.ImportPlan(errors=[RowError(2, "", "bad")])
    with pytest.raises(ValidationError):
        services.contact_list_import(contact_import=contact_import, plan=plan)
    assert gc.isenabled() is True


# --- The plan kept from the upload to the confirmation ----------------------------


def test_an_import_without_a_kept_plan_is_planned_from_its_file(
    list_a, communes_a, world
):
    """An import uploaded before plans were kept is previewed and confirmed
    as it was then: its file is read each time."""
    contact_import = ContactImport.objects.create(
        contact_list=list_a,
        original_name="danh-sach.csv",
        uploaded_by=world.district_a_officer,
        file=ContentFile(contact_csv(communes_a, 3), name="upload"),
    )
    preview = services.contact_import_preview(contact_import=contact_import)
    assert (preview.count(services.RowAction.CREATE), preview.errors) == (3, [])
    done = services.contact_import_apply(contact_import=contact_import)
    assert done.created_count == 3
    assert Contact.objects.filter(body__contact_list=list_a).count() == 3


def test_confirming_removes_the_kept_plan_once_committed(
    list_a, communes_a, world, django_capture_on_commit_callbacks
):
    contact_import = uploaded(list_a, world, contact_csv(communes_a, 3))
    storage, name = contact_import.plan_file.storage, contact_import.plan_file.name
    assert name, "the upload keeps its plan"
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_import_apply(contact_import=contact_import)
    contact_import.refresh_from_db()
    assert (contact_import.plan_file.name, storage.exists(name)) == ("", False)


def test_discarding_removes_the_kept_plan_once_committed(
    list_a, communes_a, world, django_capture_on_commit_callbacks
):
    contact_import = uploaded(list_a, world, contact_csv(communes_a, 3))
    storage, name = contact_import.plan_file.storage, contact_import.plan_file.name
    assert name, "the upload keeps its plan"
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_import_discard(contact_import=contact_import)
    contact_import.refresh_from_db()
    assert (contact_import.plan_file.name, storage.exists(name)) == ("", False)


def test_a_refused_confirmation_keeps_the_plan(
    list_a, communes_a, world, django_capture_on_commit_callbacks
):
    content = contact_csv(communes_a, 2).replace(b"0912 000001", b"12")
    contact_import = uploaded(list_a, world, content)
    name = contact_import.plan_file.name
    assert name, "the upload keeps its plan"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        services.contact_import_apply(contact_import=contact_import)
    assert refused.value.messages == [_("The file has errors; nothing was saved.")]
    contact_import.refresh_from_db()
    assert contact_import.plan_file.name == name
    assert contact_import.plan_file.storage.exists(name) is True
    preview = services.contact_import_preview(contact_import=contact_import)
    assert [e.row_number for e in preview.errors] == [3]
    assert ElectionBody.objects.filter(contact_list=list_a).exists() is False


def test_an_import_confirmed_twice_is_refused_without_reading_its_file(
    list_a, communes_a, world
):
    contact_import = uploaded(list_a, world, contact_csv(communes_a, 3))
    services.contact_import_apply(contact_import=contact_import)
    assert contact_import.file.name
    contact_import.file.storage.delete(contact_import.file.name)
    with pytest.raises(ValidationError) as refused:
        services.contact_import_apply(contact_import=contact_import)
    assert refused.value.messages == [services.already_done_message()]
    assert Contact.objects.filter(body__contact_list=list_a).count() == 3


def test_a_commune_is_found_by_its_name_as_officials_write_it(list_a, communes_a):
    """No code column: "X. Thử 3", "xa thu 3" and "Thử 3" all name "Xã Thử 3"."""
    commune = communes_a[0]
    base = commune.name.removeprefix("Xã ")
    written = [f"X. {base}", commune.name.lower(), base, f"xa {base}".replace("ử", "u")]
    rows = [
        make_row(n, commune, unit_code="", unit_name=name)
        for n, name in enumerate(written, start=2)
    ]
    plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="Mã")
    assert plan.errors == []
    assert {row.unit.pk for row in plan.rows} == {commune.pk}
