from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<str:username>/", views.staff_edit, name="staff_edit"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
