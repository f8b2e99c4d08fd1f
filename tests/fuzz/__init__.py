"""Property-based fuzzing (hypothesis) of what users send: the contact-list
and duty-roster importers and every form of the project.

Whatever arrives (wrong types, huge strings, NUL bytes, lone surrogates,
Unicode in all its forms, combining Vietnamese diacritics, broken
spreadsheets), the answer is a clear error with nothing changed, or a save
of exactly what was sent (normalised): never a server error, never a
partial write.

- strategies.py: hostile text, numbers, dates, spreadsheets and CSV files;
- support.py: the world the requests run in, the snapshot of the database,
  posting raw form bodies, reading forms out of a page;
- conftest.py: the hypothesis profile and the shared world.
"""

import os

from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

# Hypothesis keeps caches (and, when asked, examples) under var/, never in
# the repository.
set_hypothesis_home_dir(str(django_settings.VAR_DIR / "hypothesis"))
_examples = os.environ.get("HYPOTHESIS_DATABASE")

# The profile of every fuzz test (applied with @FUZZ, not loaded for the
# whole session): no deadline (a first request takes far longer than the
# next), a modest number of examples (FUZZ_EXAMPLES raises it for a longer
# hunt), no example database unless HYPOTHESIS_DATABASE names a directory
# (e.g. var/hypothesis/examples), and under CI=true the same examples on
# every run.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    deadline=None,
    database=DirectoryBasedExampleDatabase(_examples) if _examples else None,
    derandomize=os.environ.get("CI") == "true",
    print_blob=True,
    suppress_health_check=[
        # The world is one fixture for the package; each example runs in a
        # savepoint of its own (tests.fuzz.support.rolled_back).
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings.get_profile("fuzz")
