from django.urls import path

from . import public_views

app_name = "guide"

urlpatterns = [
    path("", public_views.guide_index, name="index"),
    path("fees/", public_views.fee_list, name="fees"),
    path("items/<str:code>/", public_views.guide_detail, name="detail"),
]
