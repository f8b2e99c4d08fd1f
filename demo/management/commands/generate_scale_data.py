import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.scale_data import (
    SCALES,
    AlreadyGenerated,
    scale_data_generate,
)


class Command(BaseCommand):
    help = (
        "Load the seed case (the whole country for --scale country), then "
        "generate contact lists, plans, rosters and incidents in every state "
        "at province or country scale. Runs once, on a freshly migrated database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale: str, seed: int, **options):
        spec = SCALES[scale]
        started = time.monotonic()
        self.stdout.write("load_seed:")
        call_command("load_seed", whole_country=spec.whole_country, stdout=self.stdout)
        seeded = time.monotonic()
        try:
            counts = scale_data_generate(spec=spec, seed=seed)
        except AlreadyGenerated as e:
            raise CommandError(str(e)) from None
        done = time.monotonic()
        self.stdout.write(f"generated ({scale}, seed {seed}):")
        for name, value in counts.as_dict().items():
            self.stdout.write(f"{name}: {value:,}")
        self.stdout.write(
            f"load_seed {seeded - started:.1f} s, generation {done - seeded:.1f} s, "
            f"total {done - started:.1f} s"
        )
