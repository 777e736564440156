from django.urls import path  # noqa: F401

# Public pages (办事公开), no login.
app_name = "floorstats_public"

urlpatterns: list = []
