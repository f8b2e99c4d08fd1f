"""Write a large, valid contact-list spreadsheet for one district of Thanh Hóa.

Usage:
    python bench/generate_contacts_xlsx.py [--rows 50000] [--seed 2021]
        [--layout template|officials] [OUT.xlsx]

The template layout has the Vietnamese headers of the import template
(contacts.importers.COLUMNS) and imports without errors: the district's
Election Committee and Election Boards, then Election Teams ("Tổ bầu cử số
k") of two or three people spread over the district's communes. Phone numbers
are text in the spellings officials use ("0912 345 678", "0912.345.678",
"+84 912 345 678"), all valid Vietnamese mobiles. The same seed gives the
same file. Used by bench/import_contacts.py.

The officials' layout holds the same people as a district's own list does
(write_officials_xlsx): a title block, a two-level header ("Số điện thoại"
over "Cơ quan" | "Di động") with a row of column numbers, section rows
("I. ỦY BAN BẦU CỬ THÀNH PHỐ", "III. TỔ BẦU CỬ", a numbered row per
commune), no unit column: body names carry their commune ("Tổ bầu cử số 3 -
phường Hàm Rồng"), each Election Board the communes it covers; phones
written with dots, the committee's and boards' office lines in their own
column, one person in fifty with two mobiles separated by a space alone;
a signature footer.
"""

import argparse
import os
import random
import sys
import zipfile
from pathlib import Path

from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DISTRICT_CODE = "380"  # Thành phố Thanh Hóa, 34 communes; the demo district
DEFAULT_ROWS = 50_000
DEFAULT_SEED = 2021

# Mobile prefixes in use since the 2018 renumbering (Viettel, VinaPhone,
# MobiFone); seven digits follow.
MOBILE_PREFIXES = (
    "091",
    "098",
    "097",
    "086",
    "088",
    "070",
    "079",
    "077",
    "081",
    "083",
    "085",
)

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Mai",
    "Trịnh",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hằng",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
)

KIND_COMMITTEE = "Ủy ban bầu cử"
KIND_BOARD = "Ban bầu cử"
KIND_TEAM = "Tổ bầu cử"


def _django_setup() -> None:
    """The column headers come from the importer, which imports the models."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        django.setup()


def _headers() -> list[str]:
    _django_setup()
    from contacts.importers import COLUMNS

    return [column.vi for column in COLUMNS]


def _units(district_code: str) -> tuple[dict, list[dict]]:
    """The district and its communes from the registry file (no database)."""
    from contacts.seed import read_units

    rows = read_units(province_code=None)  # the whole country: about 11,000 rows
    district = next(r for r in rows if r.code == district_code)
    communes = [r for r in rows if r.parent_code == district_code]
    return (
        {"code": district.code, "name": district.name},
        [{"code": c.code, "name": c.name} for c in communes],
    )


class _People:
    """Random names and phone numbers from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        import phonenumbers

        self.rng = rng
        self.phonenumbers = phonenumbers

    def name(self, taken: set[str]) -> str:
        while True:
            name = " ".join(
                (
                    self.rng.choice(FAMILY),
                    self.rng.choice(MIDDLE),
                    self.rng.choice(GIVEN),
                )
            )
            if name not in taken:
                taken.add(name)
                return name

    def mobile(self) -> str:
        """Ten national digits, checked with phonenumbers.is_valid_number."""
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            digits = f"{prefix}{self.rng.randrange(10**7):07d}"
            number = self.phonenumbers.parse(digits, "VN")
            if self.phonenumbers.is_valid_number(number):
                return digits

    def spelled(self, digits: str) -> str:
        style = self.rng.random()
        if style < 0.45:
            return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
        if style < 0.75:
            return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
        if style < 0.95:
            return f"+84 {digits[1:4]} {digits[4:7]} {digits[7:]}"
        return digits

    def phones(self) -> str:
        """One number, or two separated by "; " in one person out of twenty."""
        first = self.spelled(self.mobile())
        if self.rng.random() < 0.05:
            return f"{first}; {self.spelled(self.mobile())}"
        return first


