"""A duty roster file, random and hostile, through the real import page as
the telecom firm's officer.

Whatever the file (cells of any type, NUL bytes, dates like 31/02/2021 or
31/12/9999, times like 25:61, huge names, combining diacritics, the wrong
encoding, a truncated or corrupt archive):

- the page never answers with a server error;
- a file with any problem saves nothing: the page (in Vietnamese) lists
  every error with its row and column, and the database is as before;
- a file without errors is saved whole: one shift per row, each as its row
  says (the day and times read as typed, the names trimmed and
  precomposed, the phone in E.164), and nothing else changes.
"""

import csv
import datetime
import io
import re
import unicodedata

import pytest
import python_calamine
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from contacts.importers.tables import FileProblem, decode_text
from contacts.importers.vocabulary import fold
from contacts.phones import normalise_phone
from incidents.importers import COLUMNS
from incidents.models import Shift
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

CARRIER = "telecom"
KEYS = [c.key for c in COLUMNS]
VN = timezone.get_default_timezone()
UNKNOWN = None  # a hostile cell: what it means is not known in advance

# --- Drawing files -----------------------------------------------------------------

DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")


@st.composite
def _day(draw):
    """(cell, the date it means)."""
    day = draw(st.dates(datetime.date(2021, 5, 1), datetime.date(2021, 6, 12)))
    shape = draw(st.sampled_from(["date", "datetime", *DAY_FORMATS]))
    if shape == "date":
        return day, day
    if shape == "datetime":
        return datetime.datetime.combine(day, datetime.time()), day
    return day.strftime(shape), day


@st.composite
def _time(draw):
    """(cell, the time it means)."""
    at = datetime.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30])))
    shape = draw(st.sampled_from(["time", "%H:%M", "%H:%M:%S", "%Hh%M", "hour"]))
    if shape == "time":
        return at, at
    if shape == "hour":
        return f"{at.hour}h" if at.minute == 0 else at.strftime("%Hh%M"), at
    return at.strftime(shape), at


VALID = {
    "day": _day(),
    "starts": _time(),
    "ends": _time(),
    "person_name": st.sampled_from(
        ["Lê Thị Hoa", s.VIETNAMESE, "Trần Văn Bình", "Hoàng Minh Tâm"]
    )
    .flatmap(s.mutated)
    .map(lambda t: (t, t)),
    "role": st.sampled_from(["Trực điều hành", "", "Ứng cứu thông tin"]).map(
        lambda t: (t, t)
    ),
    "phone": st.sampled_from(["0912 345 678", "+84 987 654 321", 912345670]).map(
        lambda t: (t, t)
    ),
    "location": st.sampled_from(["Trung tâm điều hành", "", s.VIETNAMESE_NFD]).map(
        lambda t: (t, t)
    ),
}


def _cell(key: str):
    return st.one_of(VALID[key], s.cell_value().map(lambda v: (v, UNKNOWN)))


@st.composite
def roster_sheets(draw) -> tuple[s.Sheet, list[dict]]:
    """The file, and for each data row what each cell means (UNKNOWN for a
    hostile one)."""
    language = draw(st.sampled_from(["vi", "en"]))
    keys = list(KEYS)
    if draw(st.booleans()):
        keys = draw(st.permutations(keys))
    if draw(st.integers(0, 4)) == 0:
        keys.remove(draw(st.sampled_from(keys)))
    header = [next(c for c in COLUMNS if c.key == k).header(language) for k in keys]
    cells, meanings = [], []
    for _ in range(draw(st.integers(0, 4))):
        drawn = {k: draw(_cell(k)) for k in keys}
        cells.append(tuple(drawn[k][0] for k in keys))
        meanings.append({k: drawn[k][1] for k in keys})
    options = draw(s.file_format())
    if options["fmt"] == "csv":
        options.pop("cut", None)  # a cut CSV is a shorter valid CSV
    return s.Sheet(header=tuple(header), rows=tuple(cells), **options), meanings


# --- What a file says --------------------------------------------------------------


def _read_back(content: bytes, sheet: s.Sheet) -> list[list] | None:
    if sheet.fmt == "xlsx":
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
            data = book.get_sheet_by_index(1 if sheet.extra_sheet_first else 0)
            return data.to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001  any failure: unreadable
            return None
    # Text is decoded as the importers decode it (UTF-8, UTF-16, Windows-1258:
    # tests/contacts/test_import_layouts.py checks how); this test is about
    # what is saved from the cells read.
    try:
        text = decode_text(content)
    except FileProblem:
        return None
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sheet.delimiter))


