"""Faults of the machine rather than of the request: the database cannot be reached, or the
disk is full. The visitor gets a plain page in their language (or, under /api/, the API's
one error format) with status 503 and no traceback; the fault goes to the log.

`ServiceUnavailableMiddleware` answers them for every view; onewindow/api.py hands the
API's own exceptions of these kinds to `unavailable_answer` too (ninja would otherwise
answer them itself when DEBUG is on).
"""

from __future__ import annotations

import errno
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .api_errors import error

log = logging.getLogger("onewindow.faults")

DATABASE = "database_unavailable"
DISK_FULL = "disk_full"
# How long a client should wait before trying again (seconds): a database restart, a
# failover or an operator freeing space takes about this long.
RETRY_AFTER = 30

# How the engines name a full disk: PostgreSQL's SQLSTATE 53100 (disk_full) and SQLite's
# result code SQLITE_FULL ("database or disk is full"), both carried by the driver's
# exception that Django's OperationalError wraps.
_PG_DISK_FULL = "53100"
_SQLITE_FULL = "SQLITE_FULL"


def fault_kind(exc: BaseException) -> str | None:
    """DISK_FULL, DATABASE, or None for any other exception (which stays a 500)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DISK_FULL
    if isinstance(exc, (OperationalError, InterfaceError)):
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == _PG_DISK_FULL:
            return DISK_FULL
        if getattr(cause, "sqlite_errorname", None) == _SQLITE_FULL:
            return DISK_FULL
        return DATABASE
    return None


def _message(kind: str) -> tuple[str, str]:
    """(title, explanation) of the fault, in the active language."""
    if kind == DISK_FULL:
        return (
            _("The server's storage is full"),
            _(
                "The platform could not save this request because the server has no space "
                "left. What you sent may not have been saved: check it once the service is "
                "back. Please tell the hall's IT support, with the time it happened."
            ),
        )
    return (
        _("The database cannot be reached"),
        _(
            "The platform lost its connection to the database and could not complete this "
            "request. What you sent may not have been saved: try again in a minute and check "
            "it. If it keeps happening, tell the hall's IT support the time it happened."
        ),
    )


def unavailable_answer(request, exc: BaseException) -> HttpResponse | None:
    """The 503 answer for a fault of `fault_kind`, logged with its traceback; None when
    the exception is of another kind."""
    kind = fault_kind(exc)
    if kind is None:
        return None
    log.error(
        "%s: %s %s: %s",
        kind,
        request.method,
        request.path,
        exc,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    title, explanation = _message(kind)
    if request.path.startswith("/api/"):
        response = JsonResponse(error(503, explanation, code=kind), status=503)
    else:
        # Rendered without the request's context processors: they may read the database,
        # which is the thing that failed.
        page = render_to_string(
            "503.html", {"title": title, "explanation": explanation, "kind": kind}
        )
        response = HttpResponse(page, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


class ServiceUnavailableMiddleware:
    """Answer a lost database connection or a full disk with a translated 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable_answer(request, exception)


def server_error(request):
    """handler500: a fault raised outside a view (a middleware reading the session when
    the database is gone, the session saved on the way out) reaches Django's 500 handler,
    not `process_exception`; it gets the same 503 answer. Django calls this handler while
    it handles the exception, so `sys.exc_info()` holds that exception. Any other fault gets
    Django's stock 500 page (our 500.html)."""
    import sys

    from django.views.defaults import server_error as django_server_error

    exc = sys.exc_info()[1]
    answer = unavailable_answer(request, exc) if exc is not None else None
    return answer or django_server_error(request)
