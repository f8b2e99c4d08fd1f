"""Where an SMS gateway posts the SMS it receives (/sms/incoming/): a shared
secret, no login (incidents.views.roll_calls.sms_incoming)."""

from django.urls import path

from incidents.views import roll_calls

app_name = "sms"
urlpatterns = [
    path("incoming/", roll_calls.sms_incoming, name="incoming"),
]
