"""Django's own messages that pages show, named here so that `make
messages` puts them in our catalogue: Django 5.2's Vietnamese catalogue
has the durations of `timesince` (the review queue's "waiting for") only
in an older form ("%d minute"), so they came out in English. A catalogue
of LOCALE_PATHS is read before Django's. Nothing imports this module; the
strings must match django.utils.timesince.TIME_STRINGS."""

from django.utils.translation import ngettext_lazy

TIMESINCE = (
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)
