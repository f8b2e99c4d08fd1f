from django.urls import path

from incidents.views import roll_calls

app_name = "roll_calls"
urlpatterns = [
    path("", roll_calls.index, name="index"),
    path("start/", roll_calls.start, name="start"),
    # The demo's stand-in for an SMS reply (only with the logging backend).
    path("simulate-reply/", roll_calls.simulate, name="simulate"),
    path("<id:pk>/", roll_calls.detail, name="detail"),
    path(
        "<id:pk>/unreachable.xlsx",
        roll_calls.unreachable_xlsx,
        name="unreachable_xlsx",
    ),
]
