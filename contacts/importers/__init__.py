"""Reading a district's contact list from an Excel (.xlsx) or CSV file.

Pure parsing and validation: bytes in, `ContactRow`s and `RowError`s out. No
database access; contacts.services checks the rows against the unit tree and
saves them in one transaction.

One spreadsheet row is one person; the columns of the person's election body
repeat on each of the body's rows. Row numbers are those the user sees in the
spreadsheet (the header is row 1).

- vocabulary.py: the columns, accepted words, row dataclasses, error texts;
- tables.py: .xlsx and CSV into a table of cells, formula cells;
- rows.py: `parse_contact_file`, the checks of each row;
- bulk.py: the garbage collector paused while an import runs.
"""

from contacts.importers.rows import parse_contact_file
from contacts.importers.vocabulary import *  # noqa: F403
from contacts.importers.vocabulary import (
    COLUMNS,
    COLUMNS_BY_KEY,
    MAX_IMPORT_BYTES,
    ContactRow,
    ParseResult,
    RowError,
)

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_KEY",
    "MAX_IMPORT_BYTES",
    "ContactRow",
    "ParseResult",
    "RowError",
    "parse_contact_file",
]
