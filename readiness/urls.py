from django.urls import path

from readiness import views

app_name = "readiness"
urlpatterns = [
    path("directives/<int:pk>/", views.directive_detail, name="directive_detail"),
]
