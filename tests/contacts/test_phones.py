"""Phone numbers as Vietnamese officials write them become E.164."""

import pytest
from django.utils import translation

from contacts.phones import (
    InvalidPhone,
    format_national,
    normalise_phone,
    phone_digits,
    split_phones,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84-912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084 912 345 678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),
        ("02373.718.258", "+842373718258"),
        ("(0237) 3718258", "+842373718258"),
        ("0237-3718-258", "+842373718258"),
        ("024 3823 4567", "+842438234567"),
        ("  0987\u00a0654\u00a0321 ", "+84987654321"),
    ],
)
def test_it_accepts_what_officials_write(raw, e164):
    assert normalise_phone(raw) == e164


def test_it_accepts_a_foreign_number_written_with_plus():
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "raw",
    [
        "01691234567",  # old 11-digit mobile, retired in 2018
        "0169 123 4567",
        "0912 345 6789",  # one digit too many
        "0123",
        "0912abc678",
        "0912 345 678 ext 12",
        "",
        "   ",
        "+84 912 345 678 +1",
    ],
)
def test_it_rejects_invalid_numbers(raw):
    value = " ".join(raw.split())
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(raw)
    assert caught.value.message == (
        f"“{value}” is not a valid Vietnamese phone number."
    )
    assert str(caught.value) == caught.value.message


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


@pytest.mark.parametrize(
    "raw", ["1800 1091", "1800 599 920", "1900 571 535", "+84 1900 1234"]
)
def test_it_rejects_toll_free_and_premium_numbers(raw):
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(raw)
    assert caught.value.message == (
        f"“{raw}” is a toll-free or premium-rate number, not a person's phone."
    )


def test_it_rejects_a_foreign_number_without_plus():
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone("00 44 20 7946 0958")
    assert caught.value.message == (
        "“00 44 20 7946 0958” is not a Vietnamese number. Write a number of "
        "another country with + and its country code, e.g. +44 20 7946 0958."
    )


def test_the_message_is_translated():
    with translation.override("vi"), pytest.raises(InvalidPhone) as caught:
        normalise_phone("0123")
    # Whatever the catalogue holds, the sentence names the value typed.
    assert "0123" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("0912 345 678", ["0912 345 678"]),
        ("0912 345 678; 0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912.345.678, 0987.654.321", ["0912.345.678", "0987.654.321"]),
        ("0912345678/02373718258", ["0912345678", "02373718258"]),
        ("0912 345 678\n0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912 345 678\r\n0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912 345 678 - 0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912 345 678 – 0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912-345-678", ["0912-345-678"]),
        ("0912-345-678 - 0237-3718-258", ["0912-345-678", "0237-3718-258"]),
        ("+84912345678 +842373718258", ["+84912345678", "+842373718258"]),
        ("0912 345 678 +84 987 654 321", ["0912 345 678", "+84 987 654 321"]),
        ("; 0912 345 678 ;;", ["0912 345 678"]),
        ("", []),
    ],
)
def test_it_splits_several_numbers_in_one_cell(raw, parts):
    assert split_phones(raw) == parts


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("0912 345 678 0237 3852 123", ["0912 345 678", "0237 3852 123"]),
        ("0912345678 0904123456", ["0912345678", "0904123456"]),
        ("0912.345.678 0237.3852.123", ["0912.345.678", "0237.3852.123"]),
        ("024 3823 4567 0237 3852 123", ["024 3823 4567", "0237 3852 123"]),
        (
            "0237 3852 123 0912 345 678 0904 123 456",
            ["0237 3852 123", "0912 345 678", "0904 123 456"],
        ),
        # A mobile number of before 2018 is a number: the importer converts it.
        ("01693456789 0912345678", ["01693456789", "0912345678"]),
        # Odd groupings still split where the digits make two numbers.
        ("0912 3456 78 0904 123 456", ["0912 3456 78", "0904 123 456"]),
        # A dash without spaces around it, likewise.
        ("0912345678-0904123456", ["0912345678", "0904123456"]),
        ("0912-345-678-0237-3852-123", ["0912-345-678", "0237-3852-123"]),
        ("0912.345.678-0237.3852.123", ["0912.345.678", "0237.3852.123"]),
    ],
)
def test_numbers_separated_by_spaces_or_a_bare_dash_are_split(raw, parts):
    assert split_phones(raw) == parts


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0237 3852 123",
        "+84 (0) 237 3718 258",
        "0084 912 345 678",
        "0 9 1 2 3 4 5 6 7 8",
        "0237-3718-258",
        "+84-912-345-678",
        # Not two numbers: kept whole, so that its error quotes it as typed.
        "0912 345 678 0912 345",
        "0912 345 6780 904 123 456",
    ],
)
def test_one_number_written_with_spaces_is_not_split(raw):
    assert split_phones(raw) == [raw]


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("0912 345 678 hoặc 0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912345678 HOẶC 0237.3852.123", ["0912345678", "0237.3852.123"]),
        ("0912 345 678 hoac 0987 654 321", ["0912 345 678", "0987 654 321"]),
        ("0912 345 678 và 0237 3852 123", ["0912 345 678", "0237 3852 123"]),
    ],
)
def test_or_and_and_written_between_numbers_separate_them(raw, parts):
    assert split_phones(raw) == parts


def test_every_part_of_a_split_cell_normalises():
    cell = "0912.345.678 - (0237) 3718258; +84 987 654 321"
    assert [normalise_phone(part) for part in split_phones(cell)] == [
        "+84912345678",
        "+842373718258",
        "+84987654321",
    ]


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842373718258", "0237 3718 258"),
        ("+842438234567", "024 3823 4567"),
        ("+442079460958", "+44 20 7946 0958"),
        ("not a number", "not a number"),
    ],
)
def test_it_formats_for_display(e164, shown):
    assert format_national(e164) == shown


@pytest.mark.parametrize(
    ("query", "digits"),
    [
        ("0912345", "84912345"),
        ("0912 345 678", "84912345678"),
        ("+84 912", "84912"),
        ("345 678", "345678"),
        ("0084912", "84912"),
        ("Hùng", ""),
    ],
)
def test_phone_digits_match_stored_numbers(query, digits):
    assert phone_digits(query) == digits


def test_a_search_typed_the_vietnamese_way_finds_the_e164_number():
    assert phone_digits("0912345") in normalise_phone("0912 345 678")


def test_the_vietnamese_patterns_agree_with_phonenumbers_number_type():
    """Accepting or refusing a +84 number gives phonenumbers' answer for every
    four-digit start and every length of Vietnamese national digits."""
    import random

    import phonenumbers

    from contacts.phones import NOT_PERSONAL_TYPES, _vietnamese_outcome

    def reference(national: str) -> str:
        number = phonenumbers.PhoneNumber(
            country_code=84, national_number=int(national)
        )
        kind = phonenumbers.number_type(number)
        if kind == phonenumbers.PhoneNumberType.UNKNOWN:
            return "invalid"
        return "personal" if kind in NOT_PERSONAL_TYPES else "valid"

    generator = random.Random(2026)  # noqa: S311 (test data, not secrets)
    outcomes = set()
    for prefix in range(1000, 10000):
        for length in (7, 8, 9, 10):
            tail = "".join(generator.choice("0123456789") for _ in range(length - 4))
            national = f"{prefix}{tail}"
            outcome = _vietnamese_outcome(national)
            assert outcome == reference(national), national
            outcomes.add(outcome)
    assert outcomes == {"valid", "invalid", "personal"}
