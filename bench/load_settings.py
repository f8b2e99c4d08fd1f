"""Settings of the server the load benchmarks put under load
(bench/incident_load.py, bench/polling_day.py; bench/load_harness.py): the
production settings, with one URL added for the ceiling (bench/load_urls.py)
and static files collected into var/bench-static."""

from config.settings.production import *  # noqa: F403
from config.settings.production import VAR_DIR

ROOT_URLCONF = "bench.load_urls"
STATIC_ROOT = VAR_DIR / "bench-static"
