from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_edit, name="new"),
    path("from-report/", views.from_report, name="from_report"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", views.bulletin_edit, name="edit"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/acknowledge/", views.bulletin_acknowledge, name="acknowledge"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
