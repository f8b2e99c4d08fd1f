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

        # Register the invitations' and password resets' relevance checks
        # with the outbox.
        import contacts.services.members  # noqa: F401
        import contacts.services.password_resets  # noqa: F401

        user_logged_in.connect(_record_session, dispatch_uid="signed-in-session-record")
        user_logged_in.connect(
            IdleSessionMiddleware.mark_login, dispatch_uid="idle-session-login"
        )


def _record_session(sender, request, user, **kwargs) -> None:
    from contacts.services.members import session_record

    session = getattr(request, "session", None)
    session_record(user=user, session_key=getattr(session, "session_key", None))
