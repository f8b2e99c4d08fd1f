"""A letter's date as it was written (readiness.nd30.PartialDate): the day,
or the day and the month, may be blank in the original ("ngày … tháng 02
năm 2021") and stay blank: nothing here fills one in.

Used by the directive's date (readiness.models.Directive.issued), its
forms (the Django admin through Directive.clean, the cycle-copy form) and
the cycle copy and the demo, which move a date with polling day.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from contacts.validators import EARLIEST_DAY, LATEST_DAY
from readiness.nd30 import PartialDate

BLANK = "\u2026"  # …, as the letter leaves a part blank

DAY_WITHOUT_MONTH = _(
    "A day needs its month: fill in the month, or leave the day blank."
)
NOT_A_DAY_OF_THAT_MONTH = _(
    "%(day)s/%(month)s/%(year)s is not a date: that month has no such day."
)
MONTH_OUT_OF_RANGE = _("A month is a number from 1 to 12.")
DAY_OUT_OF_RANGE = _("A day is a number from 1 to 31.")
YEAR_OUT_OF_RANGE = _("Enter a year between %(earliest)s and %(latest)s.")
YEAR_NEEDED = _("Give the year too.")


def partial_date_errors(
    year: int | None, month: int | None, day: int | None
) -> dict[str, str]:
    """What is wrong with a date typed in three parts, by part ("year",
    "month", "day"); empty when it is a date as letters write them: a year,
    with or without its month, with or without the month's day."""
    errors: dict[str, str] = {}
    if year is None:
        if month is not None or day is not None:
            errors["year"] = str(YEAR_NEEDED)
    elif not EARLIEST_DAY.year <= year <= LATEST_DAY.year:
        errors["year"] = str(YEAR_OUT_OF_RANGE) % {
            "earliest": EARLIEST_DAY.year,
            "latest": LATEST_DAY.year,
        }
    if month is not None and not 1 <= month <= 12:
        errors["month"] = str(MONTH_OUT_OF_RANGE)
    if day is not None:
        if not 1 <= day <= 31:
            errors["day"] = str(DAY_OUT_OF_RANGE)
        elif month is None:
            errors["day"] = str(DAY_WITHOUT_MONTH)
        elif not errors and year is not None:
            try:
                datetime.date(year, month, day)
            except ValueError:
                errors["day"] = str(NOT_A_DAY_OF_THAT_MONTH) % {
                    "day": f"{day:02d}",
                    "month": f"{month:02d}",
                    "year": year,
                }
    return errors


def as_date(date: PartialDate) -> datetime.date | None:
    """The date when every part is known, else None."""
    if date.month is None or date.day is None:
        return None
    return datetime.date(date.year, date.month, date.day)


def earliest_day(date: PartialDate) -> datetime.date:
    """The first day the letter may have been written on: a bound for
    computations (the scale data's first filing), never shown as its date."""
    return datetime.date(date.year, date.month or 1, date.day or 1)


def short_text(date: PartialDate) -> str:
    """ "01/02/2021"; a blank part stays blank: "…/02/2021", "…/…/2021"."""
    day = f"{date.day:02d}" if date.day else BLANK
    month = f"{date.month:02d}" if date.month else BLANK
    return f"{day}/{month}/{date.year}"


def moved(
    date: PartialDate, *, before: datetime.date, after: datetime.date
) -> PartialDate:
    """The date that keeps its place when `before` (a polling day) moves to
    `after`, at the precision the letter gives: a whole date by the days
    between them, a month-only date by whole months (it stays the same
    number of months before), a year-only date by whole years. So a moved
    date has a day only if it had one, and moving there and back again, or
    in several steps, lands where one step would."""
    whole = as_date(date)
    if whole is not None:
        return PartialDate.of(whole + (after - before))
    if date.month is not None:
        months = (after.year - before.year) * 12 + after.month - before.month
        index = date.year * 12 + date.month - 1 + months
        return PartialDate(index // 12, index % 12 + 1)
    return PartialDate(date.year + after.year - before.year)
