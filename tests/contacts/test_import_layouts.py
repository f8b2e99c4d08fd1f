"""Contact lists as district offices write them: a title block above the
header, two-level headers, section rows, body names that carry their kind and
commune, a signature footer, and every file format they send."""

import io
import unicodedata

import openpyxl
import pytest
from django.utils import translation

from contacts.importers import FORMULA_CELL, RowError, parse_contact_file
from contacts.importers.units import UnitNames
from contacts.importers.vocabulary import (
    FILE_NOT_A_WORKBOOK,
    FILE_UNKNOWN_ENCODING,
    old_landline_note,
    old_mobile_note,
    short_phone_message,
)
from contacts.spreadsheets import active_sheet

TITLE: list[list] = [
    ["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["HUYỆN ĐÔNG SƠN", None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH THÀNH VIÊN CÁC TỔ CHỨC PHỤ TRÁCH BẦU CỬ"],
]
# Two-level header: rows 5 and 6; "Số điện thoại" spans "Cơ quan" | "Di động".
HEADER: list[list] = [
    [
        "STT",
        "Họ và tên",
        "Chức vụ trong tổ chức bầu cử",
        "Tổ chức phụ trách bầu cử",
        "Số điện thoại",
        None,
        "Ngày sinh",
    ],
    [None, None, None, None, "Cơ quan", "Di động", None],
]
BODY: list[list] = [
    ["I. ỦY BAN BẦU CỬ HUYỆN"],
    [
        1,
        "Lê Văn Hùng",
        "Chủ tịch",
        "UBBC huyện Đông Sơn",
        "0237.3718.258",
        "0912-345-678",
        "1970",
    ],
    ["II. BAN BẦU CỬ"],
    [
        2,
        "Nguyễn Thị Lan",
        "Trưởng ban",
        "Ban bầu cử số 1 - xã Đông Hòa",
        None,
        "0987 654 321; 0912 000 111",
        "1975",
    ],
    [],
    ["III. TỔ BẦU CỬ"],
    [
        3,
        "Trần Văn Bình",
        "Tổ trưởng",
        "Tổ bầu cử số 1 - xã Đông Hòa",
        None,
        "01693456789",
        "1980",
    ],
    [
        4,
        "Phạm Thị Mai",
        "Thư ký",
        "Tổ bầu cử số 2 - TT Rừng Thông",
        "037 3718258",
        None,
        "1982",
    ],
    [
        5,
        "Hoàng Văn Nam",
        "Tổ viên",
        "Tổ bầu cử số 2 - TT Rừng Thông",
        None,
        "0912 345",
        "1990",
    ],
]
FOOTER: list[list] = [
    [],
    [None, None, None, None, "Đông Sơn, ngày 10 tháng 3 năm 2026"],
    [None, "Người lập biểu", None, None, "TM. ỦY BAN NHÂN DÂN"],
    [None, None, None, None, "CHỦ TỊCH"],
    [None, "Đỗ Thị Hoa", None, None, "Nguyễn Văn Sơn"],
]
LIST: list[list] = [*TITLE, *HEADER, *BODY, *FOOTER]


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def xlsx(rows, *, formula_at: str = "", first_sheet: list | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    if first_sheet is not None:
        sheet.title = "Hướng dẫn"
        for values in first_sheet:
            sheet.append(values)
        sheet = workbook.create_sheet("Danh sách")
    for values in rows:
        sheet.append(values)
    sheet.merge_cells("D1:G1")  # the national heading
    sheet.merge_cells("A4:G4")  # the title
    sheet.merge_cells("E5:F5")  # "Số điện thoại" over its two columns
    for letter in "ABCDG":
        sheet.merge_cells(f"{letter}5:{letter}6")
    if formula_at:
        sheet[formula_at] = '="0912"&"345678"'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_xlsx(rows) -> bytes:
    """The rows in one sheet, no cell merged."""
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text(rows, *, delimiter: str, encoding: str) -> bytes:
    lines = [
        delimiter.join("" if v is None else str(v) for v in values) for values in rows
    ]
    written = "\r\n".join(lines) + "\r\n"
    if encoding == "cp1258":
        return windows_1258(written)
    return written.encode(encoding)


TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(written: str) -> bytes:
    """As Windows-1258 writes Vietnamese: letters with their vowel marks
    (ê, ơ, ư) precomposed, the tone as a separate combining mark."""
    letters = []
    for char in written:
        marks = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in marks if c in TONES)
        rest = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONES))
        letters.append(rest + tones)
    return "".join(letters).encode("cp1258")


def parse(content: bytes):
    return parse_contact_file(content=content, filename="danh-sach.xlsx")


