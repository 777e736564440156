from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.monthly, name="monthly"),
    path("monthly/export/", views.export, name="export"),
    path("monthly/generate/", views.generate, name="generate"),
]
