from django.urls import path

from incidents.views import rosters

app_name = "rosters"
urlpatterns = [
    path("", rosters.index, name="index"),
]
