"""The WSGI handler: Django's, with fast routes for the busiest answers.

The public status page and the API's window intake (issue 4) are the busiest requests of
the platform. Through Django's full path they spent a large part of their time in the
ten middleware and the URL resolver, most of which do nothing for them: the session,
CSRF, authentication, messages and inactivity middleware serve signed-in staff in the
browser.

A fast route (``settings.ONEWINDOW_FAST_ROUTES``) takes requests that carry no session
and no messages cookie, so that those middleware have nothing to do (the visitor is
anonymous: ``request.user`` is set to AnonymousUser, as the authentication middleware
would find), through the middleware that do change their answers
(``settings.ONEWINDOW_FAST_ROUTE_MIDDLEWARE``: HTTPS redirect and security headers,
language, host check and length, framing), built the way Django builds its chain.
A route is a path pattern, its methods and its view: a view of its own, called with the
pattern's named groups, or (None) the view the URL configuration resolves (called as
Django calls it: atomic requests, response check, template responses rendered; never an
async view), which must be CSRF-exempt for any method but GET (the API's are: ninja
checks CSRF itself, for session authentication only, and a request with a session never
takes a fast route). A page that puts a CSRF token in a form (the API's docs) is left
out of the routes: its token would match no cookie.

A view of its own answers only what it can answer alone; for anything else it raises
`NotFast` and the request goes the full way through Django, as if there were no route.
Errors are answered as Django answers them (`convert_exception_to_response`).

The answers must be the same either way: the tests (cases/tests/test_fast_route.py)
compare status, headers and body of both paths, and pin the middleware left out.
Django's test client and live server use Django's own handler: they take the full path.
"""

from __future__ import annotations

import re
from inspect import iscoroutinefunction
from math import exp
from time import perf_counter

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.urls import get_resolver
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string


class NotFast(Exception):
    """Raised by a fast route's own view: this request takes the full path."""


class _NotFastResponse(HttpResponse):
    """What the chain gives back for a `NotFast` (the middleware pass it along)."""


