"""The WSGI handler: Django's, with fast routes for the busiest public answers.

The public status page (issue 4) is what every notice's QR code opens. Through Django's
full path, a lookup spends more of its time in the ten middleware and the URL resolver
than in finding and showing the case: the session, CSRF, authentication, messages and
inactivity middleware, and the walk through every URL pattern listed before it, do
nothing for a visitor who is not signed in.

A fast route (``settings.ONEWINDOW_FAST_ROUTES``) is a path pattern and a view that
answers such a visitor through the few middleware that do change that answer
(``settings.ONEWINDOW_FAST_ROUTE_MIDDLEWARE``: HTTPS redirect and security headers,
language, host check and length, framing), in the order of ``MIDDLEWARE``. The view
answers only what it can answer alone; for anything else (a visitor with a session or
messages, a wrong code, an error of any kind) it raises `NotFast`, and the request goes
the full way through Django as if there were no fast route. Only GET takes a route.

The answers must be the same either way: `onewindow.core.tests.test_handler` compares
status, headers and body of both paths, and pins which middleware may be left out.
Django's test client and live server use Django's own handler, so they always take the
full path.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

log = logging.getLogger("onewindow.handler")


class NotFast(Exception):
    """Raised by a fast route's view: this request takes the full path."""


def _chain(view, kwargs_attr: str):
    def innermost(request):
        return view(request, **getattr(request, kwargs_attr))

    handler = innermost
    for path in reversed(settings.ONEWINDOW_FAST_ROUTE_MIDDLEWARE):
        handler = import_string(path)(handler)
    return handler


class Handler(WSGIHandler):
    """Django's WSGI handler that tries the fast routes first (GET only)."""

    KWARGS = "fast_route_kwargs"

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)
        self.fast_routes = [
            (re.compile(pattern), _chain(import_string(view), self.KWARGS))
            for pattern, view in settings.ONEWINDOW_FAST_ROUTES
        ]

    def get_response(self, request):
        if request.method == "GET":
            path = request.path_info
            for pattern, chain in self.fast_routes:
                match = pattern.fullmatch(path)
                if match is None:
                    continue
                setattr(request, self.KWARGS, match.groupdict())
                try:
                    response = chain(request)
                except NotFast:
                    break
                except Exception:
                    # Django's full path answers it (and logs it, if it fails there too).
                    log.debug("fast route for %s failed; full path", path, exc_info=True)
                    break
                response._resource_closers.append(request.close)
                return response
        return super().get_response(request)


def get_wsgi_application() -> Handler:
    """What django.core.wsgi.get_wsgi_application does, with this handler."""
    import django

    django.setup(set_prefix=False)
    return Handler()
