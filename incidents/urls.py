from django.urls import path

from incidents.views import incidents

app_name = "incidents"
urlpatterns = [
    path("", incidents.index, name="index"),
]
