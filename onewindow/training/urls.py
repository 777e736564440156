from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("new/", views.session_edit, name="session_new"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("hours/", views.hours, name="hours"),
    path("unqualified/", views.unqualified, name="unqualified"),
    path("rule/", views.rule, name="rule"),
]
