"""Dates and numbers are read and written the Vietnamese way
(docs/conventions.md, "Vietnamese dates")."""

import datetime

from django import forms
from django.utils import formats, translation


class DayForm(forms.Form):
    day = forms.DateField()
    at = forms.DateTimeField(required=False)


def test_a_vietnamese_date_is_day_first():
    with translation.override("vi"):
        form = DayForm(data={"day": "05/06/2021"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2021, 6, 5)


def test_a_day_above_twelve_is_accepted():
    with translation.override("vi"):
        form = DayForm(data={"day": "25/06/2021", "at": "23/05/2021 07:00"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2021, 6, 25)
        assert form.cleaned_data["at"].strftime("%d/%m/%Y %H:%M") == "23/05/2021 07:00"


def test_english_pages_keep_day_first_dates():
    with translation.override("en"):
        form = DayForm(data={"day": "05/06/2021"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2021, 6, 5)


def test_numbers_are_grouped_with_dots_and_a_decimal_comma():
    with translation.override("vi"):
        assert (
            formats.number_format(1234567.5, decimal_pos=1, force_grouping=True)
            == "1.234.567,5"
        )
        assert (
            formats.date_format(datetime.date(2021, 5, 23), "SHORT_DATE_FORMAT")
            == "23/05/2021"
        )
