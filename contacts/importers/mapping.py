"""The officer's choice of the column that holds each thing the import reads
and the file's header does not name (the preview's column-mapping step):
checked against the file's own columns, and remembered by their headers.

A choice is {column key: column letter, "" for none}, over the keys the
preview asked about; parse_contact_file takes it back as {letter: key}.
"""

from collections.abc import Mapping, Sequence

from django.utils.translation import get_language, gettext

from contacts.importers.vocabulary import (
    COLUMNS_BY_KEY,
    UNREAD_KEYS,
    FileColumn,
    fold,
)


def meaning(key: str, language: str = "") -> str:
    """What a column key holds, as the template's header says it (in the
    page's language by default)."""
    return COLUMNS_BY_KEY[key].header(language or page_language())


def page_language() -> str:
    return "en" if str(get_language()).startswith("en") else "vi"


def choice_problems(
    columns: Sequence[FileColumn], chosen: Mapping[str, str], language: str
) -> dict[str, str]:
    """{key: what is wrong} for each column of `chosen` that the officer
    cannot choose: one the file does not have, one the file's own header
    already reads as something else, or one chosen for two things."""
    by_letter = {column.letter: column for column in columns}
    problems: dict[str, str] = {}
    first_key: dict[str, str] = {}
    for key, letter in chosen.items():
        if not letter:
            continue
        column = by_letter.get(letter)
        if column is None:
            problems[key] = not_a_column_message(letter)
        elif column.key and column.key not in UNREAD_KEYS | chosen.keys():
            problems[key] = column_holds_message(column, meaning(column.key, language))
        elif letter in first_key:
            problems[key] = same_column_message(
                column, meaning(first_key[letter], language), meaning(key, language)
            )
        else:
            first_key[letter] = key
    return problems


def as_column_map(chosen: Mapping[str, str]) -> dict[str, str]:
    """The choice as parse_contact_file's `column_map` ({letter: key})."""
    return {letter: key for key, letter in chosen.items() if letter}


def remembered_after(
    remembered: Mapping[str, str],
    columns: Sequence[FileColumn],
    chosen: Mapping[str, str],
) -> dict[str, str]:
    """The district's remembered columns once this choice is made: what it
    said of this file's headers for the keys asked about is replaced by the
    choice (a key left without a column is forgotten for these headers). A
    column without a header cannot be found again: it is not remembered."""
    headers = {fold(column.header) for column in columns if column.header}
    after = {
        header: key
        for header, key in remembered.items()
        if not (header in headers and key in chosen)
    }
    by_letter = {column.letter: column for column in columns}
    for key, letter in chosen.items():
        column = by_letter.get(letter)
        if column is not None and fold(column.header):
            after[fold(column.header)] = key
    return after


def not_a_column_message(value: str) -> str:
    return gettext("The file has no column “%(value)s”; choose one of its columns.") % {
        "value": value
    }


def column_holds_message(column: FileColumn, holds: str) -> str:
    return gettext(
        "Column %(letter)s “%(header)s” already holds “%(holds)s”; choose "
        "another column."
    ) % {"letter": column.letter, "header": column.header, "holds": holds}


def same_column_message(column: FileColumn, first: str, second: str) -> str:
    return gettext(
        "Column %(letter)s “%(header)s” is chosen for both “%(first)s” and "
        "“%(second)s”; choose a different column for each."
    ) % {
        "letter": column.letter,
        "header": column.header,
        "first": first,
        "second": second,
    }
