"""A district's contact-list file, random and hostile, through the real pages
as the district's officer: upload, preview, confirm.

Whatever the file (a workbook whose cells hold anything of any type, NUL
bytes included; a CSV in the wrong encoding, with NULs, formulas, huge
cells; names with combining diacritics; a truncated or corrupt archive):

- no page answers with a server error;
- the pages are in Vietnamese;
- a file with any problem is refused: the preview lists the errors, confirming
  says nothing was saved, and the database is exactly as before;
- a file without errors is saved whole on confirming, and what is saved is
  exactly what the file's rows say (normalised): no row more, none less, and
  the draft's other rows untouched.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable

import pytest
import python_calamine
from django.urls import reverse
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from contacts.importers.vocabulary import (
    BODY_KIND_WORDS,
    COLUMNS,
    POSITION_WORDS,
    fold,
    same,
)
from contacts.models import Contact, ContactImport, ElectionBody
from contacts.phones import normalise_phone, split_phones
from tests.fuzz import FUZZ
from tests.fuzz import strategies as s
from tests.fuzz.support import (
    CSRF,
    FileValue,
    client_for,
    differences,
    in_vietnamese,
    is_vietnamese_page,
    listed_errors,
    location_path,
    post,
    queued_messages,
    rolled_back,
    shows_error,
    snapshot,
    target_of,
)

pytestmark = [
    pytest.mark.django_db,
    # Hypothesis warns when an example's repr is long: some are 100,000
    # characters on purpose.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

DISTRICT = "district_a"
KEYS = [c.key for c in COLUMNS]
REQUIRED = [c.key for c in COLUMNS if c.required]

# --- Drawing files ------------------------------------------------------------------

KIND_WORDS = [w for vi, en in BODY_KIND_WORDS.values() for w in vi + en]
POSITION_WORDS_ALL = [w for vi, en in POSITION_WORDS.values() for w in vi + en]
# Bodies and people the world's draft does not have, so that a saved row is
# a new contact (the matrix names its own "Tổ zz-…-zz").
BODY_NAMES = ["Tổ bầu cử số 91", "Tổ bầu cử số 92", "Ban bầu cử khu vực 3"]
FULL_NAMES = [s.VIETNAMESE, "Trần Thị Ánh Tuyết", "Phạm Quốc Bảo", "Đỗ Minh Đức"]
PHONES = [
    "0912 345 678",
    "0987.654.321",
    "+84 912 345 679",
    912345670,  # typed as a number: Excel drops the leading 0
    "0912345671; 0987654320",
]


def _valid_cell(key: str) -> st.SearchStrategy:
    """A value the importer accepts for the column, in one of its forms."""
    text = st.sampled_from
    choices = {
        "body_kind": text(KIND_WORDS).flatmap(s.mutated),
        "unit_code": st.builds(s.Ref, st.just("code"), st.integers(0, 1)),
        "unit_name": st.builds(s.Ref, st.just("name"), st.integers(0, 1)),
        "body_name": text(BODY_NAMES).flatmap(s.mutated),
        "polling_areas": text(["KVBP số 1, 2", "", "Khu vực 7"]),
        "location": text(["Nhà văn hóa thôn Đông", "", s.VIETNAMESE_NFD]),
        "full_name": text(FULL_NAMES).flatmap(s.mutated),
        "position": text(POSITION_WORDS_ALL).flatmap(s.mutated),
        "phones": text(PHONES),
        "email": text(["", "to.truong@example.vn", "  a@b.vn "]),
        "note": st.one_of(text(["", "Trực 24/24", s.STACKED_MARKS]), s.any_text()),
    }
    return choices[key]


def _cell(key: str) -> st.SearchStrategy:
    # Valid first: hypothesis shrinks towards it, so a failing file shrinks
    # to the one hostile cell that matters.
    return st.one_of(_valid_cell(key), s.cell_value())


@st.composite
def contact_sheets(draw) -> s.Sheet:
    language = draw(st.sampled_from(["vi", "en"]))
    keys = list(KEYS)
    if draw(st.booleans()):
        keys = draw(st.permutations(keys))
    dropped = draw(st.lists(st.sampled_from(keys), max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        keys = [k for k in keys if k not in dropped]
    header = [next(c for c in COLUMNS if c.key == k).header(language) for k in keys]
    extra = draw(st.lists(s.hostile_text().map(lambda t: t[:200]), max_size=2))
    if draw(st.integers(0, 3)) == 0 and keys:
        header.append(header[0])  # a column twice
        keys.append(keys[0])
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = [draw(_cell(k)) for k in keys]
        rows.append(tuple(cells + [draw(s.cell_value()) for _ in extra]))
    options = draw(s.file_format())
    if options["fmt"] == "csv":
        options.pop("cut", None)  # a cut CSV is a shorter valid CSV
    return s.Sheet(header=tuple(header + extra), rows=tuple(rows), **options)


def file_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("danh-sach.xlsx"),
        s.hostile_text().map(lambda t: t[:300] + ".xlsx"),
    )


# --- What a file says --------------------------------------------------------------


def _cells_read_back(content: bytes, sheet: s.Sheet) -> list[list] | None:
    """The cells as a spreadsheet program reads them, None if it cannot."""
    if sheet.fmt == "xlsx":
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            data = book.get_sheet_by_index(1 if sheet.extra_sheet_first else 0)
            return data.to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001  any failure: unreadable
            return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sheet.delimiter))


def _text(value, key: str) -> str:
    """A cell as the saved text: typed values as written, NFC, zero-width
    characters and an export's leading "'" dropped, spaces collapsed (but
    in phone cells); a phone typed as a number gets its 0 back."""
    if value is None:
        return ""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    text = re.sub(f"[{s.ZERO_WIDTH}]", "", text).strip()
    if re.match(r"'[=+\-@\t\r]", text):
        text = text[1:]
    if key == "phones":
        if numeric and text.isdigit() and len(text) == 9:
            text = "0" + text
        return text
    return " ".join(text.split())


def expected_contacts(cells: list[list], units: dict) -> list[tuple]:
    """(kind, unit, body name, areas, location, person, position, phones,
    e-mail, note) of each row with anything in it, from the file's cells."""
    header = [fold(_text(h, "")) for h in cells[0]]
    position: dict[str, int] = {}
    for column in COLUMNS:
        for index, text in enumerate(header):
            if text in (fold(column.vi), fold(column.en)):
                position.setdefault(column.key, index)
    kinds = {fold(w): k for k, (vi, en) in BODY_KIND_WORDS.items() for w in vi + en}
    kinds |= {fold(str(k)): k for k in BODY_KIND_WORDS}
    titles = {fold(w): p for p, (vi, en) in POSITION_WORDS.items() for w in vi + en}
    titles |= {fold(str(p)): p for p in POSITION_WORDS}
    rows = []
    for cells_of_row in cells[1:]:
        v = {
            k: _text(cells_of_row[i], k) if i < len(cells_of_row) else ""
            for k, i in position.items()
        }
        if not any(v.values()):
            continue
        unit = units.get(("code", v.get("unit_code"))) or units.get(
            ("name", fold(v.get("unit_name", "")))
        )
        phones = " ".join(
            dict.fromkeys(normalise_phone(p) for p in split_phones(v["phones"]))
        )
        rows.append(
            (
                str(kinds[fold(v["body_kind"])]),
                unit,
                same(v["body_name"]),
                same(v.get("polling_areas", "")),
                same(v.get("location", "")),
                v["full_name"],
                str(titles[fold(v["position"])]),
                phones,
                v.get("email", ""),
                v.get("note", ""),
            )
        )
    return sorted(rows, key=repr)


