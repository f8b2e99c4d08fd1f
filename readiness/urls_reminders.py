"""The reminder rule page (readiness.views.reminders). Included by
config.urls under reminders/."""

from django.urls import path

from readiness.views import reminders

app_name = "reminders"
urlpatterns = [
    path("rule/", reminders.rule, name="rule"),
]
