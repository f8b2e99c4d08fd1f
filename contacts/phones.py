"""Phone numbers as Vietnamese officials write them, normalised to E.164.

Contacts store E.164 numbers separated by spaces (Contact.phones); the
importer (contacts.importers) and the forms normalise with these helpers, and
the directory search compares digits with `phone_digits`.

Known limit: an old Thanh Hóa landline written the pre-2017 way ("037 3718258")
is now a valid Viettel mobile number, so it is accepted as a mobile. Nothing in
the digits tells the two apart.
"""

import functools
import re
from enum import StrEnum

import phonenumbers
from django.utils.translation import gettext
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType

REGION = "VN"

# Valid numbers that reach a service, not a person (hotlines, 1800 toll-free,
# 1900 premium rate, 199x access numbers).
NOT_PERSONAL_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)

# What may appear in one number: digits, spaces, dots, dashes, brackets and a
# leading "+". Letters are refused so that "ext. 12" or a name typed into the
# phone column is reported instead of being half-read by phonenumbers.
_ALLOWED = re.compile(r"\+?[\d\s.()\-]+")
_PUNCTUATION = re.compile(r"[\s.()\-]")
_MAX_LENGTH = 40

# Separators between several numbers in one cell. A single space, a dot or a
# dash without spaces around it is part of a number ("0912 345 678",
# "0912.345.678", "0912-345-678"), so a dash separates only with spaces. A "+"
# only ever starts a number, so spaces before one separate too: that reads
# back the space-separated E.164 numbers of Contact.phones. "hoặc" (or) and
# "và" (and) are written between numbers too. Numbers separated by spaces
# alone, or by a dash without spaces, are told apart by their digits
# (_split_on_gaps).
_SEPARATORS = re.compile(r"[;,/\n\r]|\s+[-–—]\s+|\s+(?=\+)")
_WORD_SEPARATORS = re.compile(r"\b(?:ho[ặa]c|v[àa])\b", re.IGNORECASE)


class InvalidPhone(ValueError):
    """A number that is not a Vietnamese (or +country) personal phone number.

    The message is a translated sentence that can be shown as is.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def invalid_phone_message(value: str) -> str:
    return gettext("“%(value)s” is not a valid Vietnamese phone number.") % {
        "value": value
    }


def not_personal_message(value: str) -> str:
    return gettext(
        "“%(value)s” is a toll-free or premium-rate number, not a person's phone."
    ) % {"value": value}


def foreign_phone_message(value: str) -> str:
    return gettext(
        "“%(value)s” is not a Vietnamese number. Write a number of another "
        "country with + and its country code, e.g. +44 20 7946 0958."
    ) % {"value": value}


def normalise_phone(raw: str) -> str:
    """Return `raw` in E.164 ("+84912345678") or raise InvalidPhone."""
    value = " ".join(str(raw).split())
    if not value or len(value) > _MAX_LENGTH or not _ALLOWED.fullmatch(value):
        raise InvalidPhone(invalid_phone_message(value))
    # Digits and "+" only: phonenumbers parses that about 20% faster, and
    # "0912 345 678" and "0912.345.678" share one cache entry.
    outcome, e164 = _classify(_PUNCTUATION.sub("", value))
    if outcome is _VALID:
        return e164
    # The messages quote what was typed, in the active language: not cached.
    raise InvalidPhone(_MESSAGES[outcome](value))


_VALID, _INVALID, _FOREIGN, _NOT_PERSONAL = "valid", "invalid", "foreign", "personal"
_MESSAGES = {
    _INVALID: invalid_phone_message,
    _FOREIGN: foreign_phone_message,
    _NOT_PERSONAL: not_personal_message,
}
# A Vietnamese number written nationally ("0…") or with "+84": phonenumbers
# would parse it to country code 84 and these national digits (no leading 0,
# 7 to 10 digits, the lengths of Vietnamese numbers). Checking the digits
# against the region's patterns directly skips parse(), most of the cost of a
# number; the result is the same (tests/contacts/test_importers.py compares
# them).
_VIETNAMESE = re.compile(r"(?:0|\+84)([1-9]\d{6,9})")


@functools.lru_cache(maxsize=65536)
def _classify(digits: str) -> tuple[str, str]:
    """What `digits` ("+" and digits) is: (_VALID, its E.164 form) or the kind
    of error. Used by the importer for 50,000 numbers at a time (a few µs a
    new Vietnamese number, nothing for a repeated one)."""
    vietnamese = _VIETNAMESE.fullmatch(digits)
    if vietnamese:
        # With a single region for +84, is_valid_number is number_type() not
        # being UNKNOWN: one pass over the number patterns instead of two.
        outcome = _vietnamese_outcome(vietnamese[1])
        return outcome, "+84" + vietnamese[1] if outcome is _VALID else ""
    try:
        number = phonenumbers.parse(digits, REGION)
    except phonenumbers.NumberParseException:
        return _INVALID, ""
    if not phonenumbers.is_valid_number(number):
        return _INVALID, ""
    if phonenumbers.region_code_for_number(number) != REGION and not (
        digits.startswith("+")
    ):
        # "00 44 …" dialled from Vietnam reaches the UK, but a number without
        # "+" in a Vietnamese list is far more likely a typo.
        return _FOREIGN, ""
    if phonenumbers.number_type(number) in NOT_PERSONAL_TYPES:
        return _NOT_PERSONAL, ""
    return _VALID, phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _lengths_and_pattern(desc) -> tuple[frozenset[int], re.Pattern]:
    """What phonenumbers' _is_number_matching_desc reads of a description."""
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