def saved_contacts(contacts) -> list[tuple]:
    return sorted(
        (
            (
                c.body.kind,
                c.body.unit_id,
                same(c.body.name),
                same(c.body.polling_areas),
                same(c.body.location),
                c.full_name,
                c.position,
                c.phones,
                c.email,
                c.note,
            )
            for c in contacts
        ),
        key=repr,
    )


def _draft_contacts(contact_list_pk: int):
    return Contact.objects.filter(
        body__contact_list_id=contact_list_pk, body__version=None
    ).select_related("body")


def _draft_state(contact_list_pk: int) -> dict[str, dict[int, tuple]]:
    """Every column of the draft's bodies and contacts, by kind and id."""
    bodies = ElectionBody.objects.filter(contact_list_id=contact_list_pk, version=None)
    contacts = _draft_contacts(contact_list_pk)
    return {
        "bodies": {row[0]: row for row in bodies.values_list()},
        "contacts": {row[0]: row for row in contacts.values_list()},
    }


# --- The pages ---------------------------------------------------------------------


def _units(m) -> tuple[dict, Callable]:
    communes = m.communes[DISTRICT]

    def resolve(ref: s.Ref):
        commune = communes[ref.index]
        return commune.code if ref.kind == "code" else commune.name

    district = m.orgs[DISTRICT].unit
    units = {("code", u.code): u.pk for u in [district, *communes]}
    units |= {("name", fold(u.name)): u.pk for u in [district, *communes]}
    return units, resolve


def _upload(client, contact_list_pk: int, content: bytes, name: str):
    url = reverse("contacts:import_upload", args=[contact_list_pk])
    return post(
        client, url, {"csrfmiddlewaretoken": CSRF, "file": FileValue(name, content)}
    )


