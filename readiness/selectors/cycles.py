"""Reads of the election cycles page (readiness.views.cycles)."""

from django.db.models import QuerySet

from contacts.models import Election


def cycle_list() -> QuerySet[Election]:
    """Every election, latest polling day first, with its province and the
    election it was copied from (one query)."""
    return Election.objects.select_related("province", "copied_from").order_by(
        "-polling_day", "-pk"
    )
