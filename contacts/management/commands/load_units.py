"""Load an edition of the administrative structure from a GSO file, e.g.
the two-tier structure of the 2025 reform beside the 2021 one:

    manage.py load_units --edition 2025 don-vi-hanh-chinh-2025.csv --organisations

All or nothing: a bad line stops the load with a message naming it. With
--organisations, each province of the file gets, where missing, the
organisations of its structure: a People's Committee per unit directly
under it (its districts, or its communes when there are none), besides the
Department and the Election Committee (contacts.services.registry)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import AdministrativeUnit, UnitLevel
from contacts.seed import UnitsFileError, read_units_file
from contacts.services import province_organisations_ensure, units_load
from contacts.services.registry import LoadResult


class Command(BaseCommand):
    help = (
        "Load administrative units into an edition of the structure (columns "
        "of contacts/data/vn-admin-units-2021.csv). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--edition", required=True, help="The structure, e.g. 2021 or 2025."
        )
        parser.add_argument("file", type=Path, help="A UTF-8 CSV file.")
        parser.add_argument(
            "--organisations",
            action="store_true",
            help="Also create the People's Committees of the units directly "
            "under each province, where missing.",
        )

    @transaction.atomic
    def handle(self, *args, edition: str, file: Path, organisations: bool, **options):
        edition = edition.strip()
        if not edition or len(edition) > 10:
            raise CommandError(_("Give an edition of at most 10 characters."))
        try:
            rows = read_units_file(file)
            result = units_load(rows=rows, edition=edition)
        except OSError as e:
            raise CommandError(
                _("The file cannot be read: %(error)s") % {"error": e.strerror}
            ) from e
        except UnicodeDecodeError as e:
            raise CommandError(_("The file is not UTF-8 text.")) from e
        except UnitsFileError as e:
            raise CommandError(str(e)) from e
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        self.stdout.write(
            f"{edition}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if organisations:
            made = LoadResult()
            provinces = AdministrativeUnit.objects.filter(
                edition=edition,
                level=UnitLevel.PROVINCE,
                code__in={r.code for r in rows},
            )
            for province in provinces.order_by("code"):
                made.add(province_organisations_ensure(province=province, carriers=[]))
            self.stdout.write(
                _("Organisations: %(created)s created, %(unchanged)s already there")
                % {"created": made.created, "unchanged": made.unchanged}
            )
