"""SMS backends. The logging one ships; a gateway is a class with the same
`send(message)` named in the SMS_BACKEND setting."""

import logging

logger = logging.getLogger("contacts.sms")


def log_send(message) -> None:
    """Writes the SMS to the log instead of sending it (the default)."""
    logger.info("SMS to %s: %s", message.address, message.body[:480])
