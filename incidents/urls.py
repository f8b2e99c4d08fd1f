from django.urls import path

from incidents.views import incidents, limits

app_name = "incidents"
urlpatterns = [
    path("", incidents.index, name="index"),
    path("new/", incidents.report, name="report"),
    path("<id:pk>/", incidents.detail, name="detail"),
    path("<id:pk>/update/", incidents.update, name="update"),
    path("<id:pk>/acknowledge/", incidents.acknowledge, name="acknowledge"),
    path("<id:pk>/answer/", incidents.answer, name="answer"),
    path("files/<id:pk>/", incidents.attachment, name="attachment"),
    path("time-limits/", limits.edit, name="limits"),
]
