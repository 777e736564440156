"""The site's URLs with a stand-in case page `cases:detail` (kwarg `number`)."""

from django.http import HttpResponse
from django.urls import include, path

from .urls_without_case_page import urlpatterns as without_cases


def _case_page(request, number):
    return HttpResponse(number)


urlpatterns = [
    *without_cases,
    path("staff/cases/", include(([path("<str:number>/", _case_page, name="detail")], "cases"))),
]
