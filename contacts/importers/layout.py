"""Where a district's own list keeps its table: the header row (after title
blocks, national headings and blank rows; two-level headers included), the
section rows that set the body kind of the rows below them, the body names
that carry a kind and a commune, and the signature footer."""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from contacts.importers.units import name_words
from contacts.importers.vocabulary import (
    BODY_KINDS,
    COLUMNS,
    HEADER_WORDS,
    OFFICE_PHONE_WORDS,
    PHONE_SUBHEADER_WORDS,
    UNREAD_KEYS,
    fold,
)
from contacts.models import BodyKind

# The header is looked for in this many rows from the top of the sheet.
HEADER_SEARCH_ROWS = 40


def _header_lookup() -> dict[str, tuple[str, str]]:
    """Folded header word → (column key, language it votes for, "" for
    none)."""
    table: dict[str, tuple[str, str]] = {}
    for key, words in HEADER_WORDS.items():
        table.update({fold(word): (key, "") for word in words})
    for word in PHONE_SUBHEADER_WORDS:
        table.setdefault(fold(word), ("phones", ""))
    for column in COLUMNS:
        table[fold(column.en)] = (column.key, "en")
        table[fold(column.vi)] = (column.key, "vi")
    return table


_HEADERS = _header_lookup()
# Stems of longer headers ("Số điện thoại liên hệ", "Họ và tên thành viên").
_STEMS = (
    ("hovaten", "full_name"),
    ("hoten", "full_name"),
    ("chucvu", "position"),
    ("chucdanh", "position"),
    ("sodienthoai", "phones"),
    ("dienthoai", "phones"),
    ("sdt", "phones"),
    ("ghichu", "note"),
    ("diadiem", "location"),
    ("khuvucbophieu", "polling_areas"),
    ("tentochuc", "body_name"),
)
_SUBHEADERS = {fold(word) for word in PHONE_SUBHEADER_WORDS}
_OFFICE = {fold(word) for word in OFFICE_PHONE_WORDS}
# "Cơ quan" alone at the top is more often the workplace than its phone.
_TOP_LEVEL_EXCLUDED = _OFFICE - {fold("ĐT cơ quan"), fold("Điện thoại cơ quan")}
# A row numbering the columns under the header: "(1)", "2", "3".
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?|[A-Z]")


def header_key(text: str, *, top: bool = True) -> tuple[str, str]:
    """(column key, language vote) of a header cell; ("", "") if unknown."""
    folded = fold(text)
    if not folded or (top and folded in _TOP_LEVEL_EXCLUDED):
        return "", ""
    found = _HEADERS.get(folded)
    if found:
        return found
    for stem, key in _STEMS:
        if folded.startswith(stem):
            return key, ""
    return "", ""


@dataclass
class Header:
    """The header found in a sheet."""

    first: int  # index of the header's (top) row
    last: int  # index of its last row (a sub-header, a column-number row)
    labels: dict[int, str]  # column index → header as written ("A – B")
    keys: dict[int, str]  # column index → key ("" for an ignored column)
    office: set[int] = field(default_factory=set)  # office phone columns
    language: str = ""  # "vi", "en", or "" when the words did not tell

    @property
    def score(self) -> int:
        return len({key for key in self.keys.values() if key} - UNREAD_KEYS)


def find_header(cells: Sequence[Sequence[object]], text) -> Header | None:
    """The header among the first rows: the row naming most known columns
    (at least two, one of them the name or phone). `text` turns a cell into
    text."""
    best: Header | None = None
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        header = _read_header_row(cells, index, row, text)
        if header is None or (best is not None and header.score <= best.score):
            continue
        best = header
    return best


def _read_header_row(cells, index: int, row, text) -> Header | None:
    labels: dict[int, str] = {}
    keys: dict[int, str] = {}
    votes = {"vi": 0, "en": 0, "": 0}
    for column, value in enumerate(row):
        label = text(value)
        if not label:
            continue
        key, vote = header_key(label)
        votes[vote] += 1
        labels[column] = label
        keys[column] = key
    found = set(keys.values())
    if len(found - {""} - UNREAD_KEYS) < 2 or not found & {"full_name", "phones"}:
        return None
    language = ""
    if votes["en"] != votes["vi"]:
        language = "en" if votes["en"] > votes["vi"] else "vi"
    header = Header(
        first=index, last=index, labels=labels, keys=keys, language=language
    )
    if index + 1 < len(cells) and _read_subheader(header, cells[index + 1], text):
        header.last = index + 1
    if header.last + 1 < len(cells) and _is_column_numbers(
        cells[header.last + 1], text
    ):
        header.last += 1
    return header


