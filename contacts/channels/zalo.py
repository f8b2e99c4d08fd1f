"""Zalo: notices as template messages of the Zalo Notification Service
(ZNS) from the Department's Official Account, to the phone number a user
has on Zalo.

ZNS sends only templates Zalo has approved, with their parameters filled
in: one template id per kind of notice (ZALO_TEMPLATES), and the same
parameters for each (`template_data`). The channel is offered only when an
access token and the template for the kind are configured
(`zalo_offered`); with the ZALO_* settings empty nothing is written or sent.

The request Zalo documents: POST ZALO_ZNS_URL with the header
`access_token` and the JSON {phone (84…, no "+"), template_id,
template_data, tracking_id}; the answer is HTTP 200 with {"error": 0,
"message", "data": {msg_id, sent_time, quota}} when the message is taken,
or a negative `error` code and Zalo's `message` when it is not.
"""

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from contacts.channels import DeliveryError
from contacts.phones import InvalidPhone, is_mobile, normalise_phone

logger = logging.getLogger("contacts.zalo")

# Zalo's error codes after which sending the same request again gets the
# same answer, so the message fails at once (staff may send it again from
# the delivery log once the cause is mended):
#   -108 phone number invalid: the number is wrong for Zalo.
#   -109 template id invalid, -117 the Official Account may not use this
#        template: the template is refused; ZALO_TEMPLATE_* must change.
#   -111 template data empty, -112 template data invalid: the template's
#        parameters are not the ones sent (README, "Zalo").
#   -118 Zalo account does not exist: this phone has no Zalo.
# Every other code is retried with the outbox's back-off, among them -100
# (unknown error; Zalo says to try again later) and -124 (access token
# invalid: it expires and is refreshed, README "Zalo"), as are quota and
# service errors, which pass with time.
PERMANENT_ERRORS = {-108, -109, -111, -112, -117, -118}
ACCESS_TOKEN_INVALID = -124
# HTTP answers that say "later" rather than "never", as for the SMS gateway.
_RETRY_LATER = {408, 429}
# The tracking id is the dedupe key (the same for a retry, so a resend is
# recognisable in Zalo's records), kept to 48 characters, the length Zalo's
# ZNS pages give; a longer key goes as its digest.
_TRACKING_ID_MAX = 48
# The lengths of the ZNS parameter types the README asks for (a customer
# name 30 characters, a text 200, a time 20): a longer value is cut rather
# than the whole message refused.
_NAME_MAX, _TEXT_MAX, _TIME_MAX = 30, 200, 20


def _reasons() -> dict[int, str]:
    return {
        -108: gettext("Zalo refused the phone number as invalid"),
        -109: gettext("Zalo does not know the template"),
        -111: gettext("Zalo refused the template's data"),
        -112: gettext("Zalo refused the template's data"),
        -117: gettext("The Official Account may not use the template"),
        -118: gettext("This phone number has no Zalo account"),
        ACCESS_TOKEN_INVALID: gettext(
            "The Zalo access token is invalid or has expired: refresh it"
        ),
    }


# The kinds of the review loop's notices (contacts.services.notices): one
# template, "notice", says each of them (its subject and link vary).
WORKFLOW_NOTICES = ("contact-list-", "plan-", "deadline-", "incident-comment")


def template_for(kind: str) -> str:
    """The ZNS template id for messages of `kind`: its own entry, or that
    of what comes before the first "-" ("incident-escalation-1" uses
    "incident"), or for a notice of the review loop the "notice" one;
    empty when none is configured."""
    templates = settings.ZALO_TEMPLATES
    own = templates.get(kind) or templates.get(kind.partition("-")[0])
    if not own and kind.startswith(WORKFLOW_NOTICES):
        own = templates.get("notice")
    return own or ""


def zalo_configured() -> bool:
    return bool(
        settings.ZALO_ZNS_URL
        and (settings.ZALO_ACCESS_TOKEN or settings.ZALO_ACCESS_TOKEN_FILE)
    )


def zalo_phone(address: str) -> str | None:
    """The number as ZNS takes it: a Vietnamese mobile in international
    form without "+" (+84912345678 → 84912345678); None for a landline or
    a number of another country, which have no Zalo account to send to."""
    try:
        e164 = normalise_phone(address)
    except InvalidPhone:
        return None
    if not e164.startswith("+84") or not is_mobile(e164):
        return None
    return e164[1:]


