"""In-app notifications and the delivery log (contacts.views.inbox).
Included by config.urls under notifications/."""

from django.urls import path

from contacts.views import inbox, notices

app_name = "inbox"
urlpatterns = [
    path("", inbox.index, name="index"),
    path("read/", inbox.mark_read, name="mark_read"),
    path("settings/", notices.preferences, name="preferences"),
    path("settings/defaults/", notices.defaults, name="defaults"),
    path("log/", inbox.log, name="log"),
    path("log/<id:pk>/send-again/", inbox.requeue, name="requeue"),
]
