"""Pausing Python's cyclic garbage collector while an import builds its rows.

Used by contacts.importers.parse_contact_file and by the plan, the preview
and the confirmation of an import (contacts.services.contact_imports).
"""

import contextlib
import functools
import gc


def without_cyclic_gc(function):
    """Run `function` with the cyclic garbage collector paused.

    A 50,000-row import makes objects that live until it ends (the sheet's
    rows, the ContactRows, the plan, the rows to write). Each time such
    survivors grow by a quarter, Python walks every object of the process in
    a full collection, about 100 ms each here: five per import, a fifth of
    its CPU time (bench/import_contacts.py). These objects hold no reference
    cycles, so reference counting frees them as before; the pause only
    delays collecting cycles made elsewhere in the process until the import
    returns. Mercurial does the same (util.nogc). A nested call, or a
    process that turned the collector off itself, leaves it as it was.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _paused() if gc.isenabled() else contextlib.nullcontext():
            return function(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _paused():
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
