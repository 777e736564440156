"""The one REST API, assembled from each app's `api.py` router (OpenAPI at /api/v1/openapi.json)."""

from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from onewindow.accounts.api import BearerAuth
from onewindow.cases.api import api_language
from onewindow.cases.api import router as cases_router
from onewindow.catalogue.api import router as catalogue_router
from onewindow.core.api_errors import body_not_json, invalid_request
from onewindow.supervision.api import router as supervision_router
from onewindow.workdays.api import router as workdays_router

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="Unified administrative service platform. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `onewindow token create USERNAME`).",
    urls_namespace="api",
    auth=[BearerAuth(), django_auth],
)
api.add_router("/calendar", workdays_router, tags=["calendar"])
api.add_router("/items", catalogue_router, tags=["catalogue"])
api.add_router("/", cases_router, tags=["cases"])
api.add_router("/alerts", supervision_router, tags=["supervision"])


@api.exception_handler(ValidationError)
def answer_invalid_request(request, exc: ValidationError):
    """A body, query or path that does not match the schema: 422 (as documented and as
    clients expect), in the shape and language of every other API error."""
    with translation.override(api_language(request)):
        return api.create_response(request, invalid_request(exc.errors), status=422)


@api.exception_handler(HttpError)
def answer_http_error(request, exc: HttpError):
    """ninja answers a body it cannot parse as JSON with a bare 400 (the JSON error is the
    cause): to a client that is the same mistake as a body of the wrong shape, so it gets the
    same 422. Other HTTP errors (401 and the like) keep ninja's answer."""
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        with translation.override(api_language(request)):
            return api.create_response(request, body_not_json(), status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
