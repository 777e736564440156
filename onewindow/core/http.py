"""Small helpers shared by views: role checks that answer 403 with a translated page."""

from functools import wraps

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
