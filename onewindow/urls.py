from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .api import api

# The busiest first (the API, the status page's QR links): the resolver tries the
# patterns in order.
urlpatterns = [
    path("api/v1/", api.urls),
    path("status/", include("onewindow.cases.public_urls")),
    path("rate/", include("onewindow.ratings.public_urls")),
    path("followup/", include("onewindow.followups.public_urls")),
    path("complaints/", include("onewindow.complaints.public_urls")),
    path("conduct/", include("onewindow.conduct.public_urls")),
    path("open311/v2/", include("onewindow.open311.urls")),
    path("floor/", include("onewindow.floor.urls")),
    path("floor-wait/", include("onewindow.floorstats.public_urls")),
    path("bulletins/", include("onewindow.bulletins.public_urls")),
    path("open-data/", include("onewindow.reports.public_urls")),
    path("", include("onewindow.portal.urls")),
    path("guide/", include("onewindow.catalogue.public_urls")),
    path("accounts/", include("onewindow.accounts.urls")),
    path("staff/halls/", include("onewindow.halls.urls")),
    path("staff/calendar/", include("onewindow.workdays.urls")),
    path("staff/audit/", include("onewindow.audit.urls")),
    path("staff/catalogue/", include("onewindow.catalogue.urls")),
    path("staff/cases/", include("onewindow.cases.urls")),
    path("staff/supervision/", include("onewindow.supervision.urls")),
    path("staff/ratings/", include("onewindow.ratings.urls")),
    path("staff/satisfaction/", include("onewindow.ratings.stats_urls")),
    path("staff/followups/", include("onewindow.followups.urls")),
    path("staff/complaints/", include("onewindow.complaints.urls")),
    path("staff/conduct/", include("onewindow.conduct.urls")),
    path("staff/reports/", include("onewindow.reports.urls")),
    path("staff/training/", include("onewindow.training.urls")),
    path("staff/floor-stats/", include("onewindow.floorstats.urls")),
    path("staff/insight/", include("onewindow.insight.urls")),
    path("staff/meetings/", include("onewindow.meetings.urls")),
    path("staff/bulletins/", include("onewindow.bulletins.urls")),
    path("staff/assessment/", include("onewindow.assessment.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler404 = "onewindow.core.http.page_not_found"
handler500 = "onewindow.core.faults.server_error"
