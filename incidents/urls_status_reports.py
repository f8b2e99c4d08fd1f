from django.urls import path

from incidents.views import status_reports

app_name = "status_reports"
urlpatterns = [
    # A carrier's page (the report due now, past reports); staff and
    # observers are sent to the schedule.
    path("", status_reports.index, name="index"),
    path("<id:pk>/", status_reports.detail, name="detail"),
    # The Department's: the schedule, one moment (its local date and time,
    # e.g. 202105231400), one period's reports as .xlsx.
    path("schedule/", status_reports.schedule, name="schedule"),
    path(
        "schedule/<id:pk>/remove/",
        status_reports.moment_remove,
        name="moment_remove",
    ),
    path("moments/<str:slug>/", status_reports.moment, name="moment"),
    path("export/<str:period>.xlsx", status_reports.export, name="export"),
]
