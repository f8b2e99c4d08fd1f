"""sqlmap's --postprocess hook for the contact-import target of
scripts/scan_sqlmap.py.

When a response is a contact import's preview without errors, confirm the
import (POST …/apply/) and give sqlmap the preview followed by what the
confirmation answered. The cells sqlmap marks then also go through the
import's writes (contacts.services.contact_imports: INSERT and UPDATE
statements of its own on SQLite, COPY on PostgreSQL), not only through the
preview's reads.

It runs inside sqlmap (Debian's python3), so it uses the standard library
only. The session's Cookie header comes in SCAN_COOKIE, the app's address in
SCAN_BASE.
"""

import os
import re
import urllib.error
import urllib.parse
import urllib.request

# The preview's confirm form (templates/contacts/import_preview.html).
APPLY_RE = re.compile(
    r'action="(/imports/\d+/apply/)">\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
)


def postprocess(page, headers=None, code=None):
    match = APPLY_RE.search(page or "")
    if not match:
        return page, headers, code
    path, token = match.groups()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        os.environ["SCAN_BASE"] + path,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
        headers={"Cookie": os.environ["SCAN_COOKIE"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            answer, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        answer, status = exc.read(), exc.code
    # A failed confirmation (a 500 with Django's debug page) is the answer.
    return (
        page + answer.decode("utf-8", "replace"),
        headers,
        status if status >= 400 else code,
    )
