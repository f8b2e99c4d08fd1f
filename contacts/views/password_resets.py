"""Forgotten passwords: Django's views, with the link sent through the
outbox (contacts.forms_accounts) and the new password kept in the
membership history (contacts.services.password_resets)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from contacts.forms_accounts import OutboxPasswordResetForm
from contacts.http import client_ip
from contacts.services.password_resets import password_reset_done


class PasswordResetView(auth_views.PasswordResetView):
    """The address form. Its e-mail comes from templates/notifications/
    password-reset-*, not from Django's email_template_name."""

    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link's page: a new password, then the login page. The person is
    not signed in here (post_reset_login off): they sign in with the new
    password, through django-axes' count and, for Department staff, the
    second factor."""

    post_reset_login = False
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The form is only shown for a valid link, hence for a user.
        assert self.user is not None
        password_reset_done(user=self.user, ip_address=client_ip(self.request))
        return response
