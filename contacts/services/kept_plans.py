"""A contact import's plan, kept from the upload to the confirmation so that
confirming does not parse and check the file again.

One JSON file per import (ContactImport.plan_file), in the storage of the
uploads: the rows as parsed, what the plan matched each with (the unit it
names, the draft body and person it keeps or changes, or nothing for a row
the plan refused), the errors, and
the fingerprint of the units and draft the plan was made against
(contacts.services.contact_imports decides with it whether the plan still
holds), how the file was read (its sheet and columns, for the preview) and
the fingerprint of the sheet and columns chosen (a plan kept for another
choice is not used). Rows are JSON lists, not objects with names: a 50,000-row plan is
about 12 MB. The file holds people's names and phones: it is removed once
the import is applied or discarded, and with the uploads when an election
is anonymised (contacts.services.anonymisation).
"""

import dataclasses
import json
import operator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from contacts.importers import ContactRow, RowError
from contacts.models import ContactImport

# Bumped when the layout below changes: a plan kept in another layout is
# not read (the import is planned from its file again).
LAYOUT = 4
_ROW_FIELDS = tuple(f.name for f in dataclasses.fields(ContactRow))
# Tuples, which JSON writes as lists.
_TUPLES = tuple(_ROW_FIELDS.index(name) for name in ("phones", "notes", "named_units"))
_row_values = operator.attrgetter(*_ROW_FIELDS)


@dataclass
class KeptPlan:
    rows: list[ContactRow]
    # For each row: [unit id, draft body id, draft contact id] (None for a
    # new body or person), or None for a row the plan refused.
    outcomes: list[list | None]
    parse_errors: list[RowError]
    plan_errors: list[RowError]
    unit_column: str
    language: str  # the page's, when the errors were written
    fingerprint: str
    # contact_imports.FileLayout as JSON, and contact_imports.import_choice.
    file_layout: dict = dataclasses.field(default_factory=dict)
    choice: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.parse_errors or self.plan_errors)


def plan_keep(*, contact_import: ContactImport, kept: KeptPlan) -> None:
    """Write the plan beside the upload and name it on the import's row."""
    content = json.dumps(_layout(kept), ensure_ascii=False, separators=(",", ":"))
    contact_import.plan_file.save("plan", ContentFile(content.encode()), save=False)
    ContactImport.objects.filter(pk=contact_import.pk).update(
        plan_file=contact_import.plan_file.name
    )


def plan_read(contact_import: ContactImport) -> KeptPlan | None:
    """The kept plan, or None when there is none to read (an import uploaded
    before plans were kept, a file gone from storage, another layout)."""
    if not contact_import.plan_file:
        return None
    try:
        with contact_import.plan_file.open("rb") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    if data.get("layout") != LAYOUT:
        return None
    return _kept(data)


def plan_forget(contact_import: ContactImport) -> None:
    """Clear the import's plan; its file goes once the transaction commits
    (a rolled-back confirmation keeps it)."""
    name = contact_import.plan_file.name
    if not name:
        return
    ContactImport.objects.filter(pk=contact_import.pk).update(plan_file="")
    storage = contact_import.plan_file.storage
    transaction.on_commit(lambda: storage.delete(name))
    contact_import.plan_file.name = ""


def _layout(kept: KeptPlan) -> dict:
    return {
        "layout": LAYOUT,
        "unit_column": kept.unit_column,
        "language": kept.language,
        "fingerprint": kept.fingerprint,
        "file_layout": kept.file_layout,
        "choice": kept.choice,
        "parse_errors": [dataclasses.astuple(e) for e in kept.parse_errors],
        "plan_errors": [dataclasses.astuple(e) for e in kept.plan_errors],
        "rows": [
            [*_row_values(row), outcome]
            for row, outcome in zip(kept.rows, kept.outcomes, strict=True)
        ],
    }


def _kept(data: dict) -> KeptPlan:
    rows, outcomes = [], []
    for *values, outcome in data["rows"]:
        for index in _TUPLES:
            values[index] = tuple(values[index])
        rows.append(ContactRow(*values))
        outcomes.append(outcome)
    return KeptPlan(
        rows=rows,
        outcomes=outcomes,
        parse_errors=[RowError(*e) for e in data["parse_errors"]],
        plan_errors=[RowError(*e) for e in data["plan_errors"]],
        unit_column=data["unit_column"],
        language=data["language"],
        fingerprint=data["fingerprint"],
        file_layout=data["file_layout"],
        choice=data["choice"],
    )