def _type_descs(metadata: PhoneMetadata) -> list[tuple]:
    """(type, possible lengths, compiled pattern) of each number type of the
    region, in the order phonenumbers.number_type tries them. Types the
    region lacks are left out: phonenumbers never matches them."""
    kinds = [
        (PhoneNumberType.PREMIUM_RATE, metadata.premium_rate),
        (PhoneNumberType.TOLL_FREE, metadata.toll_free),
        (PhoneNumberType.SHARED_COST, metadata.shared_cost),
        (PhoneNumberType.VOIP, metadata.voip),
        (PhoneNumberType.PERSONAL_NUMBER, metadata.personal_number),
        (PhoneNumberType.PAGER, metadata.pager),
        (PhoneNumberType.UAN, metadata.uan),
        (PhoneNumberType.VOICEMAIL, metadata.voicemail),
        (PhoneNumberType.FIXED_LINE, metadata.fixed_line),
    ]
    # number_type tries the mobile pattern only when it differs from the
    # fixed-line one.
    if not metadata.same_mobile_and_fixed_line_pattern:
        kinds.append((PhoneNumberType.MOBILE, metadata.mobile))
    return [
        (kind, *_lengths_and_pattern(desc))
        for kind, desc in kinds
        if desc is not None and desc.national_number_pattern
    ]


_VN_METADATA = PhoneMetadata.metadata_for_region(REGION)
if _VN_METADATA is None:  # phonenumbers ships every region's metadata
    raise ImportError(f"phonenumbers has no metadata for {REGION}")
_VN_GENERAL = _lengths_and_pattern(_VN_METADATA.general_desc)
_VN_TYPES = _type_descs(_VN_METADATA)


def _vietnamese_outcome(national: str) -> str:
    """phonenumbers.number_type of +84 `national` (digits, no leading 0) as
    _VALID, _INVALID or _NOT_PERSONAL: the same checks in the same order
    (possible lengths first, then the whole pattern), with the patterns
    compiled once and no PhoneNumber built, in about a fifth of the time.
    tests/contacts/test_phones.py compares the two."""
    length = len(national)
    lengths, pattern = _VN_GENERAL
    if (lengths and length not in lengths) or not pattern.fullmatch(national):
        return _INVALID
    for kind, lengths, pattern in _VN_TYPES:
        if (not lengths or length in lengths) and pattern.fullmatch(national):
            return _NOT_PERSONAL if kind in NOT_PERSONAL_TYPES else _VALID
    return _INVALID


def split_phones(raw: str) -> list[str]:
    """Split a cell holding several numbers; each part is stripped, none empty.

    Two numbers separated by spaces alone ("0912 345 678 0237 3852 123",
    "0912345678 0904123456") or by a dash without spaces
    ("0912345678-0904123456") are split where the digits make two numbers;
    one number written with spaces or dashes stays whole.
    """
    text = str(raw)
    # Each of the words has an "a" or is not ASCII: most cells need no search.
    if "a" in text or "A" in text or not text.isascii():
        text = _WORD_SEPARATORS.sub(";", text)
    parts = []
    for part in _SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        # Two numbers take at least 20 digits and a gap: shorter parts,
        # nearly all, need no more look.
        if len(part) > _SHORTEST_PAIR and _GAP.search(part):
            parts.extend(_split_on_gaps(part))
        else:
            parts.append(part)
    return parts


_SHORTEST_PAIR = 20
# Between the groups of digits of one number, or between two numbers.
_GAP = re.compile(r"(\s+|[-–])")
# E.164 allows 15 digits; "(0)" after the country code may add one.
_MOST_DIGITS = 16
# Parts with more groups than this are not looked into (a hostile cell).
_MOST_GROUPS = 16


def _is_number(text: str) -> bool:
    """Whether `text` is one number: one normalise_phone accepts, or an
    11-digit mobile number of before 2018, which the importer converts.
    Without normalise_phone's error, whose message costs more than the
    check."""
    text = " ".join(text.split())
    if len(text) > _MAX_LENGTH or not _ALLOWED.fullmatch(text):
        return False
    digits = _PUNCTUATION.sub("", text)
    if len(digits) > _MOST_DIGITS + 1:  # and a "+"
        return False
    return _classify(digits)[0] is _VALID or modernise_old_mobile(digits) is not None


