from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from contacts.ids import IdConverter
        from contacts.middleware import IdleSessionMiddleware

        # `<id:pk>` in every app's urls.py, which Django reads after ready().
        register_converter(IdConverter, "id")

        user_logged_in.connect(
            IdleSessionMiddleware.mark_login, dispatch_uid="idle-session-login"
        )
