from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts.forms import LoginForm
from contacts.views import invitations, password_resets
from contacts.views.registry import healthz
from contacts.views.second_factor import second_factor
from readiness.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("accounts/second-factor/", second_factor, name="second_factor"),
    # The invited person's link (contacts.services.members).
    path(
        "accounts/invitation/<str:secret>/",
        invitations.invitation_accept_view,
        name="invitation_accept",
    ),
    path(
        "accounts/invitation/<str:secret>/renew/",
        invitations.invitation_renew_view,
        name="invitation_renew",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Forgotten passwords: Django's views, sending through the outbox
    # (contacts.services.password_resets).
    path(
        "accounts/password/reset/",
        password_resets.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_resets.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.urls_api")),
    path("", include("contacts.urls")),
    path("", include("readiness.urls")),
    path("notifications/", include("contacts.urls_inbox")),
    path("reminders/", include("readiness.urls_reminders")),
    path("situation-reports/", include("readiness.urls_situation")),
    path("documents/", include("readiness.urls_documents")),
    path("cycles/", include("readiness.urls_cycles")),
    path("close-out/", include("readiness.urls_closeout")),
    path("incidents/", include("incidents.urls")),
    path("duty/", include("incidents.urls_rosters")),
    path("status-reports/", include("incidents.urls_status_reports")),
    path("roll-calls/", include("incidents.urls_roll_calls")),
    path("r/", include("incidents.urls_roll_call_link")),
    path("sms/", include("incidents.urls_sms")),
]

# Pages as Django makes them; the API's URLs answer in its JSON shape.
handler404 = "contacts.api.errors.page_not_found"
handler500 = "contacts.api.errors.server_error"
