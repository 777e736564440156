from django.urls import path

from . import views

app_name = "workdays"

urlpatterns = [
    path("", views.year_list, name="years"),
    path("import/", views.year_import, name="import"),
    path("<int:year>/", views.year_detail, name="year"),
]
