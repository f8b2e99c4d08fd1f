from django.urls import path

from incidents.views import incidents, limits

app_name = "incidents"
urlpatterns = [
    path("", incidents.index, name="index"),
    path("new/", incidents.report, name="report"),
    path("<int:pk>/", incidents.detail, name="detail"),
    path("<int:pk>/update/", incidents.update, name="update"),
    path("<int:pk>/acknowledge/", incidents.acknowledge, name="acknowledge"),
    path("<int:pk>/answer/", incidents.answer, name="answer"),
    path("files/<int:pk>/", incidents.attachment, name="attachment"),
    path("time-limits/", limits.edit, name="limits"),
]
