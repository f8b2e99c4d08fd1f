from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from incidents import permissions  # noqa: F401  (registers the rules)

        # Both register relevance checks with the outbox.
        from incidents.services import notices, rosters  # noqa: F401
