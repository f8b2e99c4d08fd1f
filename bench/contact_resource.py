"""The django-import-export yardstick for the contact import.

A ModelResource for contacts.Contact that reads the same spreadsheet into the
same models as contacts.importers + contacts.services.contact_lists, with the
same phone rules (contacts.phones) and the same vocabulary for body kinds and
positions. Written the way the library's documentation suggests: one model
instance saved per row (so django-simple-history writes its audit row through
its post_save signal), hooks for the foreign key. Two things keep the
comparison fair: election bodies are found or created once per body (cached
in a dict), and the draft's existing contacts are loaded in one query instead
of one lookup per row.

Only bench/import_contacts.py uses this; the application does not depend on
django-import-export.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from contacts.importers import BODY_KIND_WORDS, COLUMNS_BY_KEY, POSITION_WORDS, fold
from contacts.models import Contact, ContactList, ElectionBody, UnitLevel
from contacts.phones import normalise_phone, split_phones

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

    def __init__(self, *, contact_list: ContactList, **kwargs) -> None:
        super().__init__(**kwargs)
        self.contact_list = contact_list

    def before_import(self, dataset, **kwargs):
        district = self.contact_list.organisation.unit
        units = [district, *district.children.filter(level=UnitLevel.COMMUNE)]
        self.units = {unit.code: unit for unit in units}
        self.bodies: dict[tuple, ElectionBody] = {}
        self.existing = {
            (contact.body_id, contact.full_name): contact
            for contact in Contact.objects.filter(
                body__contact_list=self.contact_list, body__version=None
            )
        }

    def before_import_row(self, row, **kwargs):
        kind = _BODY_KINDS.get(fold(_text(row[HEADER["body_kind"]])))
        unit = self.units.get(_text(row[HEADER["unit_code"]]))
        name = _text(row[HEADER["body_name"]])
        if kind is None or unit is None or not name:
            raise ValidationError("Unknown body kind or unit, or no body name.")
        key = (kind, unit.pk, name)
        body = self.bodies.get(key)
        if body is None:
            # One get_or_create per body, not per row. A body created for a
            # row that later fails stays in the cache; the whole import is
            # rolled back then (rollback_on_validation_errors).
            body, _created = ElectionBody.objects.get_or_create(
                contact_list=self.contact_list,
                version=None,
                kind=kind,
                unit=unit,
                name=name,
                defaults={
                    "level": unit.level,
                    "polling_areas": _text(row[HEADER["polling_areas"]]),
                    "location": _text(row[HEADER["location"]]),
                },
            )
            self.bodies[key] = body
        row[BODY_COLUMN] = body

    def get_instance(self, instance_loader, row):
        return self.existing.get((row[BODY_COLUMN].pk, _text(row[HEADER["full_name"]])))
