from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/items/", views.item_search, name="item_search"),
    path("queue/", views.queue, name="queue"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/do/<str:action>/", views.case_action, name="act"),
    path("<str:number>/numbers/", views.reveal_numbers, name="reveal_numbers"),
    path("<str:number>/documents/<str:kind>/", views.document, name="document"),
    path("<str:number>/attachments/", views.case_action, {"action": "attach"}, name="attach"),
    path("<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
