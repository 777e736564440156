from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .api import api

# The busiest first (the API, the status page's QR links): the resolver tries the
# patterns in order.
urlpatterns = [
    path("api/v1/", api.urls),
    path("status/", include("onewindow.cases.public_urls")),
    path("", include("onewindow.portal.urls")),
    path("guide/", include("onewindow.catalogue.public_urls")),
    path("accounts/", include("onewindow.accounts.urls")),
    path("staff/halls/", include("onewindow.halls.urls")),
    path("staff/calendar/", include("onewindow.workdays.urls")),
    path("staff/audit/", include("onewindow.audit.urls")),
    path("staff/catalogue/", include("onewindow.catalogue.urls")),
    path("staff/cases/", include("onewindow.cases.urls")),
    path("staff/supervision/", include("onewindow.supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler404 = "onewindow.core.http.page_not_found"
handler500 = "onewindow.core.faults.server_error"
