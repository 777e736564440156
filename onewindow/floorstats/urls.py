from django.urls import path

from . import views

app_name = "floorstats"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("staffing/", views.staffing, name="staffing"),
]
