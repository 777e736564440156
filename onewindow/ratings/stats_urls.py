from django.urls import path

from . import stats_views as views

app_name = "satisfaction"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("halls/<str:code>/", views.hall_detail, name="hall"),
    path("halls/<str:code>/windows/<int:number>/", views.window_detail, name="window"),
    path("halls/<str:code>/staff/<str:username>/", views.staff_detail, name="staff"),
]
