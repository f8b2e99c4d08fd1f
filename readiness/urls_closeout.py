"""Closing the election and its archive (readiness.views.closeout).
Included by config.urls under close-out/."""

from django.urls import path

from readiness.views import closeout

app_name = "closeout"
urlpatterns = [
    path("", closeout.page, name="page"),
    path("<id:pk>/archive/", closeout.download, name="download"),
]
