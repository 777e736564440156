"""The window evaluator tablet (评价器): how a tablet is paired to its window, and which
act it shows.

A hall manager makes a pairing link for a window (signed, valid 15 minutes) and opens it
on the tablet; the tablet keeps the window's id signed in a long-lived cookie, so it
needs no staff sign-in. The cookie is SameSite=Strict: a browser never sends it with a
request another site starts, which is what makes the tablet's POST safe without a CSRF
token. The signature means a tablet cannot claim another window, and the tablet rates only
acts done at its own window, while they are fresh.

The act shown is the newest service act at the window of the last `SHOW_FOR` that nobody
has rated, or an act the clerk asked to be rated again (`RatingRequest`) in that time;
whichever is newer. Both are read from the database on each poll (two small indexed
queries), so every web process sees the same.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone

from onewindow.cases.models import CaseEvent
from onewindow.halls.models import Window

from .models import RatingRequest
from .services import service_acts

COOKIE = "ow_tablet"
COOKIE_SALT = "onewindow.ratings.tablet"
PAIRING_SALT = "onewindow.ratings.pairing"
PAIRING_MAX_AGE = 15 * 60
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
#: How long an act stays on the tablet without a touch (the page resets itself then).
SHOW_FOR = dt.timedelta(seconds=60)
#: How long after the act (or the clerk's request) the tablet may still send its rating:
#: a bad rating's comment takes a while to write.
RATE_WITHIN = dt.timedelta(minutes=10)


def pairing_token(window: Window) -> str:
    return signing.dumps({"w": window.pk}, salt=PAIRING_SALT)


def window_for_pairing(token: str) -> Window | None:
    """The active window of a pairing link still valid, or None."""
    try:
        data = signing.loads(token, salt=PAIRING_SALT, max_age=PAIRING_MAX_AGE)
    except signing.BadSignature:
        return None
    return Window.objects.select_related("hall").filter(pk=data.get("w"), is_active=True).first()


def cookie_value(window_id: int) -> str:
    return signing.dumps({"w": int(window_id)}, salt=COOKIE_SALT)


def pair(response, window: Window) -> None:
    """Give the tablet that receives ``response`` its window."""
    response.set_cookie(
        COOKIE,
        cookie_value(window.pk),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict",
    )


def paired_window_id(request) -> int | None:
    """The window this tablet is paired to, from its signed cookie; None if it is not."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT)
    except signing.BadSignature:
        return None
    window_id = data.get("w") if isinstance(data, dict) else None
    return window_id if isinstance(window_id, int) else None


def current_act(
    window_id: int, now: dt.datetime | None = None, *, skip: int | None = None
) -> CaseEvent | None:
    """The act the tablet of this window shows now (with its case and the staff member
    who served), or None; never ``skip``, the act the citizen just left."""
    now = now or timezone.now()
    since = now - SHOW_FOR
    fresh = (
        service_acts()
        .filter(window_id=window_id, at__gte=since, at__lte=now, rating__isnull=True)
        .order_by("-at", "-seq")
        .values_list("pk", "at")
        .first()
    )
    asked = (
        RatingRequest.objects.filter(window_id=window_id, at__gte=since, event__rating__isnull=True)
        .order_by("-at", "-pk")
        .values_list("event_id", "at")
        .first()
    )
    candidates = [c for c in (fresh, asked) if c is not None and c[0] != skip]
    if not candidates:
        return None
    event_id = max(candidates, key=lambda c: c[1])[0]
    return (
        CaseEvent.objects.select_related("case", "actor", "actor__staff_card", "window")
        .filter(pk=event_id)
        .first()
    )


def may_rate_here(event: CaseEvent, window_id: int, now: dt.datetime | None = None) -> bool:
    """Whether the tablet of ``window_id`` may rate this act: done at this window, and
    shown there lately (just done, or asked for again by the clerk)."""
    if event.window_id != window_id:
        return False
    now = now or timezone.now()
    if now - RATE_WITHIN <= event.at <= now:
        return True
    return RatingRequest.objects.filter(
        event_id=event.pk, window_id=window_id, at__gte=now - RATE_WITHIN
    ).exists()
