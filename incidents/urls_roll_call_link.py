"""The public page an SMS of a reachability check links to (/r/<token>):
no login, the token is the key (incidents.views.roll_calls.confirm)."""

from django.urls import path

from incidents.views import roll_calls

app_name = "roll_call_link"
urlpatterns = [
    path("<str:token>", roll_calls.confirm, name="confirm"),
]
