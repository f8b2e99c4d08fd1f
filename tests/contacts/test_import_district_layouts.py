"""A district's own list, previewed and imported through the services the
import pages call: the same list saved as .xlsx, .xls, .ods and Excel's
"Unicode text" gives the same preview and the same draft, and bodies whose
names list their communes are placed under the right unit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from contacts.importers import parse_contact_file, unit_not_in_name_message
from contacts.importers.layout import BodyName, read_body_name
from contacts.models import Contact, ContactList, Election, ElectionBody, UnitLevel
from contacts.services import contact_lists as services
from contacts.services.contact_imports import (
    team_needs_commune_message,
    unit_in_other_district_message,
    unit_not_in_district_message,
)
from tests.contacts import district_lists
from tests.contacts.district_lists import (
    BOARD_1,
    BOARD_2,
    COMMUNES,
    EXPECTED,
    HEADER,
    TITLE,
    as_text,
    as_xlsx,
)
from tests.factories import CommuneFactory

FILES = Path(__file__).parent / "files"
BODY_COLUMN = "Tổ chức phụ trách bầu cử"


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def dong_son(world) -> ContactList:
    """Huyện Đông Sơn's contact list; its communes are those the list names."""
    district = world.district_b.unit
    for name in COMMUNES:
        CommuneFactory(parent=district, name=name)
    return ContactList.objects.create(
        election=Election.objects.get(), organisation=world.district_b
    )


def the_list(form: str) -> bytes:
    if form == "xlsx":
        return as_xlsx()
    if form == "text":
        return as_text()
    return (FILES / f"danh-sach-dong-son.{form}").read_bytes()


def preview(contact_list: ContactList, content: bytes, world, name="danh-sach"):
    """Upload and preview as the pages do: the upload plans and keeps the
    plan, the preview reads it back."""
    contact_import = services.contact_import_upload(
        contact_list=contact_list,
        upload=SimpleUploadedFile(name, content),
        by=world.district_b_officer,
    )
    services.contact_import_plan(contact_import=contact_import)
    plan = services.contact_import_preview(contact_import=contact_import)
    return contact_import, plan


def totals(plan) -> tuple[int, int, int]:
    return (
        plan.count(services.RowAction.CREATE),
        plan.count(services.RowAction.UPDATE),
        plan.count(services.RowAction.UNCHANGED),
    )


def draft(contact_list: ContactList) -> dict:
    """The draft as EXPECTED writes it."""
    return {
        (
            c.body.kind,
            c.body.name,
            c.body.unit.name,
            c.full_name,
            c.position,
        ): tuple(c.phones.split())
        for c in Contact.objects.filter(
            body__contact_list=contact_list, body__version=None
        ).select_related("body__unit")
    }


FORMS = ["xlsx", "xls", "ods", "text"]


@pytest.mark.parametrize("form", ["xls", "ods", "text"])
def test_every_format_of_the_list_reads_as_the_xlsx_does(form):
    xlsx = parse_contact_file(content=as_xlsx(), filename="danh-sach.xlsx")
    other = parse_contact_file(content=the_list(form), filename=f"danh-sach.{form}")
    assert other.errors == xlsx.errors == []
    assert other.rows == xlsx.rows
    assert len(other.rows) == len(EXPECTED)
    assert other.header_rows == xlsx.header_rows == district_lists.HEADER_ROWS


def test_the_committed_files_are_of_the_formats_they_are_named_after():
    assert the_list("xls").startswith(b"\xd0\xcf\x11\xe0")  # an OLE file
    ods = the_list("ods")
    assert (
        ods[:2] == b"PK"
        and b"application/vnd.oasis.opendocument.spreadsheet" in (ods[:100])
    )


@pytest.mark.parametrize("form", FORMS)
def test_every_format_previews_and_imports_the_same_draft(world, dong_son, form):
    contact_import, plan = preview(dong_son, the_list(form), world)
    assert plan.errors == []
    assert totals(plan) == (len(EXPECTED), 0, 0)
    notes = [note for item in plan.rows for note in item.row.notes]
    assert notes == ["01693456789 → 0393 456 789, đổi đầu số từ 2018"]
    services.contact_import_apply(contact_import=contact_import)
    assert draft(dong_son) == EXPECTED
    # The same list in any other format changes nothing.
    for other in FORMS:
        again, plan = preview(dong_son, the_list(other), world)
        assert (other, plan.errors, totals(plan)) == (other, [], (0, 0, len(EXPECTED)))
        services.contact_import_discard(contact_import=again)


def test_a_board_covering_two_communes_is_stored_under_the_district(world, dong_son):
    contact_import, plan = preview(dong_son, as_xlsx(), world)
    services.contact_import_apply(contact_import=contact_import)
    boards = ElectionBody.objects.filter(contact_list=dong_son, kind="board")
    assert sorted((b.name, b.unit.name, b.level) for b in boards) == [
        (BOARD_1, "Huyện Đông Sơn", UnitLevel.DISTRICT),
        (BOARD_2, "Huyện Đông Sơn", UnitLevel.DISTRICT),
    ]
    assert boards.get(name=BOARD_1).contacts.count() == 2


def body_rows(*bodies: tuple[str, str]) -> list[list]:
    """The district's layout with one person in each (body name, kind of
    section) given."""
    rows = [*TITLE, *HEADER]
    for number, (name, section) in enumerate(bodies, start=1):
        rows.append([section])
        rows.append([number, f"Người Số {number}", "Trưởng ban", name, None])
        rows[-1] += [f"0912.000.{number:03d}", None]
    return rows


