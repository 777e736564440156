"""办事公开: the published monthly figures, open to anyone (no sign-in)."""

from django.urls import path

from . import views

app_name = "reports_public"

urlpatterns = [
    path("", views.open_data, name="open_data"),
]