def _district_rows(district: dict, people: _People) -> list[list[str]]:
    short = district["name"].removeprefix("Thành phố ")
    committee = (
        f"Ủy ban bầu cử thành phố {short}",
        "Trụ sở HĐND - UBND thành phố",
        (
            "Chủ tịch",
            "Phó Chủ tịch",
            "Phó Chủ tịch",
            "Thư ký",
            "Ủy viên",
            "Ủy viên",
            "Ủy viên",
        ),
    )
    boards = [
        (
            f"Ban bầu cử đại biểu HĐND thành phố số {k}",
            f"Hội trường UBND thành phố, phòng {k}",
            ("Trưởng ban", "Phó Trưởng ban", "Thư ký", "Ủy viên"),
        )
        for k in (1, 2, 3)
    ]
    rows = []
    for kind, (body_name, location, positions) in [
        (KIND_COMMITTEE, committee),
        *((KIND_BOARD, board) for board in boards),
    ]:
        taken: set[str] = set()
        for position in positions:
            rows.append(
                [
                    kind,
                    district["code"],
                    district["name"],
                    body_name,
                    "",
                    location,
                    people.name(taken),
                    position,
                    people.phones(),
                    "",
                    "",
                ]
            )
    return rows


def _team_sizes(rng: random.Random, quota: int) -> list[int]:
    """Sizes of 2 or 3 adding up to `quota` (a last size of 1 only if quota
    is 1)."""
    sizes = []
    left = quota
    while left > 0:
        if left <= 3:
            size = left
        else:
            size = rng.choice((2, 3))
            if left - size == 1:
                size = 5 - size  # avoid leaving a team of one
        sizes.append(size)
        left -= size
    return sizes


def _team_rows(commune: dict, number: int, size: int, people: _People) -> list:
    positions = ["Tổ trưởng", "Tổ phó", people.rng.choice(("Thành viên", "Tổ viên"))]
    body_name = f"Tổ bầu cử số {number}"
    areas = f"Khu vực bỏ phiếu số {number}"
    location = f"Nhà văn hóa khu phố {number}, {commune['name']}"
    taken: set[str] = set()
    return [
        [
            KIND_TEAM,
            commune["code"],
            commune["name"],
            body_name,
            areas,
            location,
            people.name(taken),
            position,
            people.phones(),
            "",
            "",
        ]
        for position in positions[:size]
    ]


def contact_rows(
    *, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, district_code=DISTRICT_CODE
):
    """Yield the data rows (lists of 11 strings, in COLUMNS order; "" for an
    empty cell)."""
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    people = _People(rng)
    district, communes = _units(district_code)
    head = _district_rows(district, people)[:rows]
    yield from head
    team_rows = rows - len(head)
    for index, commune in enumerate(communes):
        quota = team_rows * (index + 1) // len(communes) - (
            team_rows * index // len(communes)
        )
        for number, size in enumerate(_team_sizes(rng, quota), start=1):
            yield from _team_rows(commune, number, size, people)


def write_contacts_xlsx(
    path: Path | str,
    *,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    district_code: str = DISTRICT_CODE,
) -> Path:
    """Write the file with openpyxl's write-only mode; return its path."""
    from openpyxl import Workbook

    path = Path(path)
    headers = _headers()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(headers)
    for row in contact_rows(rows=rows, seed=seed, district_code=district_code):
        sheet.append(row)  # an empty value leaves the cell out, as Excel does
    workbook.save(path)
    _add_dimension(path, f"A1:{get_column_letter(len(headers))}{rows + 1}")
    return path


def _add_dimension(path: Path, ref: str, merged: tuple[str, ...] = ()) -> None:
    """Give the sheet the <dimension> that Excel and LibreOffice always write,
    and the `merged` cell ranges (a write-only sheet cannot merge).

    A write-only sheet has none, and openpyxl's read-only mode (used by
    django-import-export) then returns each row only up to its last value,
    which tablib refuses ("InvalidDimensions").
    """
    sheet_part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == sheet_part:
                data = data.replace(
                    b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1
                )
                if merged:
                    cells = "".join(f'<mergeCell ref="{r}"/>' for r in merged)
                    data = data.replace(
                        b"</sheetData>",
                        f'</sheetData><mergeCells count="{len(merged)}">{cells}'
                        "</mergeCells>".encode(),
                        1,
                    )
            archive.writestr(info, data)


# --- The officials' layout ---------------------------------------------------

