"""The import's writer (contacts.services.contact_imports._Writer: COPY on
PostgreSQL, one executemany on SQLite) writes what django-simple-history's
bulk_create_with_history and bulk_update_with_history write: every column
of the bodies and contacts and of their audit rows. A field added to either
model, or to its audit trail, is written or these tests fail."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contacts.models import Contact, ElectionBody
from contacts.services import contact_lists as services
from contacts.services.contact_imports import _Writer
from tests.contacts.conftest import make_row

# Columns whose values differ by nature between two imports of the same rows.
NEW_EACH_TIME = {"id", "uid", "history_id", "history_date"}


@pytest.fixture
def request_by(world):
    """The officer's request, as HistoryRequestMiddleware records it: both
    writers take the audit rows' user from it."""
    request = RequestFactory().get("/")
    request.user = world.district_a_officer
    HistoricalRecords.context.request = request
    yield
    del HistoricalRecords.context.request


def _table_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return {column.name for column in description}


@pytest.mark.parametrize("model", [ElectionBody, Contact])
def test_the_writer_writes_every_column_of_the_table_and_its_audit_table(db, model):
    """Compared with the tables as the migrations made them: only the ids
    the database gives are left to it (on SQLite, the row's id; the audit
    row's own id everywhere)."""
    writer = _Writer(history_date=timezone.now())
    given_by_database = set() if writer.postgresql else {"id"}
    table = model._meta.db_table
    assert _table_columns(table) - set(writer.columns(model)) == given_by_database
    history_table = model.history.model._meta.db_table
    history_columns = set(writer.history_columns(model))
    assert _table_columns(history_table) - history_columns == {"history_id"}


def _rows(communes, note: str = "", location: str = ""):
    """Two teams, the second with two people."""
    first = make_row(2, communes[0], note=note, email="an@example.vn")
    if location:
        first = make_row(2, communes[0], note=note, location=location)
    second = make_row(3, communes[1], note=note)
    third = make_row(
        4,
        communes[1],
        body_name=second.body_name,
        polling_areas=second.polling_areas,
        location=second.location,
        note=note,
    )
    return [first, second, third]


def _natural(list_a) -> tuple[dict, dict]:
    """Each draft body's and contact's id, by what names it in any import."""
    bodies = ElectionBody.objects.filter(contact_list=list_a, version=None)
    body_keys = {b.pk: (b.kind, b.unit_id, b.name) for b in bodies}
    contacts = Contact.objects.filter(body__in=bodies)
    contact_keys = {c.pk: (body_keys[c.body_id], c.full_name) for c in contacts}
    return body_keys, contact_keys


def _written(list_a) -> dict[str, list]:
    """Every column of the draft's rows and of their audit rows, but the
    ids and times each import makes anew (ids as what they name)."""
    body_keys, contact_keys = _natural(list_a)
    keys = {ElectionBody: body_keys, Contact: contact_keys}
    written = {}
    for model in (ElectionBody, Contact):
        for label, q in (
            (model.__name__, model.objects.filter(pk__in=keys[model])),
            (f"{model.__name__} history", model.history.all()),
        ):
            names = [f.attname for f in q.model._meta.concrete_fields]
            rows = []
            for values in q.values(*names):
                row = {k: v for k, v in values.items() if k not in NEW_EACH_TIME}
                row["id"] = keys[model][values["id"]]
                if "body_id" in row:
                    row["body_id"] = body_keys[row["body_id"]]
                rows.append(sorted(row.items(), key=str))
            written[label] = sorted(rows, key=str)
    return written


def _import_with_the_writer(list_a, world, first, second) -> None:
    """The rows through the import's services: created, then changed."""
    from contacts.models import ContactImport

    for rows in (first, second):
        plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="U")
        assert plan.errors == []
        contact_import = ContactImport.objects.create(
            contact_list=list_a,
            original_name="t.csv",
            uploaded_by=world.district_a_officer,
        )
        services.contact_list_import(contact_import=contact_import, plan=plan)


def _import_with_simple_history(list_a, communes, first, second) -> None:
    """The same rows as model instances, through bulk_create_with_history,
    then the changes through bulk_update_with_history."""
    units = {unit.code: unit for unit in communes}
    bodies: dict[str, ElectionBody] = {}
    contacts: dict[tuple, Contact] = {}
    for row in first:
        unit = units[row.unit_code]
        body = bodies.setdefault(
            row.body_name,
            ElectionBody(
                contact_list=list_a,
                kind=row.body_kind,
                level=unit.level,
                unit=unit,
                name=row.body_name,
                polling_areas=row.polling_areas,
                location=row.location,
            ),
        )
        contacts[(row.body_name, row.full_name)] = Contact(body=body)
    bulk_create_with_history(list(bodies.values()), ElectionBody)
    for row in first:
        _set_contact(contacts[(row.body_name, row.full_name)], row)
    bulk_create_with_history(list(contacts.values()), Contact)
    changed_bodies = {}
    for row in second:
        body = bodies[row.body_name]
        if (body.polling_areas, body.location) != (row.polling_areas, row.location):
            body.polling_areas, body.location = row.polling_areas, row.location
            changed_bodies[row.body_name] = body
        _set_contact(contacts[(row.body_name, row.full_name)], row)
    fields = list(services.BODY_FIELDS)
    bulk_update_with_history(list(changed_bodies.values()), ElectionBody, fields)
    fields = list(services.CONTACT_FIELDS)
    bulk_update_with_history(list(contacts.values()), Contact, fields)


def _set_contact(contact: Contact, row) -> None:
    contact.full_name, contact.position = row.full_name, row.position
    contact.phones, contact.email = " ".join(row.phones), row.email
    contact.note = row.note


def _forget(list_a) -> None:
    ElectionBody.objects.filter(contact_list=list_a, version=None).delete()
    ElectionBody.history.all().delete()
    Contact.history.all().delete()


def test_the_writer_writes_the_rows_and_audit_rows_simple_history_writes(
    world, list_a, communes_a, request_by
):
    """Created, then changed (every contact's note, one team's location):
    the same rows and audit rows, column for column."""
    first = _rows(communes_a)
    second = _rows(communes_a, note="gọi sau 17 giờ", location="Nhà văn hóa mới")
    _import_with_the_writer(list_a, world, first, second)
    by_writer = _written(list_a)
    _forget(list_a)
    _import_with_simple_history(list_a, communes_a, first, second)
    by_simple_history = _written(list_a)

    assert by_writer == by_simple_history
    # What was compared: 2 bodies and 3 contacts, created and changed.
    counts = {label: len(rows) for label, rows in by_writer.items()}
    assert counts == {
        "ElectionBody": 2,
        "ElectionBody history": 3,
        "Contact": 3,
        "Contact history": 6,
    }