def _read_subheader(header: Header, row, text) -> bool:
    """Read the second row of a two-level header into `header`; False when
    the row is not one (it holds data, or is empty)."""
    subs = {column: text(value) for column, value in enumerate(row)}
    subs = {column: label for column, label in subs.items() if label}
    if not subs:
        return False
    for label in subs.values():
        folded = fold(label)
        if folded not in _SUBHEADERS and not header_key(label, top=False)[0]:
            return False
    group = ""
    group_key = ""
    for column in range(max([*subs, *header.labels]) + 1):
        if column in header.labels:
            group, group_key = header.labels[column], header.keys[column]
        elif column not in subs:
            group = group_key = ""  # a gap ends the spanning header
        if column not in subs:
            continue
        sub = subs[column]
        sub_key = header_key(sub, top=False)[0]
        key = "phones" if group_key == "phones" else (sub_key or group_key)
        header.labels[column] = f"{group} – {sub}" if group else sub
        header.keys[column] = key
        if key == "phones" and fold(sub) in _OFFICE:
            header.office.add(column)
    return True


def _is_column_numbers(row, text) -> bool:
    values = [text(value) for value in row]
    values = [value for value in values if value]
    return len(values) >= 3 and all(_COLUMN_NUMBER.fullmatch(v) for v in values)


# --- Rows that are not people ---------------------------------------------

# A section heading's numbering: "I.", "II)", "1.", "a)", "A.".
_NUMBERING = re.compile(r"^\s*(?:[IVXLC]+|\d{1,2}|[a-zA-Z])\s*[.)/:-]\s*")
_FOOTER = re.compile(
    r"^(?:nguoi lap( bieu)?|nguoi ky|tm|t m|kt|k t|tl|noi nhan|xac nhan|"
    r"thu truong|ky ten|ky ghi ro)\b|\bngay\b.*\bthang\b.*\bnam\b"
)


def is_footer_text(text: str) -> bool:
    """A signature block's first line: "Người lập biểu", "TM. ỦY BAN NHÂN
    DÂN", "KT. CHỦ TỊCH", "Nơi nhận:", "Đông Sơn, ngày 10 tháng 3 năm
    2026"."""
    return bool(_FOOTER.search(" ".join(name_words(text))))


@dataclass(frozen=True)
class Section:
    """What a section heading says of the rows below it."""

    kind: str  # BodyKind value, "" if it names none
    body_name: str  # the body it names ("1. Tổ bầu cử số 1 - xã Đông Hòa")
    unit_name: str


def read_section(text: str) -> Section | None:
    """A section heading ("I. ỦY BAN BẦU CỬ HUYỆN", "III. TỔ BẦU CỬ",
    "2. Tổ bầu cử số 2 - TT Rừng Thông"), else None."""
    numbered = _NUMBERING.match(text)
    rest = text[numbered.end() :] if numbered else text
    named = read_body_name(rest)
    if named.kind:
        names_one = bool(named.unit or named.units) or bool(
            re.search(r"\bs[ốo]\s*\d", rest, re.I)
        )
        return Section(named.kind, rest.strip() if names_one else "", named.unit)
    if numbered or (text.isupper() and len(text) > 3):
        return Section("", "", "")
    return None


