"""Reading the directive shipped in readiness/data/ (pure parsing, no ORM)."""

import json
from dataclasses import dataclass
from pathlib import Path

from readiness.nd30 import PartialDate

DATA_DIR = Path(__file__).resolve().parent / "data"
DIRECTIVE_JSON = DATA_DIR / "directive-2021-thanh-hoa.json"
DIRECTIVE_ORIGINAL = DATA_DIR / "directive-2021-thanh-hoa.vi.txt"


@dataclass(frozen=True)
class ObligationSpec:
    code: str
    group: str
    evidence: str
    days_before_polling: int | None
    title: str
    title_en: str
    text: str
    text_en: str
    evidence_note: str
    evidence_note_en: str


@dataclass(frozen=True)
class DirectiveSpec:
    code: str
    number: str
    # As the letter writes it: a part left blank is None, never filled in.
    issued: PartialDate
    issuer: str
    issuer_en: str
    subject: str
    subject_en: str
    legal_basis: str
    legal_basis_en: str
    recipients: str
    recipients_en: str
    copied_to: str
    copied_to_en: str
    signed_by: str
    deadline_hour: int
    original_text: str
    obligations: list[ObligationSpec]


def read_directive() -> DirectiveSpec:
    raw = json.loads(DIRECTIVE_JSON.read_text(encoding="utf-8"))
    raw.pop("issued_note", None)
    obligations = [ObligationSpec(**o) for o in raw.pop("obligations")]
    issued = raw.pop("issued")
    raw["issued"] = PartialDate(issued["year"], issued.get("month"), issued.get("day"))
    return DirectiveSpec(
        **raw,
        obligations=obligations,
        original_text=DIRECTIVE_ORIGINAL.read_text(encoding="utf-8").strip(),
    )
