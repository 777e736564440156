from django.urls import path

from . import views

app_name = "followups_public"

urlpatterns = [
    path("<slug:token>/", views.public, name="detail"),
]
