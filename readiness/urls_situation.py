"""Polling-day situation reports (readiness.views.situation_reports).
Included by config.urls under situation-reports/."""

from django.urls import path

from readiness.views import situation_reports as views

app_name = "situation_reports"
urlpatterns = [
    path("", views.situation_report_list, name="situation_report_list"),
    path("make/", views.situation_report_make, name="situation_report_make"),
    path("<id:pk>/", views.situation_report_detail, name="situation_report_detail"),
    path(
        "<id:pk>/situation-report.pdf",
        views.situation_report_pdf,
        name="situation_report_pdf",
    ),
    path(
        "<id:pk>/situation-report.xlsx",
        views.situation_report_xlsx,
        name="situation_report_xlsx",
    ),
]
