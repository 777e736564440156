"""GeoReport v2 at /open311/v2/: each resource in the spec's two formats."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    """The format suffix of a resource: ``json`` or ``xml``."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CodeConverter:
    """A service code, request number or token: no dot, no slash."""

    regex = "[^/.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "o311fmt")
register_converter(CodeConverter, "o311id")

app_name = "open311"

urlpatterns = [
    path("services.<o311fmt:fmt>", views.service_list, name="services"),
    path("services/<o311id:code>.<o311fmt:fmt>", views.service_definition, name="service"),
    path("requests.<o311fmt:fmt>", views.requests, name="requests"),
    path("requests/<o311id:number>.<o311fmt:fmt>", views.request_detail, name="request"),
    path("tokens/<o311id:token>.<o311fmt:fmt>", views.token_detail, name="token"),
]
