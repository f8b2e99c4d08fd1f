"""SMS backends, named by the SMS_BACKEND setting (a dotted path to a
`send(message)`): the logging one (the default and the demo's), and a
generic HTTP one for a gateway that takes one SMS per JSON request."""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from contacts.channels import DeliveryError

logger = logging.getLogger("contacts.sms")
# Answers that say this message will never be taken (a bad number, a text
# refused): not retried. 408 and 429 say "later", like a 5xx.
_RETRY_LATER = {408, 429}


def log_send(message) -> None:
    """Writes the SMS to the log instead of sending it (the default)."""
    logger.info("SMS to %s: %s", message.address, message.body[:480])


def http_send(message) -> None:
    """POSTs {"to", "text", "reference"} as JSON to SMS_HTTP_URL, with
    `Authorization: Bearer SMS_HTTP_TOKEN`. `reference` is the message's
    dedupe key: a gateway that keeps it sends a retried message once. A 2xx
    answer is sent; a 4xx (but 408 and 429) fails for good; anything else,
    a timeout or no answer is retried (contacts.services.outbox)."""
    url = settings.SMS_HTTP_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # Not file:// or another scheme urllib would open; retried, so that
        # messages wait for the setting to be mended.
        raise DeliveryError("SMS_HTTP_URL is not an http(s) address")
    body = json.dumps(
        {"to": message.address, "text": message.body, "reference": message.dedupe_key}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (the scheme is checked above)
            request, timeout=settings.SMS_HTTP_TIMEOUT
        ):
            return
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in _RETRY_LATER
        raise DeliveryError(
            f"SMS gateway answered {exc.code}", permanent=permanent
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"SMS gateway not reached: {exc}") from None
