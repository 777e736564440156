from django.urls import path

from . import public_views

app_name = "complaints_public"

urlpatterns = [
    path("", public_views.register, name="register"),
    path("track/", public_views.track, name="track"),
    path("track/reopen/", public_views.reopen, name="reopen"),
    path("letters/<slug:kind>/", public_views.letter, name="letter"),
]
