"""API authentication: `Authorization: Bearer <token>` from `onewindow token create`."""

from django.utils import timezone
from ninja.security import HttpBearer

from . import access
from .models import ApiToken, User


def token_user(token: str) -> User | None:
    """The active user of a live (not revoked) token, or None. Touches the token's
    last use at most once a minute: a busy partner system must not turn every request
    into a write."""
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(token), revoked_at=None)
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    user = api_token.user
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    access.prime(user)
    return user


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token:
            return None
        user = token_user(token)
        if user is not None:
            request.user = user
        return user
