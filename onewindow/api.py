"""The one REST API, assembled from each app's `api.py` router (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI
from ninja.security import django_auth

from onewindow.accounts.api import BearerAuth
from onewindow.cases.api import router as cases_router
from onewindow.catalogue.api import router as catalogue_router
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
