from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.register_view, name="register"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/do/<slug:action>/", views.act, name="act"),
    path("<str:number>/contact/", views.reveal, name="reveal"),
    path("<str:number>/letters/<slug:kind>/", views.letter, name="letter"),
]
