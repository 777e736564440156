"""Rate limits of the Open311 writes, counted in `PostAttempt` rows like the portal's
public writes (a table holds the limit across the web processes).

Two counters over a one-minute window: the POSTs of one partner key (a runaway partner
system cannot flood the complaint desk), and the POSTs from one client address that
carried no valid key (guessing keys does not pay). Past either, the POST is refused with
429 before anything else is read or written. Rows older than the window go as new ones
come.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import conf
from .models import PostAttempt

WINDOW = dt.timedelta(minutes=1)
K = PostAttempt.Kind


def _recent(bucket: str, kind: str, now: dt.datetime):
    return PostAttempt.objects.filter(bucket=bucket, kind=kind, at__gt=now - WINDOW)


def _note(bucket: str, kind: str, now: dt.datetime) -> None:
    PostAttempt.objects.filter(bucket=bucket, kind=kind, at__lte=now - WINDOW).delete()
    PostAttempt.objects.create(bucket=bucket, kind=kind, at=now)


def key_bucket(prefix: str) -> str:
    return f"key:{prefix}"


def address_bucket(address: str | None) -> str:
    return f"ip:{address or 'unknown'}"[:64]


def bad_keys_exceeded(address: str | None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    limit = conf.bad_keys_per_minute()
    return _recent(address_bucket(address), K.BAD_KEY, now)[:limit].count() >= limit


def note_bad_key(address: str | None, now: dt.datetime | None = None) -> None:
    _note(address_bucket(address), K.BAD_KEY, now or timezone.now())


def posts_exceeded(prefix: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    limit = conf.posts_per_minute()
    return _recent(key_bucket(prefix), K.POSTED, now)[:limit].count() >= limit


def note_post(prefix: str, now: dt.datetime | None = None) -> None:
    _note(key_bucket(prefix), K.POSTED, now or timezone.now())
