"""API authentication: `Authorization: Bearer <token>` from `onewindow token create`."""

from django.utils import timezone
from ninja.security import HttpBearer

from . import access
from .models import ApiToken


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token:
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        # Touch last_used at most once a minute: a busy partner system must not turn every
        # request into a write.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        access.prime(row.user)
        request.user = row.user
        return row.user
