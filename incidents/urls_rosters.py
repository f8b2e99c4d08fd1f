from django.urls import path

from incidents.views import rosters

app_name = "rosters"
urlpatterns = [
    path("", rosters.index, name="index"),
    # Every member: who is on duty this minute, with tap-to-call links.
    path("now/", rosters.on_duty, name="now"),
    path("template.xlsx", rosters.import_template, name="import_template"),
    # One organisation's roster (pk: the organisation).
    path("<id:pk>/", rosters.roster, name="roster"),
    path("<id:pk>/add/", rosters.shift_add, name="shift_add"),
    path("<id:pk>/week/", rosters.week, name="week"),
    path("<id:pk>/import/", rosters.roster_import, name="import"),
    # One shift (pk: the shift).
    path("shifts/<id:pk>/edit/", rosters.shift_edit, name="shift_edit"),
    path("shifts/<id:pk>/remove/", rosters.shift_remove, name="shift_remove"),
]
