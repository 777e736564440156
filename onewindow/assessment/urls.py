from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("export/", views.export, name="export"),
    path("scheme/", views.scheme, name="scheme"),
    path("scheme/new/", views.create_scheme, name="create_scheme"),
    path("lock/", views.lock, name="lock"),
    path("halls/<str:code>/", views.hall, name="hall"),
    path("halls/<str:code>/adjust/", views.adjust, name="adjust"),
    path("halls/<str:code>/inspections/", views.inspect, name="inspect"),
    path("findings/<int:pk>/<slug:action>/", views.finding_action, name="finding"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
