"""Small helpers shared by views: role checks that answer 403 with a translated page, the
address of the client behind the trusted proxies."""

import ipaddress
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def permission_required(perm: str):
    """Like Django's, but signed-in users without the permission get 403, never a login loop."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page_not_found(request, exception):
    """Django's 404 page, except under /api/, where a client reads JSON: there the API's
    error format (an API path that matches no operation, e.g. a case number with a slash)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from .api_errors import not_found

        return JsonResponse(not_found(), status=404)
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address of the client that sent ``request``, as the rate limits and the audit
    log know it.

    Behind ``settings.ONEWINDOW_TRUSTED_PROXIES`` proxies, each appends to
    ``X-Forwarded-For`` the address the request came to it from, so the N-th address from
    the right is the one the outermost of them saw; whatever stands further left was
    written by the client itself and decides nothing. With no trusted proxy (the default)
    the header is ignored and the address is ``REMOTE_ADDR``: a header any client can send
    must not choose its rate-limit bucket nor what the audit log records. An entry that
    is not an address (a misconfigured proxy) counts as none: then ``REMOTE_ADDR``.
    """
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    trusted = settings.ONEWINDOW_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [
        part
        for header in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if (part := header.strip())
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request came in past the outer ones, and every
    # entry there is was written by a trusted proxy; the leftmost is the client.
    chosen = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _address(chosen) or remote