class VaryOnCookie:
    """In a fast route's chain where the session middleware is in the full one: whether a
    request takes a fast route depends on its cookies, so a view's answer says so (in the
    full path, the authentication or inactivity middleware has looked at the session
    before any view runs, and the session middleware says it). An answer of a middleware
    in front of the view (a bad host) does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "fast_route_view_ran", False):
            patch_vary_headers(response, ("Cookie",))
        return response


def _chain(inner):
    """``inner`` behind the fast-route middleware, built as Django builds its chain (each
    layer wrapped by ``convert_exception_to_response``). The middleware may not hook the
    view, its exceptions or template responses: the fast chain has no such stage."""
    handler = convert_exception_to_response(inner)
    for path in reversed(settings.ONEWINDOW_FAST_ROUTE_MIDDLEWARE):
        middleware = import_string(path)
        hooks = {"process_view", "process_exception", "process_template_response"}
        if hooks & set(dir(middleware)):
            raise ImproperlyConfigured(f"{path} has view hooks: it cannot be a fast middleware")
        try:
            instance = middleware(handler)
        except MiddlewareNotUsed:
            continue
        handler = convert_exception_to_response(instance)
    return handler


def _call_route_view(request):
    view, kwargs = request.fast_route
    request.fast_route_view_ran = True
    try:
        return view(request, **kwargs)
    except NotFast:
        return _NotFastResponse()


class ConnectionSpreader:
    """Asks a client now and then to open a new connection while this web process is
    saturated, so that keep-alive connections spread over the processes.

    Granian gives each connection to one web process for its whole life, and the
    processes take new connections unevenly (on the bench machine 50 clients that
    connected one after another were split 25/25, 20/30, 17/33 and once 50/0 between two
    processes). With one thread per process (SQLite), a process that holds more of the
    connections queues their requests while the other one idles: window intake paced at
    200 cases/s had a p95 of 31 ms split 25/25, 88 ms split 20/30 and 235 ms split 19/31.

    The process measures how busy it is: the time spent in requests over the time passed,
    a moving average over about ``WINDOW`` seconds. While that share is at least
    ``threshold`` (a process with a queue hands over the next request in tens of
    microseconds, so it is then busy nearly all the time), every ``every``-th answer
    carries ``Connection: close``: that client connects again, and the new connection
    goes to whichever process takes it. A process with idle moments keeps its
    connections, so connections drift from a saturated process to one that is not
    (nginx's ``keepalive_requests`` and Apache's ``MaxKeepAliveRequests`` close
    connections after a fixed count, whatever the load). When every process is saturated
    they all shed a few: one new connection per ``every`` requests costs a client a TCP
    handshake.

    For one thread per process only (`serve` turns it on then, see
    ``settings.ONEWINDOW_SPREAD_CONNECTIONS``): with several threads, time in requests
    overlaps. Not under runserver either: wsgiref refuses a hop-by-hop header from an
    application (PEP 3333); granian passes it to its HTTP layer, which closes the
    connection after the answer."""

    WINDOW = 1.0  # seconds
    HISTORY = 0.25  # seconds measured before the first answer may close its connection

    def __init__(self, *, threshold: float = 0.9, every: int = 16):
        self.threshold, self.every = threshold, every
        self.busy = self.elapsed = 0.0
        self.last_end = None
        self.count = 0

    @property
    def share(self) -> float:
        return self.busy / self.elapsed if self.elapsed else 0.0

    def ended(self, start: float, end: float) -> bool:
        """A request ran from ``start`` to ``end``: True when its answer should close
        its connection."""
        service = end - start
        idle = start - self.last_end if self.last_end is not None else 0.0
        self.last_end = end
        keep = exp(-(idle + service) / self.WINDOW)
        self.busy = self.busy * keep + service
        self.elapsed = self.elapsed * keep + idle + service
        if self.elapsed < self.HISTORY or self.busy < self.threshold * self.elapsed:
            return False
        self.count += 1
        return self.count % self.every == 0


class Handler(WSGIHandler):
    """Django's WSGI handler that tries the fast routes first."""

    def load_middleware(self, is_async=False):
        from django.contrib.auth.models import AnonymousUser  # needs the apps loaded

        super().load_middleware(is_async)
        self._anonymous = AnonymousUser
        self.fast_routes = [
            (re.compile(pattern), frozenset(methods), import_string(view) if view else None)
            for pattern, methods, view in settings.ONEWINDOW_FAST_ROUTES
        ]
        self._route_chain = _chain(_call_route_view)
        self._resolved_chain = _chain(self._call_resolved_view)
        self._no_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        # BaseHandler.get_response calls this chain (and does the rest around it: the
        # URLconf, closing, logging answers of 400 and above): the fast routes first.
        self.full_chain = self._middleware_chain
        self._middleware_chain = self._fast_or_full
        self.spreader = ConnectionSpreader() if settings.ONEWINDOW_SPREAD_CONNECTIONS else None

    def get_response(self, request):
        spreader = self.spreader
        if spreader is None:
            return super().get_response(request)
        start = perf_counter()
        response = super().get_response(request)
        if spreader.ended(start, perf_counter()):
            response["Connection"] = "close"
        return response

    def _call_resolved_view(self, request):
        """The resolved view as BaseHandler._get_response calls it (without the view
        middleware: the fast ones have none)."""
        match = request.resolver_match
        request.fast_route_view_ran = True
        view = self.make_view_atomic(match.func)
        response = view(request, *match.args, **match.kwargs)
        self.check_response(response, match.func)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response

    def _fast_or_full(self, request):
        response = self._fast_response(request)
        return self.full_chain(request) if response is None else response

    def _fast_response(self, request) -> HttpResponse | None:
        path = request.path_info
        for pattern, methods, view in self.fast_routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if request.method not in methods:
                return None
            if "HTTP_COOKIE" in request.META and any(
                name in request.COOKIES for name in self._no_cookies
            ):
                return None
            if view is None:
                try:
                    resolved = get_resolver().resolve(path)
                except Exception:  # Resolver404 and the like: the full path answers them
                    return None
                func = resolved.func
                if iscoroutinefunction(func) or (
                    request.method != "GET" and not getattr(func, "csrf_exempt", False)
                ):
                    return None
                request.resolver_match = resolved
                chain = self._resolved_chain
            else:
                request.fast_route = (view, match.groupdict())
                chain = self._route_chain
            request.user = self._anonymous()
            response = chain(request)
            return None if isinstance(response, _NotFastResponse) else response
        return None


def get_wsgi_application() -> Handler:
    """What django.core.wsgi.get_wsgi_application does, with this handler."""
    import django

    django.setup(set_prefix=False)
    return Handler()
