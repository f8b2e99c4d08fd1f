"""Checks of typed values shared by the forms and importers of the three
apps (contacts ← incidents ← readiness)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# The days a typed date may fall on. Python's dates end at years 1 and
# 9999: a moment at either edge cannot be moved by a day or converted to UTC
# (an OverflowError, a server error), and PostgreSQL returns a moment of
# year 1 in Vietnam time as 1 BC, which Python cannot read, so one such
# shift, deadline or incident would break every page that lists it. No
# record of an election falls outside these years.
# Used by the date fields of the forms and by incidents.importers.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)


def date_out_of_range_message() -> str:
    return gettext("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DAY.strftime("%d/%m/%Y"),
        "latest": LATEST_DAY.strftime("%d/%m/%Y"),
    }


def date_in_range(value: datetime.date) -> bool:
    day = value.date() if isinstance(value, datetime.datetime) else value
    return EARLIEST_DAY <= day <= LATEST_DAY


def validate_date_in_range(value: datetime.date | None) -> None:
    """A form field's validator (DateField, DateTimeField)."""
    if value is not None and not date_in_range(value):
        raise ValidationError(date_out_of_range_message(), code="date_out_of_range")


def whole_number(text: str, *, digits: int = 9) -> int | None:
    """`text` as a whole number if it is written as one in a URL (a version
    number): ASCII digits only, at most `digits` of them; None otherwise.
    str.isdigit() also takes "²" and "٣", which int() refuses or reads, and
    int() refuses more than 4,300 digits: either was a server error. Used by
    the views that read a number from the query string."""
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None
