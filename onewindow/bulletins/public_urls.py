from django.urls import path

from . import views

# Public pages (办事公开), no login.
app_name = "bulletins_public"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<uuid:key>/", views.public_detail, name="detail"),
    path("<uuid:key>/attachments/<int:pk>/", views.public_attachment, name="attachment"),
]
