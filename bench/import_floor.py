"""The no-validation floor for the contact import (bench/import_contacts.py).

Reads the sheet with python-calamine, as contacts.importers does, and writes
the same bodies, contacts and audit-trail rows with the same writer as
contacts.services.contact_imports (COPY on PostgreSQL, executemany on
SQLite), in one transaction, with nothing checked: no phone normalisation
(numbers are stored as typed), no vocabulary beyond an exact lookup, no
duplicate or conflict checks, no comparison with the draft (the list is
empty). What is left is reading the file and writing the rows: the fastest an
import of this file could be on this machine, the yardstick for the "within
three times of the floor" target.
"""

import python_calamine
from django.db import transaction
from django.utils import timezone

from contacts.importers import COLUMNS_BY_KEY
from contacts.importers.vocabulary import BODY_KINDS, POSITIONS, fold
from contacts.models import Contact, ContactList, ElectionBody, UnitLevel
from contacts.selectors.units import district_unit
from contacts.services.contact_imports import _Body, _Contact, _Writer


def import_floor(*, contact_list: ContactList, path: str) -> tuple[int, int]:
    """Import the file at `path` into the (empty) draft; (bodies, contacts)."""
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    cells = workbook.get_sheet_by_index(0).to_python()
    header = [str(value) for value in cells[0]]
    at = {key: header.index(column.vi) for key, column in COLUMNS_BY_KEY.items()}
    district = district_unit(contact_list.organisation)
    units = {
        unit.code: unit
        for unit in [district, *district.children.filter(level=UnitLevel.COMMUNE)]
    }
    kinds = {
        word: BODY_KINDS[fold(word)] for word in {r[at["body_kind"]] for r in cells[1:]}
    }
    positions = {
        word: POSITIONS[fold(word)] for word in {r[at["position"]] for r in cells[1:]}
    }
    with transaction.atomic():
        writer = _Writer(history_date=timezone.now())
        bodies: dict[tuple, _Body] = {}
        people: list[tuple[_Body, _Contact]] = []
        for row in cells[1:]:
            key = (row[at["body_kind"]], row[at["unit_code"]], row[at["body_name"]])
            body = bodies.get(key)
            if body is None:
                unit = units[str(row[at["unit_code"]])]
                body = bodies[key] = _Body(
                    None,
                    writer.new_uid(),
                    contact_list.pk,
                    kinds[key[0]],
                    unit.level,
                    unit.pk,
                    key[2],
                    row[at["polling_areas"]],
                    row[at["location"]],
                )
            contact = _Contact(
                None,
                writer.new_uid(),
                None,
                row[at["full_name"]],
                positions[row[at["position"]]],
                row[at["phones"]],
                row[at["email"]],
                row[at["note"]],
            )
            people.append((body, contact))
        writer.create(ElectionBody, list(bodies.values()))
        for body, contact in people:
            contact.body_id = body.id
        writer.create(Contact, [contact for _body, contact in people])
    return len(bodies), len(people)
