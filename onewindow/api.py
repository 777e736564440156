"""The one REST API, assembled from each app's `api.py` router (OpenAPI at /api/v1/openapi.json)."""

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from onewindow.accounts.api import BearerAuth
from onewindow.cases.api import api_language
from onewindow.cases.api import router as cases_router
from onewindow.catalogue.api import router as catalogue_router
from onewindow.core.api_errors import (
    BodyRefused,
    JsonParser,
    body_not_json,
    body_too_large,
    error,
    invalid_request,
    not_found,
    unauthorized,
)
from onewindow.core.faults import unavailable_answer
from onewindow.floor.api import router as floor_router
from onewindow.floorstats.api import router as floorstats_router
from onewindow.reports.api import router as reports_router
from onewindow.supervision.api import router as supervision_router
from onewindow.workdays.api import router as workdays_router

api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="Unified administrative service platform. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `onewindow token create USERNAME`).",
    urls_namespace="api",
    auth=[BearerAuth(), django_auth],
    parser=JsonParser(),
)
api.add_router("/calendar", workdays_router, tags=["calendar"])
api.add_router("/items", catalogue_router, tags=["catalogue"])
api.add_router("/", cases_router, tags=["cases"])
api.add_router("/alerts", supervision_router, tags=["supervision"])
api.add_router("/floor", floor_router, tags=["floor"])
api.add_router("/floorstats", floorstats_router, tags=["floor statistics"])
api.add_router("/stats", reports_router, tags=["open data"])


@api.exception_handler(ValidationError)
def answer_invalid_request(request, exc: ValidationError):
    """A body, query or path that does not match the schema: 422 (as documented and as
    clients expect), in the shape and language of every other API error."""
    with translation.override(api_language(request)):
        return api.create_response(request, invalid_request(exc.errors), status=422)


@api.exception_handler(BodyRefused)
def answer_refused_body(request, exc: BodyRefused):
    """A body too large, not JSON, too deep, or text with a NUL (core.api_errors.JsonParser)."""
    with translation.override(api_language(request)):
        return api.create_response(request, exc.answer(), status=exc.status)


@api.exception_handler(RequestDataTooBig)
def answer_body_too_big(request, exc: RequestDataTooBig):
    """A body beyond Django's DATA_UPLOAD_MAX_MEMORY_SIZE, refused before it is read."""
    with translation.override(api_language(request)):
        return api.create_response(request, body_too_large(), status=413)


@api.exception_handler(AuthenticationError)
def answer_unauthenticated(request, exc: AuthenticationError):
    with translation.override(api_language(request)):
        return api.create_response(request, unauthorized(), status=401)


@api.exception_handler(Http404)
def answer_not_found(request, exc: Http404):
    with translation.override(api_language(request)):
        return api.create_response(request, not_found(), status=404)


@api.exception_handler(HttpError)
def answer_http_error(request, exc: HttpError):
    """ninja answers a body it cannot parse with a bare 400 (the parser's refusal is the
    cause): a body the parser refused gets its own answer, and any other cause (a body
    that is not JSON) is the same mistake as a body of the wrong shape, so the same 422.
    Other HTTP errors get the one error format with their message."""
    with translation.override(api_language(request)):
        if exc.status_code == 400 and isinstance(exc.__cause__, BodyRefused):
            refused = exc.__cause__
            return api.create_response(request, refused.answer(), status=refused.status)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            return api.create_response(request, body_not_json(), status=422)
    return api.create_response(request, error(exc.status_code, str(exc)), status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
@api.exception_handler(OSError)
def answer_unavailable(request, exc: Exception):
    """A lost database connection or a full disk: 503 in the one error format
    (core/faults.py), also when DEBUG is on, where ninja would send a traceback. Any other
    exception goes on to Django's handler, as without this handler."""
    with translation.override(api_language(request)):
        answer = unavailable_answer(request, exc)
    if answer is None:
        raise exc
    return answer
