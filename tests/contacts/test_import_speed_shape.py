"""The import's cost does not grow with the file in queries, and an import
that changes nothing writes nothing (docs/performance.md, "Contact-list
import")."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, ContactImport, ElectionBody
from contacts.services import contact_lists as services
from tests.contacts.conftest import contact_csv, make_row, uploaded


def _import(list_a, world, rows) -> tuple[int, list[str]]:
    """Plan and apply `rows`; the number of queries and the writes."""
    contact_import = ContactImport.objects.create(
        contact_list=list_a,
        original_name="t.xlsx",
        uploaded_by=world.district_a_officer,
    )
    with CaptureQueriesContext(connection) as queries:
        plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="U")
        services.contact_list_import(contact_import=contact_import, plan=plan)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))
        and "contacts_contactimport" not in q["sql"]
        and "contacts_contactlist" not in q["sql"]
    ]
    return len(queries.captured_queries), writes


def _rows(communes, n: int, **kw):
    return [make_row(i, communes[i % len(communes)], **kw) for i in range(2, n + 2)]


def _empty_draft(list_a) -> None:
    ElectionBody.objects.filter(contact_list=list_a, version=None).delete()


def test_ten_rows_and_a_thousand_take_the_same_number_of_queries(
    world, list_a, communes_a
):
    small, _writes = _import(list_a, world, _rows(communes_a, 10))
    _empty_draft(list_a)
    large, _writes = _import(list_a, world, _rows(communes_a, 1000))
    assert large == small
    assert Contact.objects.filter(body__contact_list=list_a).count() == 1000
    assert Contact.history.filter(history_type="+").count() == 1010


def test_ten_changed_rows_and_a_thousand_take_the_same_number_of_queries(
    world, list_a, communes_a
):
    counts = []
    for n in (10, 1000):
        _empty_draft(list_a)
        _import(list_a, world, _rows(communes_a, n))
        count, writes = _import(list_a, world, _rows(communes_a, n, note="đổi"))
        counts.append(count)
        assert Contact.objects.filter(note="đổi").count() == n
    assert counts[0] == counts[1]
    assert Contact.history.filter(history_type="~").count() == 1010


def test_an_unchanged_reimport_writes_nothing(world, list_a, communes_a):
    rows = _rows(communes_a, 200)
    _import(list_a, world, rows)
    history = (ElectionBody.history.count(), Contact.history.count())
    _count, writes = _import(list_a, world, rows)
    assert writes == []
    assert (ElectionBody.history.count(), Contact.history.count()) == history


def test_confirming_a_kept_plan_of_10_rows_or_1000_takes_the_same_queries(
    world, list_a, communes_a
):
    counts = []
    for n in (10, 1000):
        _empty_draft(list_a)
        contact_import = uploaded(list_a, world, contact_csv(communes_a, n))
        with CaptureQueriesContext(connection) as queries:
            services.contact_import_apply(contact_import=contact_import)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert Contact.objects.filter(body__contact_list=list_a).count() == 1000
