"""The template of a spreadsheet of people to invite: the headers of
contacts.importers.people.COLUMNS, example rows, and a sheet of
instructions with the accepted roles.

Its texts are written out in both languages rather than translated with
gettext: the file's language is the one the user picks, and its headers
must match the importer's exactly. Every text goes through xlsx_text, so
that no cell runs as a formula (docs/conventions.md, "Spreadsheets").
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from contacts.importers.people import COLUMNS, ROLE_WORDS
from contacts.spreadsheets import active_sheet, xlsx_text

# The organisations are written as the seed names them (contacts/data,
# contacts.services.registry): one by its name, one by its code. The
# addresses are example.com's, which reach nobody.
_EXAMPLES = (
    {
        "full_name": "Lê Văn Hùng",
        "email": "hung.le@example.com",
        "phone": "0912 345 678",
        "organisation": "UBND huyện Đông Sơn",
        "role": {"vi": "Thủ trưởng", "en": "head"},
    },
    {
        "full_name": "Nguyễn Thị Lan",
        "email": "",
        "phone": "0987 654 321",
        "organisation": "viettel-thanhhoa",
        "role": {"vi": "Chỉnh sửa", "en": "editor"},
    },
)
_WIDTHS = {"full_name": 26, "email": 32, "phone": 18, "organisation": 34, "role": 16}
_TITLES = {
    "vi": ("Danh sách mời", "Hướng dẫn", "DANH SÁCH CÁN BỘ ĐƯỢC MỜI THAM GIA"),
    "en": ("People", "Instructions", "PEOPLE INVITED TO JOIN"),
}
_HELP = {
    "vi": (
        "Mỗi dòng là một người. Tiêu đề cột có thể đặt ở bất kỳ dòng nào trong "
        "40 dòng đầu; các dòng trống được bỏ qua.",
        "Họ và tên: bắt buộc.",
        "Thư điện tử hoặc Số điện thoại (di động): ít nhất một; đường dẫn "
        "được gửi qua thư điện tử, hoặc qua SMS nếu không có thư điện tử.",
        "Đơn vị: ghi mã hoặc tên đơn vị như trong danh sách đơn vị.",
        "Vai trò: {roles}. Để trống: chỉnh sửa.",
        "Gửi lại cùng một tệp không mời ai hai lần. Không dùng công thức.",
    ),
    "en": (
        "One row per person. The headers may be in any of the first 40 rows; "
        "blank rows are skipped.",
        "Full name: required.",
        "E-mail or Mobile phone: at least one; the link goes by e-mail, or by "
        "SMS to a person without an e-mail address.",
        "Organisation: its code or its name as the list of organisations has it.",
        "Role: {roles}. Empty: editor.",
        "Sending the same file again invites nobody twice. Do not use formulas.",
    ),
}


def people_template_xlsx(*, language: str) -> bytes:
    """A title, the headers and two example rows, then the instructions.
    Importing it as it is, where its organisations exist, gives no errors
    (tests/contacts/test_invitation_import.py)."""
    language = "en" if language == "en" else "vi"
    data_title, help_title, heading = _TITLES[language]
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = data_title
    sheet.append([xlsx_text(heading)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([xlsx_text(column.header(language)) for column in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for example in _EXAMPLES:
        values = [example[column.key] for column in COLUMNS]
        sheet.append([xlsx_text(_in(value, language)) for value in values])
    sheet.freeze_panes = "A3"
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = _WIDTHS[column.key]
        if column.key == "phone":
            # "@" is Excel's Text format: a number typed later keeps its 0.
            for cell in sheet[letter][2:]:
                cell.number_format = "@"
    instructions = workbook.create_sheet(help_title)
    index = 1 if language == "en" else 0
    roles = "; ".join(" / ".join(words[index]) for words in ROLE_WORDS.values())
    for line in _HELP[language]:
        instructions.append([xlsx_text(line.format(roles=roles))])
    instructions.column_dimensions["A"].width = 110
    for row in instructions.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _in(value: object, language: str) -> str:
    return value[language] if isinstance(value, dict) else str(value)
