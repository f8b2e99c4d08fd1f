"""The register of outgoing documents (readiness.views.documents).
Included by config.urls under documents/."""

from django.urls import path

from readiness.views import documents as views

app_name = "documents"
urlpatterns = [
    path("", views.document_register, name="document_register"),
    path("new/", views.document_create, name="document_create"),
    path("<id:pk>/", views.document_detail, name="document_detail"),
    path("<id:pk>/preview.pdf", views.document_preview, name="document_preview"),
    path("<id:pk>/issue/", views.document_issue, name="document_issue"),
    path("<id:pk>/correct/", views.document_correct, name="document_correct"),
    path("<id:pk>/delete/", views.document_discard, name="document_discard"),
    path("<id:pk>/document.docx", views.document_docx, name="document_docx"),
    path("<id:pk>/document.pdf", views.document_pdf, name="document_pdf"),
]
