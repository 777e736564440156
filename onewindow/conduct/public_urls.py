from django.urls import path

from . import views

# The code of conduct is public (办事公开): the portal links here.
app_name = "conduct_public"

urlpatterns = [
    path("", views.code, name="code"),
]
