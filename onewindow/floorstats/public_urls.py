from django.urls import path

from . import views

# Public pages (办事公开), no login.
app_name = "floorstats_public"

urlpatterns = [
    path("", views.live_wait, name="live_wait"),
]