def check_import(m, client, content: bytes, name: str, sheet: s.Sheet | None):
    contact_list = target_of(m, "contact_list", DISTRICT).pk
    before_upload = snapshot()
    uploaded = _upload(client, contact_list, content, name)
    if uploaded.status_code == 400:  # a name too long for a request's headers
        assert differences(before_upload, snapshot()) == {}
        return
    if uploaded.status_code == 200:  # no file, an empty file, too large
        page = uploaded.content.decode()
        assert shows_error(page) and is_vietnamese_page(page)
        assert differences(before_upload, snapshot()) == {}
        return
    assert uploaded.status_code == 302, uploaded.status_code
    contact_import = ContactImport.objects.filter(contact_list_id=contact_list).latest(
        "pk"
    )
    with contact_import.file.open("rb") as stored:
        assert stored.read() == content
    preview_url = reverse("contacts:import_preview", args=[contact_import.pk])
    assert location_path(uploaded) == preview_url
    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert is_vietnamese_page(page)
    errors = listed_errors(page, "import-errors")
    for row, column, problem in errors:
        assert problem and in_vietnamese(problem), (row, column, problem)
    draft_before, before = _draft_state(contact_list), snapshot()
    applied = client.post(reverse("contacts:import_apply", args=[contact_import.pk]))
    assert applied.status_code == 302
    if errors:
        assert shows_error(page)
        assert location_path(applied) == preview_url
        with translation.override("vi"):
            refused = translation.gettext("The file has errors; nothing was saved.")
        assert queued_messages(applied)[-1][1] == refused
        assert differences(before, snapshot()) == {}
        return
    assert location_path(applied) == reverse(
        "contacts:contact_list_detail", args=[contact_list]
    )
    _check_saved(m, contact_list, draft_before, content, sheet)


def _check_saved(m, contact_list, draft_before, content, sheet):
    """Every row of the file is in the draft as it says; nothing else
    changed (the rows are all new people)."""
    draft_after = _draft_state(contact_list)
    for kind, rows in draft_before.items():
        kept = {pk: draft_after[kind].get(pk) for pk in rows}
        assert kept == rows, f"the draft's {kind} changed"
    new = [
        c for c in _draft_contacts(contact_list) if c.pk not in draft_before["contacts"]
    ]
    if sheet is None:
        return
    cells = _cells_read_back(content, sheet)
    assert cells is not None, "saved a file that cannot be read"
    units, _resolve = _units(m)
    saved = saved_contacts(new)
    assert saved == expected_contacts(cells, units)
    # PostgreSQL cannot store a NUL: refused on every database alike.
    assert not any("\x00" in str(value) for row in saved for value in row)


# --- The tests ---------------------------------------------------------------------

# The examples every run tries, whatever hypothesis draws.
HEADER_VI = tuple(c.vi for c in COLUMNS)
GOOD_ROW = (
    "Tổ bầu cử",
    s.Ref("code", 0),
    "",
    "Tổ bầu cử số 91",
    "KVBP 1",
    "Nhà văn hóa",
    "Trần Thị Ánh Tuyết",
    "Tổ trưởng",
    "0912 345 678",
    "",
    "",
)


def _row(**changes) -> tuple:
    values = dict(zip(KEYS, GOOD_ROW, strict=True)) | changes
    return tuple(values[k] for k in KEYS)


@FUZZ
@given(sheet=contact_sheets(), name=file_names())
@example(sheet=s.Sheet(HEADER_VI, (_row(),)), name="danh-sach.xlsx")
@example(  # a NUL in a name (Excel's _x0000_ escape, read back as U+0000)
    sheet=s.Sheet(HEADER_VI, (_row(full_name="Lê Văn\x00 An"),)), name="a.xlsx"
)
@example(  # combining marks: saved precomposed
    sheet=s.Sheet(
        HEADER_VI,
        (_row(full_name=s.VIETNAMESE_NFD, body_name=s.VIETNAMESE_NFD),),
        fmt="csv",
    ),
    name="nfd.csv",
)
@example(  # a formula
    sheet=s.Sheet(HEADER_VI, (_row(note='=HYPERLINK("http://x")'),)), name="f.xlsx"
)
@example(  # Windows' Vietnamese code page, not UTF-8
    sheet=s.Sheet(HEADER_VI, (_row(),), fmt="csv", encoding="cp1258"), name="a.csv"
)
@example(  # a huge cell
    sheet=s.Sheet(HEADER_VI, (_row(note="ễ" * 100_000),), fmt="csv"), name="h.csv"
)
@example(sheet=s.Sheet(HEADER_VI, (_row(),), cut=0.5), name="cut.xlsx")
@example(sheet=s.Sheet(HEADER_VI, (_row(),), nul_at=(0.5,)), name="nul.xlsx")
def test_a_contact_file_is_saved_whole_or_refused_with_nothing_changed(
    matrix, sheet, name
):
    client = client_for(matrix, DISTRICT)
    _units_of, resolve = _units(matrix)
    with rolled_back():
        check_import(matrix, client, sheet.render(resolve), name, sheet)


@FUZZ
@given(content=s.broken_file(), name=file_names())
@example(content=b"a;b\n" * (3 * 2**20), name="big.csv")  # above 10 MB
def test_a_broken_file_is_refused_with_nothing_changed(matrix, content, name):
    client = client_for(matrix, DISTRICT)
    with rolled_back():
        check_import(matrix, client, content, name, None)
