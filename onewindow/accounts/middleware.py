"""Session expiry after inactivity."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SESSION_KEY = "ow_last_seen"


class InactivityTimeoutMiddleware:
    """Sign a staff member out after SESSION_IDLE_MINUTES without a request.

    Window PCs are shared and stay on all day; an unattended session must not stay open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
            else:
                # Write at most once a minute so that every page view is not a session write.
                if last is None or now - last > 60:
                    request.session[SESSION_KEY] = now
        return self.get_response(request)
