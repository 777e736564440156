from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("tablets/", views.tablets, name="tablets"),
    path("ask/<str:number>/", views.ask, name="ask"),
]