@pytest.mark.parametrize(
    "name",
    [
        "Ban bầu cử số 1 (xã Đông Hòa, xã Đông Yên)",
        "Ban bầu cử số 1 (Đông Hoà, Dong Yen)",
        "Ban bầu cử số 1 (X. Đông Hòa, X.Đông Yên)",
        "Ban bầu cử số 1 (các xã: Đông Hòa và Đông Yên)",
        "BBC số 1 (xa Dong Hoa; XÃ ĐÔNG YÊN)",
        "Ban bầu cử xã Đông Hòa và xã Đông Yên",
    ],
)
def test_communes_in_a_name_are_found_however_they_are_written(world, dong_son, name):
    contact_import, plan = preview(
        dong_son, as_text(body_rows((name, "II. BAN"))), world
    )
    assert plan.errors == []
    [item] = plan.rows
    assert (item.row.body_kind, item.unit.name) == ("board", "Huyện Đông Sơn")
    services.contact_import_apply(contact_import=contact_import)
    body = ElectionBody.objects.get(contact_list=dong_son)
    assert (body.name, body.level) == (name, UnitLevel.DISTRICT)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("Tổ bầu cử số 4 (Đông Hòa)", "Xã Đông Hòa"),
        ("Tổ bầu cử số 1 (Đồng Lạc) - xã Đông Hòa", "Xã Đông Hòa"),
        ("Tổ bầu cử số 1 - xã Đông Yên (thôn 1, thôn 2)", "Xã Đông Yên"),
        ("Tổ bầu cử số 2 (KVBP số 2, TT Rừng Thông)", "Thị trấn Rừng Thông"),
    ],
)
def test_a_body_of_one_commune_stays_under_it_beside_its_villages(
    world, dong_son, name, unit
):
    _contact_import, plan = preview(dong_son, as_text(body_rows((name, "III."))), world)
    assert plan.errors == []
    assert [item.unit.name for item in plan.rows] == [unit]


def test_a_misspelt_commune_is_an_error_naming_it(world, dong_son):
    name = "Ban bầu cử số 1 (Đông Hòa, Đông Yênn)"
    _contact_import, plan = preview(dong_son, as_text(body_rows((name, "II."))), world)
    district = world.district_b.unit
    assert [(e.row_number, e.message) for e in plan.errors] == [
        (11, unit_not_in_district_message("Đông Yênn", district))
    ]
    assert plan.rows == []


def test_a_commune_of_another_district_names_that_district(world, dong_son):
    CommuneFactory(parent=world.district_a.unit, name="Xã Đông Tiến")
    name = "Ban bầu cử số 3 (xã Đông Hòa, xã Đông Tiến)"
    _contact_import, plan = preview(dong_son, as_text(body_rows((name, "II."))), world)
    message = unit_in_other_district_message(
        "xã Đông Tiến", world.district_b.unit, "thành phố Thanh Hóa"
    )
    # At the cell the communes were read from: the body's name, in the
    # district's own column.
    assert [(e.row_number, e.column, e.message) for e in plan.errors] == [
        (11, BODY_COLUMN, message)
    ]


def test_a_team_naming_two_communes_is_refused(world, dong_son):
    name = "Tổ bầu cử số 1 (xã Đông Hòa, xã Đông Yên)"
    _contact_import, plan = preview(dong_son, as_text(body_rows((name, "III."))), world)
    assert [(e.row_number, e.message) for e in plan.errors] == [
        (11, team_needs_commune_message())
    ]


def test_names_in_brackets_that_are_no_communes_leave_the_body_without_unit(
    world, dong_son
):
    name = "Ban bầu cử số 5 (Đồng Lạc, Yên Bái)"
    _contact_import, plan = preview(dong_son, as_text(body_rows((name, "II."))), world)
    assert [(e.row_number, e.message) for e in plan.errors] == [
        (11, unit_not_in_name_message(name))
    ]


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Tổ bầu cử số 1 - xã Đông Hòa", BodyName("team", unit="xã Đông Hòa")),
        ("UBBC huyện Đông Sơn", BodyName("committee", unit="huyện Đông Sơn")),
        (
            "Ban bầu cử số 1 (xã Đông Hòa, xã Đông Yên)",
            BodyName("board", units=("xã Đông Hòa", "xã Đông Yên")),
        ),
        (
            "Ban bầu cử số 2 (các xã: Đông Hòa, Đông Yên và TT Rừng Thông)",
            BodyName("board", units=("xã Đông Hòa", "TT Rừng Thông", "Đông Yên")),
        ),
        ("Ban bầu cử số 1 (xã Đông Hòa)", BodyName("board", unit="xã Đông Hòa")),
        (
            "Tổ bầu cử số 3 (KVBP số 3; thôn Đông, xóm 2) - X. Đông Hòa",
            BodyName("team", unit="X. Đông Hòa"),
        ),
        ("Ban bầu cử số 4", BodyName("board")),
    ],
)
def test_a_body_name_gives_its_kind_and_units(name, named):
    assert read_body_name(name) == named


def test_the_benchmarks_officials_layout_reads_without_an_error(tmp_path):
    """bench/import_contacts.py --layout officials times this file: every
    person in it must be read, and each board must list its communes."""
    from bench.generate_contacts_xlsx import write_officials_xlsx

    path = write_officials_xlsx(tmp_path / "officials.xlsx", rows=400)
    result = parse_contact_file(content=path.read_bytes(), filename=path.name)
    assert (result.errors, len(result.rows)) == ([], 400)
    assert result.header_rows == (7, 8, 9)
    boards = {row.body_name: row.named_units for row in result.rows[5:17]}
    assert len(boards) == 3
    assert all(len(units) == 4 for units in boards.values())
    assert {row.body_kind for row in result.rows[17:]} == {"team"}
