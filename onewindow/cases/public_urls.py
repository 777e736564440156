from django.urls import path

from . import public_views

app_name = "status"

urlpatterns = [
    path("", public_views.lookup, name="lookup"),
    path("<str:number>/", public_views.status, name="detail"),
]
