"""Reading the registry files shipped in contacts/data/ (pure parsing, no ORM).

The files are copies of the shared GSO 2021 registry and the Thanh Hóa
carrier list; contacts.services loads what these functions return.
"""

import csv
import datetime
import json
from dataclasses import dataclass
from pathlib import Path

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
