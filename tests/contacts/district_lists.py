"""A district's contact list in its own layout, as Huyện Đông Sơn sends it:
a title block, a two-level header with a row of column numbers, section
rows, body names that carry their kind and communes (an Election Board
covering two communes among them), a body's name merged down over its
people's rows, phones written with dots, an 11-digit
mobile number of before 2018, two numbers in one cell, and a signature
footer. No column gives the unit.

tests/contacts/files/ holds this list saved as .xls and .ods
(tests/contacts/files/make.py wrote them); tests write the .xlsx and text
forms themselves.
"""

import io

import openpyxl

from contacts.spreadsheets import active_sheet

DISTRICT = "Huyện Đông Sơn"
COMMUNES = ("Xã Đông Hòa", "Xã Đông Yên", "Thị trấn Rừng Thông")

TITLE: list[list] = [
    ["ỦY BAN NHÂN DÂN", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["HUYỆN ĐÔNG SƠN", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH THÀNH VIÊN CÁC TỔ CHỨC PHỤ TRÁCH BẦU CỬ"],
    ["(Kèm theo Công văn số 125/UBND-VP ngày 10/3/2026 của UBND huyện Đông Sơn)"],
    [],
]
# Rows 7 and 8: "Số điện thoại" spans "Cơ quan" | "Di động"; row 9 numbers
# the columns.
HEADER: list[list] = [
    [
        "STT",
        "Họ và tên",
        "Chức vụ trong tổ chức bầu cử",
        "Tổ chức phụ trách bầu cử",
        "Số điện thoại",
        None,
        "Ghi chú",
    ],
    [None, None, None, None, "Cơ quan", "Di động", None],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
]
COMMITTEE = "Ủy ban bầu cử huyện Đông Sơn"
BOARD_1 = "Ban bầu cử số 1 (xã Đông Hòa, xã Đông Yên)"
BOARD_2 = "Ban bầu cử số 2 (Đông Hoà, TT. Rừng Thông)"
TEAM_1 = "Tổ bầu cử số 1 - xã Đông Hòa"
TEAM_2 = "Tổ bầu cử số 2 - TT Rừng Thông"
TEAM_3 = "Tổ bầu cử số 1 - X. Đông Yên (thôn 1, thôn 2)"
BODY: list[list] = [
    ["I. ỦY BAN BẦU CỬ HUYỆN"],
    [1, "Lê Văn Hùng", "Chủ tịch", COMMITTEE, "0237.3718.258", "0912.345.678", None],
    [2, "Nguyễn Văn Tuấn", "Phó Chủ tịch", COMMITTEE, None, "0913.222.333", None],
    ["II. BAN BẦU CỬ ĐẠI BIỂU HĐND HUYỆN"],
    [3, "Nguyễn Thị Lan", "Trưởng ban", BOARD_1, None, "0987.654.321", None],
    [4, "Đỗ Văn Hải", "Thư ký", BOARD_1, None, "0904123456 0915678901", None],
    [5, "Trịnh Thị Hằng", "Trưởng ban", BOARD_2, "0237.3852.123", None, None],
    [],
    [],
    ["III. TỔ BẦU CỬ"],
    [6, "Trần Văn Bình", "Tổ trưởng", TEAM_1, None, "01693456789", None],
    [7, "Phạm Thị Mai", "Thư ký", TEAM_2, "0237 3852 124", None, "Trực cả ngày"],
    [8, "Hoàng Văn Nam", "Tổ viên", TEAM_2, None, "0977.111.222", None],
    [
        9,
        "Lê Thị Yến",
        "Tổ trưởng",
        TEAM_3,
        None,
        "0912 000 111 hoặc 0912 000 222",
        None,
    ],
]
FOOTER: list[list] = [
    [],
    [None, None, None, None, "Đông Sơn, ngày 10 tháng 3 năm 2026"],
    [None, "Người lập biểu", None, None, "TM. ỦY BAN NHÂN DÂN"],
    [None, None, None, None, "CHỦ TỊCH"],
    [None, "Đỗ Thị Hoa", None, None, "Nguyễn Văn Sơn"],
]
ROWS: list[list] = [*TITLE, *HEADER, *BODY, *FOOTER]
HEADER_ROWS = (7, 8, 9)

# What the list holds once read: (body kind, body name, the unit it is
# stored under, full name, position, phones), by person.
EXPECTED = {
    ("committee", COMMITTEE, DISTRICT, "Lê Văn Hùng", "chair"): (
        "+842373718258",
        "+84912345678",
    ),
    ("committee", COMMITTEE, DISTRICT, "Nguyễn Văn Tuấn", "vice_chair"): (
        "+84913222333",
    ),
    ("board", BOARD_1, DISTRICT, "Nguyễn Thị Lan", "chair"): ("+84987654321",),
    ("board", BOARD_1, DISTRICT, "Đỗ Văn Hải", "secretary"): (
        "+84904123456",
        "+84915678901",
    ),
    ("board", BOARD_2, DISTRICT, "Trịnh Thị Hằng", "chair"): ("+842373852123",),
    ("team", TEAM_1, "Xã Đông Hòa", "Trần Văn Bình", "chair"): ("+84393456789",),
    ("team", TEAM_2, "Thị trấn Rừng Thông", "Phạm Thị Mai", "secretary"): (
        "+842373852124",
    ),
    ("team", TEAM_2, "Thị trấn Rừng Thông", "Hoàng Văn Nam", "member"): (
        "+84977111222",
    ),
    ("team", TEAM_3, "Xã Đông Yên", "Lê Thị Yến", "chair"): (
        "+84912000111",
        "+84912000222",
    ),
}


def as_xlsx(rows: list[list] = ROWS) -> bytes:
    """The list as Excel saves it, merged title and header cells included."""
    workbook = openpyxl.Workbook()
    sheet = active_sheet(workbook)
    sheet.title = "Danh sách"
    for values in rows:
        sheet.append(values)
    sheet.merge_cells("E1:G1")  # the national heading
    sheet.merge_cells("E2:G2")
    sheet.merge_cells("A4:G4")  # the title
    sheet.merge_cells("A5:G5")
    sheet.merge_cells("E7:F7")  # "Số điện thoại" over its two columns
    for letter in "ABCDG":
        sheet.merge_cells(f"{letter}7:{letter}8")
    # Team 2's name merged down over its two people: the cell below is
    # empty in the file.
    sheet.merge_cells("D21:D22")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_text(rows: list[list] = ROWS, *, encoding: str = "utf-16") -> bytes:
    """The list as Excel's "Unicode text" (tab-separated UTF-16) saves it."""
    lines = ["\t".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
