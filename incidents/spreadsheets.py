"""The roster import template: the headers of incidents.importers.COLUMNS
and two example shifts, the second crossing midnight."""

import datetime

from contacts.spreadsheets import rows_to_xlsx
from incidents.importers import COLUMNS

# Written out in both languages rather than translated with gettext: the
# file's language is the one the user picks, and its headers must match
# incidents.importers.COLUMNS exactly.
_EXAMPLES = (
    {
        "starts": "07:30",
        "ends": "17:00",
        "person_name": "Lê Văn Trực",
        "role": {"vi": "Trực điều hành", "en": "Operations duty"},
        "phone": "0912 345 678",
        "location": "Trung tâm điều hành, 2 Lê Lợi, TP Thanh Hóa",
    },
    {
        "starts": "17:00",
        "ends": "07:30",
        "person_name": "Nguyễn Thị Ca",
        "role": {"vi": "Trực kỹ thuật", "en": "Technical duty"},
        "phone": "0987 654 321",
        "location": "Trung tâm điều hành, 2 Lê Lợi, TP Thanh Hóa",
    },
)


def roster_template_xlsx(*, language: str, day: datetime.date) -> bytes:
    """Headers and two example shifts on `day`. Importing the template as it
    is gives no errors (tests/incidents/test_services_rosters.py)."""
    language = "en" if language == "en" else "vi"
    rows = []
    for example in _EXAMPLES:
        values = {"day": day.strftime("%d/%m/%Y"), **example}
        rows.append(
            [
                value[language] if isinstance(value, dict) else value
                for value in (values[column.key] for column in COLUMNS)
            ]
        )
    return rows_to_xlsx([column.header(language) for column in COLUMNS], rows)
