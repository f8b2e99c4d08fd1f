"""Administrative unit names as officials write them.

"Xã Đông Hòa", "xã Đông Hoà", "X. Đông Hòa", "Dong Hoa" and "Đông Hòa" name
one commune; "TT Rừng Thông" is "Thị trấn Rừng Thông", "P. 3" is "Phường 3".
The parser reads unit names out of body names with these words
(contacts.importers.layout); contacts.services' DistrictUnits can find a
district's units by such a name with `UnitNames`.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Generic, TypeVar

COMMUNE = "commune"
DISTRICT = "district"

# Folded prefix words → level. Two-word prefixes are tried first.
_PREFIXES = (
    (("thi", "tran"), COMMUNE),
    (("thi", "xa"), DISTRICT),
    (("thanh", "pho"), DISTRICT),
    (("xa",), COMMUNE),
    (("x",), COMMUNE),
    (("phuong",), COMMUNE),
    (("p",), COMMUNE),
    (("tt",), COMMUNE),
    (("huyen",), DISTRICT),
    (("h",), DISTRICT),
    (("quan",), DISTRICT),
    (("q",), DISTRICT),
    (("tx",), DISTRICT),
    (("tp",), DISTRICT),
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=4096)
def name_words(text: str) -> tuple[str, ...]:
    """Lower-case words without diacritics: "TT. Rừng Thông" → ("tt", "rung",
    "thong")."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in text.casefold() if not unicodedata.combining(c))
    return tuple(_NOT_WORD.sub(" ", plain).split())


def unit_name_parts(text: str) -> tuple[str, str]:
    """(level, base name) of a unit name: ("commune", "rung thong") for
    "TT Rừng Thông"; the level is "" when the name has no prefix."""
    words = name_words(text)
    for prefix, level in _PREFIXES:
        if words[: len(prefix)] == prefix and len(words) > len(prefix):
            return level, " ".join(words[len(prefix) :])
    return "", " ".join(words)


Unit = TypeVar("Unit")


class UnitNames(Generic[Unit]):
    """Units found by a name written any of the ways above.

    The name as written (folded) wins; then the base name at the written
    level; then the base name alone when a single unit has it (a district
    and its township often share one: "Huyện Đông Sơn", "Thị trấn Đông
    Sơn").
    """

    def __init__(self, units: Iterable[tuple[str, Unit]]) -> None:
        self.by_words: dict[tuple[str, ...], Unit] = {}
        self.by_level: dict[tuple[str, str], Unit] = {}
        by_base: dict[str, list[Unit]] = {}
        for name, unit in units:
            self.by_words.setdefault(name_words(name), unit)
            level, base = unit_name_parts(name)
            self.by_level.setdefault((level, base), unit)
            by_base.setdefault(base, []).append(unit)
        self.by_base = {
            base: found[0] for base, found in by_base.items() if len(found) == 1
        }

    def find(self, name: str) -> Unit | None:
        found = self.by_words.get(name_words(name))
        if found is not None:
            return found
        level, base = unit_name_parts(name)
        if level:
            return self.by_level.get((level, base))
        return self.by_base.get(base)
