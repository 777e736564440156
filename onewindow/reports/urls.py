from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.monthly, name="monthly"),
    path("monthly/export/", views.export, name="export"),
    path("monthly/generate/", views.generate, name="generate"),
    path("monthly/submission/", views.submission, name="submission"),
    path("review/", views.review_queue, name="review"),
    path("review/decide/", views.decide, name="decide"),
    path("review/due-day/", views.due_setting, name="due_setting"),
]
