"""The readiness app's endpoints under /api/v1/ (config/urls_api.py)."""

from django.urls import path

from readiness.api import ObligationDetailView, ObligationListView

urlpatterns = [
    path("obligations/", ObligationListView.as_view(), name="obligations"),
    # A code with a slash matches no route: handler404 answers it in the
    # error shape (contacts.api.errors.page_not_found).
    path(
        "obligations/<str:code>/",
        ObligationDetailView.as_view(),
        name="obligation",
    ),
]
