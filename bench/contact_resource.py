"""The django-import-export yardstick for the contact import.

A ModelResource for contacts.Contact that reads the same spreadsheet into the
same models as contacts.importers + contacts.services.contact_lists, with the
same phone rules (contacts.phones) and the same vocabulary for body kinds and
positions. Configured for bulk inserts, as the library's documentation
suggests for large imports (`use_bulk = True`, `batch_size = 1000`): contacts
are saved 1,000 at a time with django-simple-history's
bulk_create_with_history / bulk_update_with_history, so the same audit-trail
rows are written as by ours (a bulk insert sends no post_save signal). Three
things keep the comparison fair: the election bodies are created in bulk (with
their audit rows) before the rows are imported, the draft's existing bodies
and contacts are loaded in one query each instead of one lookup per row, and
import-export's per-row diff is off (`skip_diff`).

Only bench/import_contacts.py uses this; the application does not depend on
django-import-export.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contacts.importers import BODY_KIND_WORDS, COLUMNS_BY_KEY, POSITION_WORDS, fold
from contacts.models import Contact, ContactList, ElectionBody, UnitLevel
from contacts.phones import normalise_phone, split_phones
from contacts.selectors.units import district_unit

# Column headers of the file (the Vietnamese template).
HEADER = {key: column.vi for key, column in COLUMNS_BY_KEY.items()}
# Not a column of the file: before_import_row puts the row's body here.
BODY_COLUMN = "__body"


def _lookup(vocabulary: dict) -> dict[str, str]:
    table = {}
    for value, (vi_words, en_words) in vocabulary.items():
        table.update({fold(word): str(value) for word in (*vi_words, *en_words)})
    return table


_BODY_KINDS = _lookup(BODY_KIND_WORDS)
_POSITIONS = _lookup(POSITION_WORDS)


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


class PositionWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        position = _POSITIONS.get(fold(text))
        if position is None:
            raise ValueError(f"“{text}” is not a position.")
        return position


class PhonesWidget(widgets.Widget):
    """Several numbers in one cell → space-separated E.164, as Contact.phones
    stores them; InvalidPhone is a ValueError, which import-export reports as
    an error of this field."""

    def clean(self, value, row=None, **kwargs):
        numbers: list[str] = []
        for part in split_phones("" if value is None else str(value)):
            number = normalise_phone(part)
            if number not in numbers:
                numbers.append(number)
        if not numbers:
            raise ValueError("No phone number.")
        return " ".join(numbers)


class ContactResource(resources.ModelResource):
    full_name = fields.Field(
        attribute="full_name",
        column_name=HEADER["full_name"],
        widget=widgets.CharWidget(),
    )
    position = fields.Field(
        attribute="position", column_name=HEADER["position"], widget=PositionWidget()
    )
    phones = fields.Field(
        attribute="phones", column_name=HEADER["phones"], widget=PhonesWidget()
    )
    email = fields.Field(
        attribute="email", column_name=HEADER["email"], widget=widgets.CharWidget()
    )
    note = fields.Field(
        attribute="note", column_name=HEADER["note"], widget=widgets.CharWidget()
    )
    body = fields.Field(attribute="body", column_name=BODY_COLUMN)

    class Meta:
        model = Contact
        fields = ("full_name", "position", "phones", "email", "note", "body")
        import_id_fields = ("full_name",)
        # The admin's preview shows a diff per row; a confirmed import does
        # not need one, and it would cost a deepcopy and an export per row.
        skip_diff = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000

    def __init__(self, *, contact_list: ContactList, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contact_list = contact_list

    def before_import(self, dataset, **kwargs):
        district = district_unit(self.contact_list.organisation)
        units = [district, *district.children.filter(level=UnitLevel.COMMUNE)]
        self.units = {unit.code: unit for unit in units}
        self.bodies: dict[tuple, ElectionBody] = {
            (body.kind, body.unit_id, body.name): body
            for body in ElectionBody.objects.filter(
                contact_list=self.contact_list, version=None
            )
        }
        self.existing = {
            (contact.body_id, contact.full_name): contact
            for contact in Contact.objects.filter(
                body__contact_list=self.contact_list, body__version=None
            )
        }
        self._create_bodies(dataset)

    def _create_bodies(self, dataset) -> None:
        """The bodies the file names and the draft lacks, in bulk; the first
        row of a body gives its columns. Rows with an unknown kind or unit
        are left to before_import_row to report."""
        new: dict[tuple, ElectionBody] = {}
        for row in dataset.dict:
            key = self._body_key(row)
            if key is None or key in self.bodies or key in new:
                continue
            kind, unit_id, name = key
            unit = self.units[_text(row[HEADER["unit_code"]])]
            new[key] = ElectionBody(
                contact_list=self.contact_list,
                kind=kind,
                level=unit.level,
                unit=unit,
                name=name,
                polling_areas=_text(row[HEADER["polling_areas"]]),
                location=_text(row[HEADER["location"]]),
            )
        created = bulk_create_with_history(
            list(new.values()), ElectionBody, batch_size=self._meta.batch_size
        )
        self.bodies.update(zip(new, created, strict=True))

    def _body_key(self, row) -> tuple | None:
        kind = _BODY_KINDS.get(fold(_text(row[HEADER["body_kind"]])))
        unit = self.units.get(_text(row[HEADER["unit_code"]]))
        name = _text(row[HEADER["body_name"]])
        if kind is None or unit is None or not name:
            return None
        return (kind, unit.pk, name)

    def before_import_row(self, row, **kwargs):
        key = self._body_key(row)
        body = self.bodies.get(key) if key is not None else None
        if body is None:
            raise ValidationError("Unknown body kind or unit, or no body name.")
        row[BODY_COLUMN] = body

    def get_instance(self, instance_loader, row):
        return self.existing.get((row[BODY_COLUMN].pk, _text(row[HEADER["full_name"]])))

    def bulk_create(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        """import-export's bulk_create, with the audit rows."""
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(
                    self.create_instances, Contact, batch_size=batch_size
                )
            except Exception as e:  # noqa: BLE001 — as import-export's own
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        """import-export's bulk_update, with the audit rows."""
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    Contact,
                    self.get_bulk_update_fields(),
                    batch_size=batch_size,
                )
            except Exception as e:  # noqa: BLE001 — as import-export's own
                self.handle_import_error(result, e, raise_errors)
            finally:
                self.update_instances.clear()