OFFICIALS_TITLE = [
    ["ỦY BAN NHÂN DÂN", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["{district}", "", "", "", "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH THÀNH VIÊN CÁC TỔ CHỨC PHỤ TRÁCH BẦU CỬ"],
    ["(Kèm theo Công văn số 125/UBND-VP ngày 10/3/2026 của UBND {where})"],
    [],
]
OFFICIALS_HEADER = [
    [
        "STT",
        "Họ và tên",
        "Chức vụ trong tổ chức bầu cử",
        "Tổ chức phụ trách bầu cử",
        "Số điện thoại",
        "",
        "Ghi chú",
    ],
    ["", "", "", "", "Cơ quan", "Di động", ""],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
]
# Header cells merged as the officials' sheets have them (rows 7 and 8).
OFFICIALS_MERGED = ("A7:A8", "B7:B8", "C7:C8", "D7:D8", "E7:F7", "G7:G8", "A4:G4")
OFFICIALS_FOOTER = [
    [],
    ["", "", "", "", "Thanh Hóa, ngày 10 tháng 3 năm 2026"],
    ["", "Người lập biểu", "", "", "TM. ỦY BAN NHÂN DÂN"],
    ["", "", "", "", "CHỦ TỊCH"],
    [],
    ["", "Lê Thị Hoa", "", "", "Nguyễn Văn Sơn"],
]


def _written(name: str) -> str:
    """A unit as officials write it in a body's name: "phường Hàm Rồng"."""
    from contacts.names import unit_name  # (after ROOT is on the path)

    return unit_name(name)


def _dotted(digits: str) -> str:
    if len(digits) == 11:  # a landline: 0237.3852.123
        return f"{digits[:4]}.{digits[4:8]}.{digits[8:]}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def officials_rows(
    *, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, district_code=DISTRICT_CODE
):
    """Yield the sheet's rows in the officials' layout (see the module's
    docstring); `rows` people."""
    _django_setup()  # the unit registry is read through contacts.seed
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible on purpose
    people = _People(rng)
    district, communes = _units(district_code)
    where = _written(district["name"])
    for line in OFFICIALS_TITLE:
        yield [
            cell.format(district=district["name"].upper(), where=where) for cell in line
        ]
    yield from OFFICIALS_HEADER
    number = 0

    def person(body: str, position: str, taken: set[str], office: bool) -> list:
        nonlocal number
        number += 1
        landline = f"0237{rng.randrange(3_000_000, 3_999_999):07d}"
        mobile = _dotted(people.mobile())
        if rng.random() < 0.02:  # two mobiles, a space between them
            mobile = f"{people.mobile()} {people.mobile()}"
        return [
            number,
            people.name(taken),
            position,
            body,
            _dotted(landline) if office else "",
            mobile,
            "",
        ]

    committee = f"Ủy ban bầu cử {where}"
    yield ["I. ỦY BAN BẦU CỬ " + district["name"].upper()]
    taken: set[str] = set()
    for position in ("Chủ tịch", "Phó Chủ tịch", "Phó Chủ tịch", "Thư ký", "Ủy viên"):
        if number < rows:
            yield person(committee, position, taken, office=True)
    yield ["II. BAN BẦU CỬ ĐẠI BIỂU HĐND " + district["name"].upper()]
    # Each board covers a third of the communes, listed in its name.
    thirds = [communes[k::3] for k in range(3)]
    for k, covered in enumerate(thirds, start=1):
        listed = ", ".join(_written(c["name"]) for c in covered[:4])
        board = f"Ban bầu cử số {k} ({listed})"
        taken = set()
        for position in ("Trưởng ban", "Phó Trưởng ban", "Thư ký", "Ủy viên"):
            if number < rows:
                yield person(board, position, taken, office=True)
    yield ["III. TỔ BẦU CỬ"]
    team_rows = rows - number
    for index, commune in enumerate(communes):
        quota = team_rows * (index + 1) // len(communes) - (
            team_rows * index // len(communes)
        )
        yield [f"{index + 1}. {commune['name']}"]
        for team, size in enumerate(_team_sizes(rng, quota), start=1):
            body = f"Tổ bầu cử số {team} - {_written(commune['name'])}"
            taken = set()
            titles = ["Tổ trưởng", "Tổ phó", rng.choice(("Thành viên", "Tổ viên"))]
            for position in titles[:size]:
                yield person(body, position, taken, office=False)
    yield from OFFICIALS_FOOTER


def write_officials_xlsx(
    path: Path | str,
    *,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    district_code: str = DISTRICT_CODE,
) -> Path:
    """Write the officials' layout with openpyxl's write-only mode; return
    its path."""
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    count = 0
    for row in officials_rows(rows=rows, seed=seed, district_code=district_code):
        sheet.append(row)
        count += 1
    workbook.save(path)
    _add_dimension(path, f"A1:G{count}", merged=OFFICIALS_MERGED)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="contacts-50000.xlsx")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--district", default=DISTRICT_CODE)
    parser.add_argument(
        "--layout", choices=("template", "officials"), default="template"
    )
    args = parser.parse_args(argv)
    write = write_officials_xlsx if args.layout == "officials" else write_contacts_xlsx
    path = write(args.out, rows=args.rows, seed=args.seed, district_code=args.district)
    size = path.stat().st_size / (1024 * 1024)
    print(f"{path}: {args.rows} rows, {size:.1f} MB")


if __name__ == "__main__":
    main()
