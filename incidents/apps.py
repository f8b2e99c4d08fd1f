from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from incidents import (  # noqa: F401  (they register the rules)
            permissions,
            permissions_status_reports,
        )

        # They register relevance checks with the outbox.
        from incidents.services import (  # noqa: F401
            notices,
            roll_calls,
            rosters,
            status_reports,
        )
