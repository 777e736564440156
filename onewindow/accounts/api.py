"""API authentication: `Authorization: Bearer <token>` from `onewindow token create`."""

from django.utils import timezone
from ninja.security import HttpBearer

from . import access
from .models import ApiToken, User


def token_user(token: str) -> User | None:
    """The owner of a live token (neither revoked nor expired), or None (401), also when
    the owner is inactive or locked out: a token acts with its owner's rights, so it
    stops while they are suspended. Touches the token's last use at most once a minute:
    a busy partner system must not turn every request into a write."""
    now = timezone.now()
    api_token = (
        ApiToken.objects.live(now)
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(token))
        .first()
    )
    if api_token is None:
        return None
    user = api_token.user
    if not user.is_active or user.is_locked(now):
        return None
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
