from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.switch_language, name="switch_language"),
    path("figures/", views.figures, name="figures"),
]
