"""The election cycles pages (readiness.views.cycles). Included by
config.urls under cycles/."""

from django.urls import path

from readiness.views import cycles

app_name = "cycles"
urlpatterns = [
    path("", cycles.index, name="index"),
    path("new/", cycles.new, name="new"),
]
