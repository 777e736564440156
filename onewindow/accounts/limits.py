"""Sign-in limits kept in Django's cache, for what has no account row to count on.

Two of them: failed attempts from one client address (whatever the names tried), and
failed attempts with a name that is no account. The second makes an unknown name behave
as an account does (locked after LOGIN_MAX_FAILURES failures, for LOGIN_LOCKOUT_MINUTES),
so that the answer "locked" does not tell a guesser that the name exists.

A limit is a counter that lives for its window from the first failure, and a lock that
lives for the lockout. Keys hold a hash of the address or name, not the value itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Limit:
    kind: str
    max_failures: int
    window_seconds: int
    lockout_seconds: int


def address_limit() -> Limit:
    return Limit(
        "address",
        settings.LOGIN_ADDRESS_MAX_FAILURES,
        settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60,
        settings.LOGIN_ADDRESS_LOCKOUT_MINUTES * 60,
    )


def unknown_name_limit() -> Limit:
    # An account's failures count until it signs in or is locked; a day is long enough
    # for a name nobody has to seem the same.
    return Limit(
        "name", settings.LOGIN_MAX_FAILURES, 24 * 3600, settings.LOGIN_LOCKOUT_MINUTES * 60
    )


def _cache():
    return caches[settings.LOGIN_LIMIT_CACHE]


def _key(limit: Limit, what: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ow:signin:{limit.kind}:{what}:{digest}"


def is_locked(limit: Limit, value: str | None) -> bool:
    if not value:
        return False
    return _cache().get(_key(limit, "locked", value)) is not None


def note_failure(limit: Limit, value: str | None) -> bool:
    """Count one failure for ``value``; True when it now locks ``value``."""
    if not value:
        return False
    cache = _cache()
    counter = _key(limit, "failures", value)
    cache.add(counter, 0, timeout=limit.window_seconds)
    try:
        failures = cache.incr(counter)
    except ValueError:  # the window ended between add and incr
        cache.set(counter, 1, timeout=limit.window_seconds)
        failures = 1
    if failures < limit.max_failures:
        return False
    cache.set(_key(limit, "locked", value), True, timeout=limit.lockout_seconds)
    cache.delete(counter)
    return True
