from django.urls import path

from incidents.views import rosters

app_name = "rosters"
urlpatterns = [
    path("", rosters.index, name="index"),
    # Every member: who is on duty this minute, with tap-to-call links.
    path("now/", rosters.on_duty, name="now"),
    path("template.xlsx", rosters.import_template, name="import_template"),
    # One organisation's roster (pk: the organisation).
    path("<int:pk>/", rosters.roster, name="roster"),
    path("<int:pk>/add/", rosters.shift_add, name="shift_add"),
    path("<int:pk>/week/", rosters.week, name="week"),
    path("<int:pk>/import/", rosters.roster_import, name="import"),
    # One shift (pk: the shift).
    path("shifts/<int:pk>/edit/", rosters.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/remove/", rosters.shift_remove, name="shift_remove"),
]