def check_the_list(result) -> None:
    """What every format of LIST must give."""
    assert result.header_rows == (5, 6)
    by_name = {r.full_name: r for r in result.rows}
    assert sorted(by_name) == [
        "Lê Văn Hùng",
        "Nguyễn Thị Lan",
        "Phạm Thị Mai",
        "Trần Văn Bình",
    ]
    hung = by_name["Lê Văn Hùng"]
    assert (hung.body_kind, hung.unit_name) == ("committee", "huyện Đông Sơn")
    assert hung.phones == ("+842373718258", "+84912345678")
    lan = by_name["Nguyễn Thị Lan"]
    assert (lan.body_kind, lan.unit_name) == ("board", "xã Đông Hòa")
    assert lan.phones == ("+84987654321", "+84912000111")
    binh = by_name["Trần Văn Bình"]
    assert (binh.body_kind, binh.unit_name) == ("team", "xã Đông Hòa")
    assert binh.phones == ("+84393456789",)
    assert binh.notes == (old_mobile_note("01693456789", "0393 456 789"),)
    mai = by_name["Phạm Thị Mai"]
    assert mai.unit_name == "TT Rừng Thông"
    assert mai.notes == (old_landline_note("037 3718258", "0237 3718 258"),)
    # The short phone is the only error: the footer and headings are no rows.
    assert result.errors == [
        RowError(15, "Số điện thoại – Di động", short_phone_message("0912 345", 7))
    ]
    assert result.errors[0].place == "dòng 15, cột F “Số điện thoại – Di động”"
    assert result.ignored_columns == ["Ngày sinh"]


def test_a_district_list_in_xlsx_is_read_row_by_row():
    result = parse(xlsx(LIST))
    check_the_list(result)
    assert old_mobile_note("01693456789", "0393 456 789") == (
        "01693456789 → 0393 456 789, đổi đầu số từ 2018"
    )


def test_the_sheet_with_the_list_is_found_when_it_is_not_the_first():
    result = parse(xlsx(LIST, first_sheet=[["Hướng dẫn điền danh sách"], ["Ghi chú"]]))
    assert result.sheet == "Danh sách"
    check_the_list(result)


def test_a_formula_is_named_in_the_officers_own_row_and_column():
    result = parse(xlsx(LIST, formula_at="F8"))
    error = next(e for e in result.errors if e.row_number == 8)
    assert (error.column_letter, error.message) == ("F", str(FORMULA_CELL))
    assert error.place == "dòng 8, cột F “Số điện thoại – Di động”"
    assert "Lê Văn Hùng" not in {r.full_name for r in result.rows}


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        ("\t", "utf-16"),  # Excel's "Unicode text"
        (",", "utf-8"),
        (";", "utf-8-sig"),
        ("\t", "utf-8"),
        (";", "cp1258"),
    ],
)
def test_a_district_list_as_text_is_read_row_by_row(delimiter, encoding):
    # A ";" inside a cell would need quoting: the semicolon files have none.
    rows: list[list] = LIST
    if delimiter == ";":
        rows = [
            [v.replace(";", ",") if isinstance(v, str) else v for v in r] for r in LIST
        ]
    rows = [
        [f'"{v}"' if isinstance(v, str) and delimiter in v else v for v in r]
        for r in rows
    ]
    result = parse(text(rows, delimiter=delimiter, encoding=encoding))
    check_the_list_as_text(result)


def check_the_list_as_text(result) -> None:
    assert result.header_rows == (5, 6)
    names = {r.full_name for r in result.rows}
    assert names == {"Lê Văn Hùng", "Nguyễn Thị Lan", "Phạm Thị Mai", "Trần Văn Bình"}
    assert [e.row_number for e in result.errors] == [15]


def test_windows_1258_text_is_normalised_to_composed_letters():
    content = text(LIST, delimiter="\t", encoding="cp1258")
    assert "Hòa".encode() not in content
    result = parse(content)
    lan = next(r for r in result.rows if r.full_name == "Nguyễn Thị Lan")
    assert lan.body_name == "Ban bầu cử số 1 - xã Đông Hòa"


def test_a_damaged_xls_is_refused_as_an_office_file_not_as_a_non_spreadsheet():
    # Good .xls and .ods files: tests/contacts/test_import_district_layouts.py.
    result = parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    assert result.errors == [RowError(0, "", str(FILE_NOT_A_WORKBOOK))]


def test_undecodable_text_is_said_to_be_in_an_unknown_encoding():
    content = "Họ và tên\tChức vụ\n".encode() + b"\x81\x8d\x8f\x90 abc\n"
    assert parse(content).errors == [RowError(0, "", str(FILE_UNKNOWN_ENCODING))]


def test_a_numbered_column_row_under_the_header_is_skipped():
    rows = [HEADER[0][:5], ["(1)", "(2)", "(3)", "(4)", "(5)"], BODY[1][:5]]
    result = parse(text(rows, delimiter=",", encoding="utf-8"))
    assert [r.full_name for r in result.rows] == ["Lê Văn Hùng"]
    assert result.header_rows == (1, 2)


