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
- conftest.py: the shared world.

The examples are the same on every run of `make test`; `make fuzz` explores
(the profiles: tests/hypothesis_profiles.py).
"""

from hypothesis import settings

# The profile of this run, which every test here applies (and scales, for
# the slower ones): "suite" or "fuzz", as HYPOTHESIS_PROFILE says.
FUZZ = settings.get_profile(settings.get_current_profile_name())
