"""API authentication: `Authorization: Bearer <token>` from `onewindow token create`."""

from functools import cache

from django.db import connection
from django.utils import timezone
from ninja.security import HttpBearer

from onewindow.core import rawsql

from . import access
from .models import ApiToken, User

_TOKEN = ("id", "last_used_at")


@cache
def _token_sql(vendor: str) -> tuple[str, rawsql.Rows]:
    """The token and its user in one hand-written query (every API request runs it; the
    ORM spent ten times the database's time composing it and building the two rows)."""
    rows = rawsql.Rows((ApiToken, _TOKEN), (User, rawsql.attnames(User)))
    sql = (
        f"SELECT {rawsql.select_list(ApiToken, 't', _TOKEN)}, {rawsql.select_list(User, 'u')}"
        f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )
    return sql, rows


def token_user(token: str) -> User | None:
    """The active user of a live (not revoked) token, or None. Touches the token's
    last use at most once a minute: a busy partner system must not turn every request
    into a write."""
    sql, rows = _token_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ApiToken.hash_key(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    api_token, user = rows.split(row)
    if not user.is_active:
        return None
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
