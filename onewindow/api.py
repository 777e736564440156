"""The one REST API, assembled from each app's `api.py` router (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI
from ninja.security import django_auth

from onewindow.accounts.api import BearerAuth
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
