from django.urls import path

from . import public_views

app_name = "ratings_public"

urlpatterns = [
    path("window/", public_views.evaluator, name="window"),
    path("window/act/", public_views.evaluator_act, name="window_act"),
    path("pair/<str:token>/", public_views.pair, name="pair"),
    path("case/<str:number>/", public_views.case_acts, name="case"),
    path("<str:token>/", public_views.by_token, name="token"),
]
