"""The contacts app's endpoints under /api/v1/ (config/urls_api.py)."""

from django.urls import path

from contacts.api.directory import DirectoryView

urlpatterns = [
    path("directory/", DirectoryView.as_view(), name="directory"),
]
