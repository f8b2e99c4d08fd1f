"""District organisations named as Decree 30/2020/NĐ-CP writes them: the
level word in lower case after the body's name ("UBND Huyện Đông Sơn" →
"UBND huyện Đông Sơn"; contacts.names).

Only names still in the form the seed gave them ("UBND " and the unit's
registry name) change: a name the Department typed stays as typed, and
name_en is left alone. Each rename is a line of the organisation's audit
trail, as a change made through the app would be, so that the history's
latest row is the organisation as it is and reports as of an earlier
moment keep the name it had then.
"""

from django.db import migrations
from django.utils import timezone

# A frozen copy of contacts.names.LEVEL_WORDS: a later change there must
# not change what this migration did.
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
REASON = "Decree 30/2020/NĐ-CP name"


def _in_sentence(name: str) -> str:
    folded = name.casefold()
    for word in LEVEL_WORDS:
        if folded.startswith(word + " "):
            return word + name[len(word) :]
    return name


def _rename(apps, forward: bool) -> None:
    Organisation = apps.get_model("contacts", "Organisation")
    History = apps.get_model("contacts", "HistoricalOrganisation")
    ServedHistory = apps.get_model("contacts", "HistoricalOrganisation_served_units")
    fields = [f.attname for f in Organisation._meta.concrete_fields]
    now = timezone.now()
    q = Organisation.objects.filter(kind="district", unit__isnull=False)
    for organisation in q.select_related("unit"):
        old = f"UBND {organisation.unit.name}"
        new = f"UBND {_in_sentence(organisation.unit.name)}"
        if old == new:
            continue
        before, after = (old, new) if forward else (new, old)
        if organisation.name != before:
            continue
        # update(), not save(): no signal, so the audit row below is the
        # only one whichever registry of models runs this.
        Organisation.objects.filter(pk=organisation.pk).update(name=after)
        organisation.name = after
        row = History.objects.create(
            **{f: getattr(organisation, f) for f in fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )
        ServedHistory.objects.bulk_create(
            ServedHistory(
                history=row,
                organisation_id=organisation.pk,
                administrativeunit_id=unit_id,
            )
            for unit_id in organisation.served_units.values_list("pk", flat=True)
        )


def forwards(apps, schema_editor):
    _rename(apps, forward=True)


def backwards(apps, schema_editor):
    _rename(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0018_invitations"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
