from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts.forms import LoginForm
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
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.urls_api")),
    path("", include("contacts.urls")),
    path("", include("readiness.urls")),
    path("notifications/", include("contacts.urls_inbox")),
    path("reminders/", include("readiness.urls_reminders")),
    path("situation-reports/", include("readiness.urls_situation")),
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
