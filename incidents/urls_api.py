"""The incidents app's endpoints of /api/v1/ (config/urls_api.py)."""

from django.urls import path

from incidents.api.incidents import (
    IncidentDetailView,
    IncidentListView,
    IncidentTimelineView,
)
from incidents.api.rosters import RosterPeriodView
from incidents.api.status_reports import (
    StatusReportCurrentView,
    StatusReportListView,
)

app_name = "incidents"
urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="list"),
    path("incidents/<id:pk>/", IncidentDetailView.as_view(), name="detail"),
    path(
        "incidents/<id:pk>/updates/",
        IncidentTimelineView.as_view(),
        name="timeline",
    ),
    # One organisation's roster (as /duty/<pk>/) over a period.
    path(
        "rosters/<id:organisation_id>/<str:period>/",
        RosterPeriodView.as_view(),
        name="roster",
    ),
    # The token's organisation's status reports (as /status-reports/).
    path(
        "status-reports/",
        StatusReportListView.as_view(),
        name="status_reports",
    ),
    path(
        "status-reports/current/",
        StatusReportCurrentView.as_view(),
        name="status_report_current",
    ),
]
