from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("counts/", views.desk_counts, name="desk_counts"),
    path("inbox/", views.inbox, name="inbox"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="alert_action"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:code>/", views.rule_edit, name="rule_edit"),
]
