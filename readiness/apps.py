from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "readiness"
    verbose_name = _("Readiness")

    def ready(self) -> None:
        from readiness import permissions  # noqa: F401  (registers the rules)
        from readiness.services import reminders  # noqa: F401  (relevance check)
