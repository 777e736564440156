from django.urls import path

from . import views

app_name = "conduct"

urlpatterns = [
    path("code/", views.code, name="code"),
    path("code/new/", views.clause_edit, name="clause_new"),
    path("code/<str:clause>/", views.clause_edit, name="clause_edit"),
    path("observers/", views.observers, name="observers"),
    path("observers/new/", views.observer_edit, name="observer_new"),
    path("observers/<str:observer>/", views.observer_edit, name="observer_edit"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/<slug:action>/", views.finding_action, name="finding_action"),
    path("my-file/", views.my_file, name="my_file"),
    path("files/<str:username>/", views.conduct_file, name="file"),
]
