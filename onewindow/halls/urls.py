from django.urls import path

from . import views

app_name = "halls"

urlpatterns = [
    path("", views.hall_list, name="list"),
    path("new/", views.hall_edit, name="create"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<str:code>/", views.department_edit, name="department_edit"),
    path("<str:code>/", views.hall_detail, name="detail"),
    path("<str:code>/edit/", views.hall_edit, name="edit"),
    path("<str:code>/windows/new/", views.window_edit, name="window_create"),
    path("<str:code>/windows/<int:number>/", views.window_edit, name="window_edit"),
]
