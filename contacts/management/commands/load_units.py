"""Load an edition of the administrative structure from a GSO file, e.g.
the two-tier structure of the 2025 reform beside the 2021 one:

    manage.py load_units --edition 2025 don-vi-hanh-chinh-2025.csv

All or nothing: a bad line stops the load with a message naming it."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contacts.seed import UnitsFileError, read_units_file
from contacts.services import units_load


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

    def handle(self, *args, edition: str, file: Path, **options):
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
