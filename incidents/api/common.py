"""What the incidents app's endpoints share."""

import datetime

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from contacts.models import Election
from contacts.selectors import election_current

# Moments outside these years are typing mistakes; far ones would not
# survive the conversion to UTC in the database either.
FIRST_YEAR, LAST_YEAR = 2000, 2099
OUT_OF_RANGE = _("Give a moment between the years %(first)d and %(last)d.")


class MomentField(serializers.DateTimeField):
    """An ISO 8601 moment; without an offset it is Vietnam time."""

    def to_internal_value(self, value) -> datetime.datetime:
        moment = super().to_internal_value(value)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise serializers.ValidationError(
                OUT_OF_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return moment


def election_or_404() -> Election:
    """The election the app works on, as the pages find it."""
    election = election_current()
    if election is None:
        raise Http404
    return election


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's nested errors keyed by path, e.g.
    {"shifts[2].phone": ["…"]}, for the error shape's `fields`."""
    if isinstance(errors, dict):
        # A list's items' errors come keyed by their index (DRF's ListField
        # and ListSerializer), or as a list with {} for the valid ones.
        out: dict[str, list[str]] = {}
        for key, value in errors.items():
            out |= flat_errors(value, _path(prefix, key))
        return out
    if errors and all(isinstance(e, dict | list) for e in errors):
        out = {}
        for index, value in enumerate(errors):
            out |= flat_errors(value, _path(prefix, index))
        return out
    return {prefix: [str(e) for e in errors]} if errors else {}


def _path(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if key == api_settings.NON_FIELD_ERRORS_KEY and prefix:
        return prefix  # e.g. "shifts" is not a list
    return f"{prefix}.{key}" if prefix else key
