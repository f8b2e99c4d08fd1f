"""The import's cost does not grow with the file in queries, and an import
that changes nothing writes nothing (docs/performance.md, "Contact-list
import"); nor does its preview's, in each of its states (tests/pages.py
leaves the preview to this file)."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact, ContactImport, ElectionBody, ImportColumns
from contacts.services import contact_lists as services
from contacts.spreadsheets import active_sheet
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


# --- The preview ---------------------------------------------------------------------

# The district's own header: "Cán bộ phụ trách" is its word for the name.
OWN_HEADER = "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Cán bộ phụ trách;Chức vụ;Số điện thoại;Quê quán"


def _own_lines(communes, n: int) -> list[str]:
    """n teams of one person, each phone an old 11-digit mobile (a note)."""
    return [
        f"Tổ bầu cử;{communes[i % len(communes)].code};Tổ bầu cử số {i};"
        f"Người số {i};Tổ trưởng;0169{i:07d};Thanh Hóa"
        for i in range(n)
    ]


def _own_csv(communes, n: int) -> bytes:
    return "\n".join([OWN_HEADER, *_own_lines(communes, n)]).encode()


def _two_sheets(communes, n: int) -> bytes:
    workbook = openpyxl.Workbook()
    active_sheet(workbook).append(["Hướng dẫn điền danh sách"])
    sheet = workbook.create_sheet("Danh sách")
    for line in [OWN_HEADER, *_own_lines(communes, n)]:
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _preview_queries(client, contact_import) -> tuple[int, str]:
    url = reverse("contacts:import_preview", args=[contact_import.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return len(queries.captured_queries), page


@pytest.mark.parametrize(
    ("state", "content", "shows"),
    [
        # The name column chosen by the district before; rows with notes.
        ("remembered columns", _own_csv, ['id="import-mapped"', 'id="import-notes"']),
        # The name column missing: the column form and the file's error.
        ("columns to choose", _own_csv, ['id="import-columns"', 'id="import-errors"']),
        # A workbook of two sheets: the sheet form.
        ("sheets", _two_sheets, ['id="import-sheet-form"', 'id="import-columns"']),
    ],
)
def test_the_preview_takes_the_same_queries_for_10_rows_and_1000(
    client, world, list_a, communes_a, state, content, shows
):
    if state != "columns to choose":
        ImportColumns.objects.create(
            organisation=world.district_a, columns={"canbophutrach": "full_name"}
        )
    client.force_login(world.district_a_officer)
    counts = []
    for n in (10, 1000):
        contact_import = uploaded(list_a, world, content(communes_a, n))
        _preview_queries(client, contact_import)  # sessions, caches
        count, page = _preview_queries(client, contact_import)
        counts.append(count)
        assert all(marker in page for marker in shows), state
    assert counts[0] == counts[1]
