"""Names of administrative units and of the bodies that govern them, written
as Decree 30/2020/NĐ-CP (Appendix I) writes them in official documents:

- the level word in lower case after the body's name: "UBND huyện Đông
  Sơn", "Ủy ban nhân dân tỉnh Thanh Hóa", "Ủy ban bầu cử tỉnh Thanh Hóa";
- the proper name as the registry spells it ("Thanh Hóa", "Đông Sơn":
  each syllable capitalised, accents placed as in contacts/data), never
  re-accented or re-cased;
- the place of a date line without its level word ("Thanh Hóa, ngày …");
- communes, wards and townships together: "đơn vị hành chính cấp xã".

The registry keeps unit names as the General Statistics Office publishes
them, level word first and capitalised ("Huyện Đông Sơn", "Tỉnh Thanh
Hóa"): right at the start of a line or a cell, wrong inside a sentence.
Everything that puts a unit's name in a sentence or a body's name goes
through these functions (organisations made by
contacts.services.registry, the Election Committee report, the Decree 30
documents of readiness.nd30).
"""

from typing import Protocol

from django.utils.translation import get_language

# The level words the registry's names start with, longest first so that
# "thị xã" is not read as "thị …". "đặc khu" (special zone) is a
# commune-level unit of the 2025 structure.
LEVEL_WORDS = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)

# Communes, wards, townships (and special zones) together.
COMMUNE_LEVEL = "đơn vị hành chính cấp xã"
COMMUNE_LEVEL_SHORT = "đơn vị cấp xã"

PEOPLES_COMMITTEE = "Ủy ban nhân dân"
PEOPLES_COMMITTEE_SHORT = "UBND"
ELECTION_COMMITTEE = "Ủy ban bầu cử"


class Unit(Protocol):
    """An administrative unit, or anything named like one (a historical
    row, a unit of a migration's frozen model)."""

    name: str
    division_type: str


def name_parts(name: str, division_type: str = "") -> tuple[str, str]:
    """ "Huyện Đông Sơn" → ("huyện", "Đông Sơn"). A name without a level
    word takes the one of its division type ("thành phố trung ương" is a
    "thành phố"), or none."""
    name = " ".join(name.split())
    folded = name.casefold()
    for word in LEVEL_WORDS:
        if folded.startswith(word + " "):
            return word, name[len(word) + 1 :]
    kind = " ".join(division_type.split()).casefold()
    for word in LEVEL_WORDS:
        if kind == word or kind.startswith(word + " "):
            return word, name
    return "", name


def _parts(unit: "Unit | str") -> tuple[str, str]:
    if isinstance(unit, str):
        return name_parts(unit)
    return name_parts(unit.name, unit.division_type)


def unit_name(unit: "Unit | str") -> str:
    """The unit's name inside a sentence: "huyện Đông Sơn", "thành phố
    Thanh Hóa", "thị xã Bỉm Sơn", "tỉnh Thanh Hóa", "xã Đông Tiến",
    "phường Điện Biên", "thị trấn Rừng Thông"."""
    word, proper = _parts(unit)
    return f"{word} {proper}" if word else proper


def unit_in_sentence(unit: "Unit | str") -> str:
    """The unit inside a sentence of the page's language: unit_name in
    Vietnamese ("… không phải là huyện Đông Sơn"), the registry's name in
    English, where it is a proper name ("… is not Huyện Đông Sơn")."""
    if (get_language() or "vi").startswith("en"):
        return unit if isinstance(unit, str) else unit.name
    return unit_name(unit)


def place_name(unit: "Unit | str") -> str:
    """The place of a date line: "Thanh Hóa" (no level word)."""
    return _parts(unit)[1]


def level_word(unit: "Unit | str") -> str:
    """ "huyện", "thị xã", "tỉnh"…; empty when the name shows none."""
    return _parts(unit)[0]


def peoples_committee(unit: "Unit | str", *, short: bool = True) -> str:
    """The unit's People's Committee: "UBND huyện Đông Sơn"; with
    short=False, "Ủy ban nhân dân huyện Đông Sơn". The official name of a
    district organisation (contacts.services.registry)."""
    body = PEOPLES_COMMITTEE_SHORT if short else PEOPLES_COMMITTEE
    return f"{body} {unit_name(unit)}"


def election_committee(province: "Unit | str") -> str:
    """ "Ủy ban bầu cử tỉnh Thanh Hóa"."""
    return f"{ELECTION_COMMITTEE} {unit_name(province)}"


def governing_body(province: "Unit | str") -> str:
    """The first line of a provincial department's letterhead, in capitals:
    "UBND TỈNH THANH HÓA"."""
    return peoples_committee(province).upper()