def zalo_offered(*, kind: str, phone: str) -> bool:
    """Whether a message of `kind` to `phone` also goes by Zalo (used by
    contacts.services.outbox.outbox_messages_for)."""
    return bool(
        zalo_configured() and template_for(kind) and phone and zalo_phone(phone)
    )


def template_data(message) -> dict[str, str]:
    """The parameters every template is given (README, "Zalo"); `due` only
    for a message about a deadline or a reporting time."""
    recipient = message.recipient
    organisation = message.organisation
    data = {
        "name": str(recipient)[:_NAME_MAX] if recipient else "",
        "organisation": organisation.display_name[:_TEXT_MAX] if organisation else "",
        "subject": message.subject[:_TEXT_MAX],
        "link": message.link,
    }
    if message.topic_due_at:
        due = timezone.localtime(message.topic_due_at)
        data["due"] = f"{due:%H:%M %d/%m/%Y}"[:_TIME_MAX]
    return data


def tracking_id(message) -> str:
    key = message.dedupe_key
    if len(key) <= _TRACKING_ID_MAX:
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:_TRACKING_ID_MAX]


def zns_send(message) -> None:
    """Sends one message as a ZNS template message; returns when Zalo took
    it (error 0), raises DeliveryError otherwise. The reasons are written
    in the site's language (Vietnamese): they are what the delivery log
    shows the Department."""
    with translation.override(settings.LANGUAGE_CODE):
        msg_id = _send(message)
    logger.info("Zalo took message %s as msg_id %s", message.dedupe_key, msg_id)


def _send(message) -> str:
    template = template_for(message.kind)
    if not zalo_configured() or not template:
        # Zalo was turned off, or this kind's template removed, after the
        # message was written: it is not sent later by surprise.
        raise DeliveryError(
            gettext("Zalo is not configured for this kind of message: not sent"),
            permanent=True,
        )
    phone = zalo_phone(message.address)
    if phone is None:
        raise DeliveryError(
            gettext("“%(address)s” is not a Vietnamese mobile number: not sent")
            % {"address": message.address},
            permanent=True,
        )
    url = settings.ZALO_ZNS_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # Not file:// or another scheme urllib would open; retried, so that
        # messages wait for the setting to be mended.
        raise DeliveryError(gettext("ZALO_ZNS_URL is not an http(s) address"))
    body = {
        "phone": phone,
        "template_id": template,
        "template_data": template_data(message),
        "tracking_id": tracking_id(message),
    }
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "access_token": _token()},
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (the scheme is checked above)
            request, timeout=settings.ZALO_TIMEOUT
        ) as response:
            answer = response.read()
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in _RETRY_LATER
        raise DeliveryError(
            gettext("Zalo answered HTTP %(status)s") % {"status": exc.code},
            permanent=permanent,
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(
            gettext("Zalo not reached: %(error)s") % {"error": exc}
        ) from None
    return _taken(answer)


def _token() -> str:
    """The access token: read from ZALO_ACCESS_TOKEN_FILE at each send when
    that is set, so that the job that refreshes the token (it expires within
    a day) rewrites the file and workers use the new one without a restart."""
    if not settings.ZALO_ACCESS_TOKEN_FILE:
        return settings.ZALO_ACCESS_TOKEN
    try:
        token = Path(settings.ZALO_ACCESS_TOKEN_FILE).read_text().strip()
    except OSError as exc:
        token, error = "", exc.strerror or str(exc)
    else:
        error = gettext("the file is empty")
    if not token:
        # Retried: the refreshing job may be writing it.
        raise DeliveryError(
            gettext("The Zalo access token could not be read: %(error)s")
            % {"error": error}
        )
    return token


def _taken(answer: bytes) -> str:
    """Zalo's msg_id when the answer says the message was taken."""
    try:
        reply = json.loads(answer)
        code = int(reply["error"])
    except (ValueError, TypeError, KeyError):
        raise DeliveryError(
            gettext("Zalo's answer is not the documented JSON")
        ) from None
    if code == 0:
        data = reply.get("data") or {}
        return str(data.get("msg_id", "")) if isinstance(data, dict) else ""
    zalo_says = str(reply.get("message", ""))[:200]
    reason = _reasons().get(code, gettext("Zalo refused the message"))
    raise DeliveryError(
        gettext("%(reason)s (Zalo error %(code)s: %(message)s)")
        % {"reason": reason, "code": code, "message": zalo_says},
        permanent=code in PERMANENT_ERRORS,
    )