@pytest.mark.parametrize(
    "written",
    [
        "Thị trấn Rừng Thông",
        "TT Rừng Thông",
        "TT. Rừng Thông",
        "thi tran rung thong",
        "Rừng Thông",
        "RỪNG THÔNG",
    ],
)
def test_commune_names_match_however_they_are_written(written):
    units = UnitNames(
        [
            ("Huyện Đông Sơn", "district"),
            ("Thị trấn Rừng Thông", "tt"),
            ("Xã Đông Hòa", "xa"),
            ("Thị trấn Đông Sơn", "tt2"),
        ]
    )
    assert units.find(written) == "tt"


def test_a_district_and_its_township_of_the_same_name_are_told_apart():
    units = UnitNames([("Huyện Đông Sơn", "district"), ("Thị trấn Đông Sơn", "tt")])
    assert units.find("huyện Đông Sơn") == "district"
    assert units.find("TT Đông Sơn") == "tt"
    assert units.find("Đông Sơn") is None  # which one is not said
    assert units.find("X. Đông Hoà") is None


# --- How the preview's choices are read (sheet, columns) ----------------------------


def test_the_sheet_named_is_read_and_every_sheet_is_named():
    content = xlsx(LIST, first_sheet=[["Hướng dẫn điền danh sách"], ["Ghi chú"]])
    result = parse_contact_file(content=content, filename="ds.xlsx", sheet="Hướng dẫn")
    assert (result.sheet, result.sheets) == ("Hướng dẫn", ["Hướng dẫn", "Danh sách"])
    assert result.rows == [] and result.missing_keys
    # A sheet the workbook does not have: the one with the best header.
    result = parse_contact_file(content=content, filename="ds.xlsx", sheet="Không có")
    assert result.sheet == "Danh sách"
    check_the_list(result)


# The district's own word for the name column, and a column not read.
OWN = [
    ["Tên tổ chức", "Cán bộ phụ trách", "Chức vụ", "Số điện thoại", "Quê quán"],
    ["Tổ bầu cử số 1 - xã Đông Hòa", "Lê Văn An", "Tổ trưởng", "0912 345 678", "Huế"],
]


def test_a_remembered_column_is_read_only_where_the_header_lacks_one():
    remembered = {"canbophutrach": "full_name", "quequan": "note"}
    content = text(OWN, delimiter=";", encoding="utf-8")
    result = parse_contact_file(
        content=content, filename="ds.csv", remembered=remembered
    )
    assert [r.full_name for r in result.rows] == ["Lê Văn An"]
    assert [r.note for r in result.rows] == [""]  # the file lacks no note column
    assert (result.mapped, result.remembered) == ({"B": "full_name"}, True)
    assert result.ignored_columns == ["Quê quán"]
    # The officer's own choice wins over the remembered one.
    result = parse_contact_file(
        content=content,
        filename="ds.csv",
        column_map={"E": "full_name"},
        remembered=remembered,
    )
    assert [r.full_name for r in result.rows] == ["Huế"]
    assert (result.mapped, result.remembered) == ({"E": "full_name"}, False)
    # A file with its own name column is read by it.
    named = [["Tên tổ chức", "Họ và tên", *OWN[0][2:]], OWN[1]]
    content = text(named, delimiter=";", encoding="utf-8")
    result = parse_contact_file(
        content=content, filename="ds.csv", remembered=remembered
    )
    assert (result.mapped, result.missing_keys) == ({}, [])


def test_a_header_of_unknown_words_below_a_title_is_still_found():
    """Neither the name nor the phone header is known: the header is the row
    below the title that names most known columns, and the file's columns
    are offered by their letters."""
    rows = [
        TITLE[0],
        TITLE[3],
        [],
        ["STT", "Đơn vị", "Cán bộ", "Chức vụ", "Liên lạc"],
        [1, "Tổ bầu cử số 1 - xã Đông Hòa", "Lê Văn An", "Tổ trưởng", "0912 345 678"],
    ]
    result = parse(plain_xlsx(rows))
    assert result.header_rows == (4,)
    assert result.missing_keys == ["full_name", "phones"]
    assert [(c.letter, c.header, c.key) for c in result.columns] == [
        ("A", "STT", "row_number"),
        ("B", "Đơn vị", "body_name"),
        ("C", "Cán bộ", ""),
        ("D", "Chức vụ", "position"),
        ("E", "Liên lạc", ""),
    ]
    result = parse_contact_file(
        content=plain_xlsx(rows),
        filename="ds.xlsx",
        column_map={"C": "full_name", "E": "phones"},
    )
    assert [(r.full_name, r.phones) for r in result.rows] == [
        ("Lê Văn An", ("+84912345678",))
    ]
