from django.urls import path

from . import views

app_name = "floor"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/<slug:action>/", views.console_action, name="act"),
    path("t/<str:token>/", views.ticket, name="ticket"),
    path("t/<str:token>/slip/", views.slip, name="slip"),
    path("<str:hall_code>/kiosk/", views.kiosk, name="kiosk"),
    path("<str:hall_code>/display/", views.display, name="display"),
    path("<str:hall_code>/display/live/", views.display_live, name="display_live"),
]
