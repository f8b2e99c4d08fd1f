"""Reading the registry files shipped in contacts/data/ (pure parsing, no ORM).

The files are copies of the shared GSO 2021 registry and the Thanh Hóa
carrier list; contacts.services loads what these functions return.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from contacts.models.registry import FIRST_EDITION, UnitLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA_DIR / "vn-admin-units-2021.csv"
CARRIERS_CSV = DATA_DIR / "thanh-hoa-carriers.csv"
ELECTION_JSON = DATA_DIR / "election-2021.json"


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    division_type: str
    level: str
    parent_code: str
    phone_area_code: str
    # The line of the file it was read from (1 is the header), for errors.
    line: int = 0


UNIT_COLUMNS = ("code", "name", "division_type", "level", "parent_code")
UNIT_LEVELS = ("province", "district", "commune")
# The levels a unit's parent may have: in a two-tier structure (after the
# 2025 reform) a commune's parent is the province.
PARENT_LEVELS = {"province": (), "district": ("province",), "commune": UNIT_LEVELS[:2]}
GSO_CODE = re.compile(r"[0-9A-Za-z]{1,10}")


class UnitsFileError(ValueError):
    """A units file that cannot be loaded; the message names the line."""


def _unit_problem(row: dict, seen: dict[str, str]) -> str | None:
    code, level = row["code"], row["level"]
    if not GSO_CODE.fullmatch(code):
        return _("the GSO code “%(code)s” is not 1 to 10 letters or digits") % {
            "code": code
        }
    if code in seen:
        return _("the GSO code %(code)s appears twice") % {"code": code}
    if level not in UNIT_LEVELS:
        return _("the level “%(level)s” is not province, district or commune") % {
            "level": level
        }
    if not row["name"]:
        return _("the name is empty")
    if level == "province" and row["parent_code"]:
        return _("a province has no parent unit")
    if level != "province" and not row["parent_code"]:
        return _("a district or commune needs the code of its parent unit")
    parent_level = seen.get(row["parent_code"])
    if parent_level is not None:
        return parent_problem(level, parent_level)
    return None


def parent_problem(level: str, parent_level: str) -> str | None:
    """Why a unit of `level` cannot be under one of `parent_level`, or None
    (also contacts.services.registry.units_load, for a parent already
    loaded)."""
    if parent_level in PARENT_LEVELS[level]:
        return None
    return _("a %(level)s cannot be under a %(parent)s") % {
        "level": UnitLevel(level).label,
        "parent": UnitLevel(parent_level).label,
    }


def line_problem(line: int, problem: str) -> str:
    return _("Line %(line)s: %(problem)s.") % {"line": line, "problem": problem}


def read_units_file(path: Path) -> list[UnitRow]:
    """A units file in the columns of vn-admin-units-2021.csv, checked whole
    (contacts.management.commands.load_units): the first bad line raises
    UnitsFileError naming it, and nothing is loaded. A parent must come
    before its children, or already be in the edition (checked on load)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in UNIT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UnitsFileError(
                _("The file lacks the columns: %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        rows: list[UnitRow] = []
        seen: dict[str, str] = {}
        for line, raw in enumerate(reader, start=2):
            row = {
                k: (raw.get(k) or "").strip()
                for k in (*UNIT_COLUMNS, "phone_area_code")
            }
            if problem := _unit_problem(row, seen):
                raise UnitsFileError(line_problem(line, problem))
            seen[row["code"]] = row["level"]
            rows.append(UnitRow(**row, line=line))
    if not rows:
        raise UnitsFileError(_("The file has no unit."))
    order = {level: n for n, level in enumerate(UNIT_LEVELS)}
    return sorted(rows, key=lambda r: (order[r.level], r.code))


@dataclass(frozen=True)
class CarrierRow:
    code: str
    kind: str
    name: str
    name_en: str
    serves: str
    note: str


def read_units(*, province_code: str | None) -> list[UnitRow]:
    """Units in tree order (parents first); one province's subtree, or all."""
    with UNITS_CSV.open(encoding="utf-8", newline="") as f:
        rows = [
            UnitRow(
                code=r["code"],
                name=r["name"],
                division_type=r["division_type"],
                level=r["level"],
                parent_code=r["parent_code"],
                phone_area_code=r["phone_area_code"],
            )
            for r in csv.DictReader(f)
        ]
    if province_code is not None:
        keep = {province_code}
        for level in ("district", "commune"):
            keep |= {r.code for r in rows if r.level == level and r.parent_code in keep}
        rows = [r for r in rows if r.code in keep]
    order = {"province": 0, "district": 1, "commune": 2}
    return sorted(rows, key=lambda r: (order[r.level], r.code))


def read_carriers() -> list[CarrierRow]:
    with CARRIERS_CSV.open(encoding="utf-8", newline="") as f:
        return [
            CarrierRow(
                code=r["code"],
                kind=r["kind"],
                name=r["name_vi"],
                name_en=r["name_en"],
                serves=r["serves"],
                note=r["note"],
            )
            for r in csv.DictReader(f)
        ]


@dataclass(frozen=True)
class MilestoneRow:
    code: str
    name: str
    name_en: str
    days_from_polling: int


@dataclass(frozen=True)
class ElectionSpec:
    name: str
    name_en: str
    province_code: str
    polling_day: datetime.date
    before_starts_on: datetime.date
    after_ends_on: datetime.date
    milestones: list[MilestoneRow]
    # The administrative structure the province is found in.
    edition: str = FIRST_EDITION


def read_election() -> ElectionSpec:
    raw = json.loads(ELECTION_JSON.read_text(encoding="utf-8"))
    return ElectionSpec(
        name=raw["name"],
        name_en=raw["name_en"],
        province_code=raw["province_code"],
        polling_day=datetime.date.fromisoformat(raw["polling_day"]),
        before_starts_on=datetime.date.fromisoformat(raw["before_starts_on"]),
        after_ends_on=datetime.date.fromisoformat(raw["after_ends_on"]),
        milestones=[MilestoneRow(**m) for m in raw["milestones"]],
    )