def _text(value) -> str:
    """A cell as saved text: whole numbers without ".0", NFC, zero-width
    characters and an export's leading "'" dropped, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    text = re.sub(f"[{s.ZERO_WIDTH}]", "", text).strip()
    if text[:2] in ("'=", "'+", "'-", "'@"):
        text = text[1:]
    return " ".join(text.split())


def _phone(value) -> str:
    text = _text(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and text.isdigit() and len(text) in (9, 10):
        text = "0" + text
    return normalise_phone(text)


def expected_shifts(cells: list[list], meanings: list[dict]) -> list[tuple]:
    """(starts, ends, person, role, phone, location) of each row with
    anything in it; starts and ends None where a cell was hostile."""
    header = [fold(_text(h)) for h in cells[0]]
    position: dict[str, int] = {}
    for column in COLUMNS:
        for index, text in enumerate(header):
            if text in (fold(column.vi), fold(column.en)):
                position.setdefault(column.key, index)
    rows = []
    for row, meaning in zip(cells[1:], meanings, strict=False):
        v = {k: row[i] if i < len(row) else None for k, i in position.items()}
        if not any(_text(x) for x in v.values()):
            continue
        rows.append((*_span(meaning), *_texts(v)))
    return rows


def _span(meaning: dict) -> tuple:
    day, starts, ends = (meaning[k] for k in ("day", "starts", "ends"))
    if UNKNOWN in (day, starts, ends):
        return None, None
    start = datetime.datetime.combine(day, starts, tzinfo=VN)
    end = datetime.datetime.combine(day, ends, tzinfo=VN)
    if end <= start:
        end += datetime.timedelta(days=1)
    return start, end


def _texts(v: dict) -> tuple:
    return (
        _text(v.get("person_name")),
        _text(v.get("role")),
        _phone(v.get("phone")),
        _text(v.get("location")),
    )


def saved_shifts(shifts) -> list[tuple]:
    return [
        (s.starts_at, s.ends_at, s.person_name, s.role, s.phone, s.location)
        for s in shifts
    ]


def _matches(saved: tuple, wanted: tuple) -> bool:
    """A saved shift is the row's: the same in every known part."""
    return all(w is None or a == w for a, w in zip(saved, wanted, strict=True))


# --- The test ---------------------------------------------------------------------


def check_roster_import(m, client, content: bytes, sheet: s.Sheet, meanings) -> None:
    roster = target_of(m, "roster", CARRIER).pk
    world_shifts = {shift.pk for shift in m.targets["shift"]}
    before = snapshot()
    url = reverse("rosters:import", args=[roster])
    body = {"csrfmiddlewaretoken": CSRF, "file": FileValue("lich-truc.xlsx", content)}
    response = post(client, url, body)
    if response.status_code == 200:
        page = response.content.decode()
        assert shows_error(page) and is_vietnamese_page(page)
        for row, column, problem in listed_errors(page, "roster-errors"):
            assert problem and in_vietnamese(problem), (row, column, problem)
        assert differences(before, snapshot()) == {}
        return
    assert response.status_code == 302, response.status_code
    assert location_path(response) == reverse("rosters:roster", args=[roster])
    new = Shift.objects.filter(organisation_id=roster).exclude(pk__in=world_shifts)
    saved = saved_shifts(new.order_by("pk"))
    assert not any("\x00" in str(value) for row in saved for value in row)
    cells = _read_back(content, sheet)
    assert cells is not None, "saved a file that cannot be read"
    wanted = expected_shifts(cells, meanings)
    assert len(saved) == len(wanted), (saved, wanted)
    unmatched = list(saved)
    for shift in wanted:
        found = next((x for x in unmatched if _matches(x, shift)), None)
        assert found is not None, f"no shift saved for {shift} among {unmatched}"
        unmatched.remove(found)


HEADER_VI = tuple(c.vi for c in COLUMNS)
DAY, SEVEN, ELEVEN = datetime.date(2021, 5, 23), datetime.time(7), datetime.time(11)


def _row(**changes):
    values = {
        "day": "23/05/2021",
        "starts": "07:00",
        "ends": "11:00",
        "person_name": "Lê Thị Hoa",
        "role": "",
        "phone": "0912 345 678",
        "location": "",
    } | changes
    meaning = {"day": DAY, "starts": SEVEN, "ends": ELEVEN} | {
        k: UNKNOWN for k in changes if k in ("day", "starts", "ends")
    }
    return tuple(values[k] for k in KEYS), meaning


def _sheet(*rows, **options):
    return (
        s.Sheet(HEADER_VI, tuple(r for r, _m in rows), **options),
        [m for _r, m in rows],
    )


@FUZZ
@given(drawn=roster_sheets())
@example(drawn=_sheet(_row()))
@example(drawn=_sheet(_row(day="31/12/9999", starts="22:00", ends="06:00")))
@example(drawn=_sheet(_row(day="01/01/0001", starts="00:00", ends="01:00")))
@example(drawn=_sheet(_row(day="31/02/2021")))
@example(drawn=_sheet(_row(starts="25:61")))
@example(drawn=_sheet(_row(person_name="Lê\x00Hoa")))  # Excel's _x0000_
@example(drawn=_sheet(_row(person_name=s.VIETNAMESE_NFD), fmt="csv"))
@example(drawn=_sheet(_row(location="=1+2")))
@example(drawn=_sheet(_row(person_name="ễ" * 100_000), fmt="csv"))
@example(drawn=_sheet(_row(), fmt="csv", encoding="utf-16"))
@example(drawn=_sheet(_row(), cut=0.6))
def test_a_roster_file_is_saved_whole_or_refused_with_nothing_changed(matrix, drawn):
    sheet, meanings = drawn
    client = client_for(matrix, CARRIER)
    with rolled_back():
        check_roster_import(matrix, client, sheet.render(None), sheet, meanings)


@FUZZ
@given(content=s.broken_file())
def test_a_broken_roster_file_is_refused_with_nothing_changed(matrix, content):
    client = client_for(matrix, CARRIER)
    with rolled_back():
        check_roster_import(matrix, client, content, s.Sheet((), ()), [])