def _split_on_gaps(part: str) -> list[str]:
    """`part` as the numbers its groups of digits make, the groups parted
    by spaces or dashes.

    A part that is one number is kept whole, and so is one that cannot be
    read as numbers only, or only in more than one way (its error then
    quotes it as typed). Else the fewest numbers that use every group, each
    as typed.
    """
    # Groups at even places, the gaps after them at odd ones.
    pieces = _GAP.split(part)
    groups = pieces[0::2]
    if len(groups) > _MOST_GROUPS or _is_number(part):
        return [part]
    digits = [len(_NOT_DIGIT.sub("", group)) for group in groups]

    @functools.cache
    def ways(start: int) -> tuple[int, list[tuple[str, ...]]]:
        """(fewest numbers, the splits with that many) of groups[start:]."""
        if start == len(groups):
            return 0, [()]
        best = len(groups) + 1
        found: list[tuple[str, ...]] = []
        length = 0
        for end in range(start + 1, len(groups) + 1):
            length += digits[end - 1]
            if length > _MOST_DIGITS:
                break
            number = "".join(pieces[2 * start : 2 * end - 1])
            if not _is_number(number):
                continue
            count, rests = ways(end)
            if not rests or count + 1 > best:
                continue
            if count + 1 < best:
                best, found = count + 1, []
            found += [(number, *rest) for rest in rests[:2]]
        return best, found[:2]

    _count, splits = ways(0)
    return list(splits[0]) if len(splits) == 1 else [part]


_NOT_DIGIT = re.compile(r"\D")


def format_national(e164: str) -> str:
    """How to show a stored number: "0912 345 678", "0237 3718 258".

    A number of another country keeps its country code ("+44 20 7946 0958").
    Anything that does not parse is returned unchanged.
    """
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) != REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)


def phone_digits(query: str) -> str:
    """Digits to look for in stored E.164 numbers: "0912 345" → "84912345".

    A national number's leading 0 becomes the country code 84, so a search
    typed the Vietnamese way matches "+84912345678".
    """
    digits = re.sub(r"\D", "", query)
    if digits.startswith("00"):  # international prefix: "0084…", "0044…"
        return digits[2:]
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


# What a person on duty can be called and sent an SMS on while away from a
# desk. FIXED_LINE_OR_MOBILE is what phonenumbers says of numbers it cannot
# tell apart (the USA, Canada): given the benefit of the doubt.
_MOBILE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def is_mobile(e164: str) -> bool:
    """Whether a stored number is a mobile phone. Used by the duty rosters
    (incidents.services.rosters), which flag shifts without one."""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in _MOBILE_TYPES


class PhoneType(StrEnum):
    """What kind of line a stored number is (the API's `phones[].type`)."""

    MOBILE = "mobile"
    FIXED_LINE = "fixed_line"
    OTHER = "other"


@functools.lru_cache(maxsize=65536)
def phone_type(e164: str) -> PhoneType:
    """Mobile (as `is_mobile` decides), fixed line, or other (VoIP, a
    number that no longer parses). Cached: a directory page of 500 bodies
    reads about 1,500 numbers, most of them repeated from page to page.
    Used by contacts.api.directory."""
    if is_mobile(e164):
        return PhoneType.MOBILE
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return PhoneType.OTHER
    if phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE:
        return PhoneType.FIXED_LINE
    return PhoneType.OTHER


# Mobile prefixes of 11-digit numbers, changed to 10 digits in 2018 (decision
# 798/QĐ-BTTTT): "0169 345 6789" is now "039 345 6789". The importer converts
# them with a note (contacts.importers.rows).
OLD_MOBILE_PREFIXES = {
    **{f"016{d}": f"03{d}" for d in "23456789"},
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}
_OLD_MOBILE = re.compile(r"(?:0|\+?84)(1[2689]\d)(\d{7})")

# Landline area codes of before 2017 that are now mobile prefixes, with the
# area code that replaced them: "037 3718258" was a Thanh Hóa landline, now
# "0237 3718258", but reads today as a Viettel mobile.
OLD_AREA_CODES = {
    "030": "0229",
    "031": "0225",
    "033": "0203",
    "036": "0227",
    "037": "0237",
    "038": "0238",
    "039": "0239",
    "052": "0232",
    "055": "0255",
    "056": "0256",
    "058": "0258",
    "059": "0269",
    "070": "0270",
    "076": "0296",
    "077": "0297",
    "079": "0299",
}


def modernise_old_mobile(digits: str) -> str | None:
    """The current national number ("0393456789") of an 11-digit mobile
    number of before 2018 ("01693456789", "+841693456789"), else None."""
    match = _OLD_MOBILE.fullmatch(digits)
    if match is None:
        return None
    new = OLD_MOBILE_PREFIXES.get("0" + match[1])
    return new + match[2] if new else None


def old_landline(national: str) -> str | None:
    """The landline a 10-digit national number ("0373718258") was before
    2017 ("02373718258"), when its first digits were an area code that is
    now a mobile prefix; else None."""
    if len(national) != 10 or not national.isdigit():
        return None
    code = OLD_AREA_CODES.get(national[:3])
    return code + national[3:] if code else None
