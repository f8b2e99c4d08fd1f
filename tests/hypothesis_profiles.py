"""The two ways the property-based tests run (hypothesis: tests/fuzz/ and
the API schema's schemathesis test), one switch between them: the
HYPOTHESIS_PROFILE environment variable, read when tests/conftest.py
imports this module, before any test module is collected, so every @given
of tests/ inherits the profile.

- "suite" (the default; `make test`, CI): the same examples on every run on
  every machine. Each test's examples follow from its own source
  (derandomize) and no example database is read or written (what one run
  found would change the next). A failure here is a bug, never bad luck.
- "fuzz" (`make fuzz`): explores. A random seed each run, FUZZ_EXAMPLES
  examples a test (200 unless told), and an example database in
  var/hypothesis/examples: a failure found once is tried first on every
  later run until it passes. README "Fuzzing" says how to replay one and
  keep it as a regression case.

Both: no deadline and no timing health check (a first request takes far
longer than the next, and a busy machine is slow, not wrong), and a failure
prints the blob for @reproduce_failure.
"""

import os

from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

# Hypothesis keeps its caches (and the fuzz profile its examples) under
# var/, never in the repository.
HOME = django_settings.VAR_DIR / "hypothesis"
set_hypothesis_home_dir(str(HOME))

_COMMON = settings(
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        # The fuzz tests' world is one fixture for the package; each example
        # runs in a savepoint of its own (tests.fuzz.support.rolled_back).
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        # Some examples are huge on purpose (100,000-character cells).
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile(
    "suite", _COMMON, max_examples=10, derandomize=True, database=None
)
settings.register_profile(
    "fuzz",
    _COMMON,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
    derandomize=False,
    database=DirectoryBasedExampleDatabase(str(HOME / "examples")),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
