from django.core.management.base import BaseCommand

from readiness.services import seed_case_load


class Command(BaseCommand):
    help = (
        "Load the Thanh Hóa 2021 case: administrative units, organisations, the "
        "election and the directive with its obligations. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="whole_country",
            help="Load the units of the whole country (63 / 705 / 10,603).",
        )

    def handle(self, *args, whole_country: bool, **options):
        results = seed_case_load(whole_country=whole_country)
        for name, r in results.items():
            counts = (
                f"{r.created} created, {r.updated} updated, {r.unchanged} unchanged"
            )
            self.stdout.write(f"{name}: {counts}")