# Body kinds by their leading words, as name_words folds them.
_KIND_WORDS = (
    (("uy", "ban", "bau", "cu"), BodyKind.COMMITTEE),
    (("ubbc",), BodyKind.COMMITTEE),
    (("ban", "bau", "cu"), BodyKind.BOARD),
    (("bbc",), BodyKind.BOARD),
    (("to", "bau", "cu"), BodyKind.TEAM),
    (("tbc",), BodyKind.TEAM),
)
# A unit named in a body's name: a prefix word and the name up to a
# separator ("xã Đông Hòa", "TT Rừng Thông", "P. 3").
_UNIT_PREFIX = (
    r"(?:x[ãa]|ph[ườ]+ng|phuong|th[ịi]\s+tr[ấa]n|tt\.?|x\.|p\.|"
    r"huy[ệe]n|qu[ậa]n|th[ịi]\s+x[ãa]|tx\.?|th[àa]nh\s+ph[ốo]|tp\.?)"
    r"(?:\s+|(?<=\.)\s*)"
)
_UNIT_IN_NAME = re.compile(
    r"(?<![^\s(,;:–-])" + _UNIT_PREFIX + r"[^,;()–\-]+", re.IGNORECASE
)
_STARTS_WITH_UNIT = re.compile(_UNIT_PREFIX + r"\S", re.IGNORECASE)
# "xã Đông Hòa và xã Đông Yên": two units.
_AND = re.compile(r"\s+v[àa]\s+", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")
# Between the names of a list in brackets: "(xã Đông Hòa, Đông Yên)",
# "(Đông Hòa; Đông Yên)", "(Đông Hòa - Đông Yên)", "(Đông Hòa và Đông Yên)".
_LIST_SEPARATOR = re.compile(r"[,;+]|\s+[-–]\s+|\s+v[àa]\s+", re.IGNORECASE)
# What may come before the names: "(các xã Đông Hòa, Đông Yên)", "(gồm …)",
# "(địa bàn: …)".
_LIST_LEAD = re.compile(
    r"^(?:(?:c[áa]c|g[ồo]m|[đd][ịi]a\s+b[àa]n|tr[êe]n\s+[đd][ịi]a\s+b[àa]n)\b\s*:?\s*)+",
    re.IGNORECASE,
)
# Places below a commune, written in brackets after a team's name: never a
# commune ("thôn 1", "KVBP số 2", "tổ dân phố 3", "khu phố 4").
_BELOW_COMMUNE = frozenset(
    {"thon", "xom", "ban", "lang", "ap", "khu", "kvbp", "to", "tdp", "doi", "so", "cum"}
)


class BodyName(NamedTuple):
    """What a body's name says: its kind, and its unit or units."""

    kind: str  # BodyKind value, "" when the name does not say
    # The one unit the name gives with its prefix ("xã Đông Hòa"), else "".
    unit: str = ""
    # Otherwise, the names it lists for contacts.services to look up among
    # the district's units: several ("Ban bầu cử số 1 (xã Đông Hòa, xã Đông
    # Yên)"), or names in brackets without a prefix ("(Đông Hòa, Đông Yên)"),
    # which may be communes or villages: only the unit tree can tell.
    units: tuple[str, ...] = ()


def read_body_name(name: str) -> BodyName:
    """The kind and units a body's name gives: "Tổ bầu cử số 1 - xã Đông
    Hòa" → TEAM, "xã Đông Hòa"; "UBBC huyện Đông Sơn" → COMMITTEE, "huyện
    Đông Sơn"; "Ban bầu cử số 1 (xã Đông Hòa, Đông Yên)" → BOARD, units
    ("xã Đông Hòa", "Đông Yên")."""
    # Every body has a name of its own ("Tổ bầu cử số 596 - phường Quảng
    # Tâm"): the kind is read from the first words, which repeat.
    kind = _kind(" ".join(name.split(maxsplit=4)[:4])) or BODY_KINDS.get(fold(name), "")
    found: list[str] = []  # with a prefix
    bare: list[str] = []
    bracketed = "(" in name
    outside = _BRACKETED.sub(",", name) if bracketed else name
    for match in _UNIT_IN_NAME.finditer(outside):
        found += [unit.strip() for unit in _AND.split(match.group(0))]
    for listed in _BRACKETED.findall(name) if bracketed else ():
        for item in _LIST_SEPARATOR.split(listed):
            item = " ".join(_LIST_LEAD.sub("", item.strip()).replace(":", " ").split())
            if not item or item[0].isdigit():
                continue
            if _STARTS_WITH_UNIT.match(item):
                found += [unit.strip() for unit in _AND.split(item)]
            elif name_words(item)[:1] and name_words(item)[0] not in _BELOW_COMMUNE:
                bare.append(item)
    if len(found) == 1 and not bare:
        return BodyName(kind, found[0])
    found = list(dict.fromkeys(found))
    if len(found) == 1 and not bare:
        return BodyName(kind, found[0])
    return BodyName(kind, "", tuple(dict.fromkeys(found + bare)))


@functools.lru_cache(maxsize=1024)
def _kind(head: str) -> str:
    """The body kind a name's first words give, "" if none."""
    words = name_words(head)
    return next((str(k) for lead, k in _KIND_WORDS if words[: len(lead)] == lead), "")
