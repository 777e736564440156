from django.urls import path

from . import booking_views, views

app_name = "floor"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/<slug:action>/", views.console_action, name="act"),
    path("appointments/", booking_views.book, name="book"),
    path("appointments/find/", booking_views.find, name="find"),
    path("appointments/<str:token>/", booking_views.appointment, name="appointment"),
    path("appointments/<str:token>/cancel/", booking_views.cancel, name="cancel"),
    path("kiosks/", booking_views.kiosk_devices, name="kiosks"),
    path("kiosks/<int:pk>/revoke/", booking_views.kiosk_revoke, name="kiosk_revoke"),
    path("kiosks/pair/<str:token>/", booking_views.kiosk_pair, name="kiosk_pair"),
    path("t/<str:token>/", views.ticket, name="ticket"),
    path("t/<str:token>/slip/", views.slip, name="slip"),
    path("<str:hall_code>/kiosk/", views.kiosk, name="kiosk"),
    path("<str:hall_code>/kiosk/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("<str:hall_code>/display/", views.display, name="display"),
    path("<str:hall_code>/display/live/", views.display_live, name="display_live"),
]
