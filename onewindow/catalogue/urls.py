from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("reviews/legal/", views.legal_queue, name="legal_queue"),
    path("reviews/fees/", views.fee_queue, name="fee_queue"),
    path("reviews/publish/", views.publish_queue, name="publish_queue"),
    path("statistics/", views.statistics, name="statistics"),
    path("exchange/", views.exchange, name="exchange"),
    path("exchange/export/", views.export, name="export"),
    path("items/<str:code>/", views.item_detail, name="detail"),
    path("items/<str:code>/edit/", views.draft_edit, name="edit"),
    path("items/<str:code>/new-draft/", views.new_draft, name="new_draft"),
    path("items/<str:code>/v<int:number>/submit/", views.version_submit, name="submit"),
    path("items/<str:code>/v<int:number>/review/", views.version_review, name="review"),
    path("items/<str:code>/v<int:number>/publish/", views.version_publish, name="publish"),
]
