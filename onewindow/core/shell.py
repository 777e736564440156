"""The page layout for anonymous visitors, rendered once per language and process.

The public status page (issue 4) is the busiest page of the platform, and rendering the
layout of `base.html` (navigation, language switch, footer) cost more than finding and
showing the case. For a visitor who is not signed in and has no session, that layout is
the same on every page except for three values: the title, the content and the address
to come back to after switching the language. It is rendered once per language with
marks in their places (it depends only on settings, which do not change while the process
runs) and the marks are replaced per request.

Such a page carries no CSRF token (the language switch is a GET: portal.views.
switch_language), so making it costs no token and sets no cookie. A public page that
posts a form (ratings, complaints) renders in full, with its token.

A signed-in user, or a visitor with a session or pending messages, gets the page
rendered in full as before (`anonymous_page` returns None).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TITLE = "OWSHELLTITLEb0d4"
CONTENT = "OWSHELLCONTENTb0d4"
NEXT = "OWSHELLNEXTb0d4"

_shells: dict[str, str] = {}
_lock = threading.Lock()


class _PathMark:
    """Stands in for the request where the layout shows the current address."""

    def get_full_path(self) -> str:
        return NEXT


def plain_visitor(request) -> bool:
    """Not signed in, no session, no pending messages: the layout is the shared one."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _shell(request, language: str) -> str:
    shell = _shells.get(language)
    if shell is None:
        shell = render_to_string(
            "core/shell.html",
            {
                "shell_title": TITLE,
                "shell_content": mark_safe(CONTENT),
                "csrf_token": "",  # none: see the module docstring
                "request": _PathMark(),
            },
            request=request,
        )
        for mark in (TITLE, CONTENT, NEXT):
            if mark not in shell:
                raise RuntimeError(f"core/shell.html: {mark} is missing from the layout")
        with _lock:
            _shells[language] = shell
    return shell


def anonymous_page(request, *, title: str, content: str, status: int = 200) -> HttpResponse | None:
    """The page with ``title`` (text) and ``content`` (HTML, escaped already) in the shared
    layout, or None when the visitor needs the layout rendered in full."""
    if not plain_visitor(request):
        return None
    html = (
        _shell(request, get_language() or settings.LANGUAGE_CODE)
        .replace(TITLE, escape(title))
        .replace(NEXT, escape(request.get_full_path()))
        .replace(CONTENT, content)
    )
    response = HttpResponse(html, status=status)
    # The layout depends on the session cookie (none: this one): said where the page is
    # made, whichever path the request took (core.handler).
    response.headers["Vary"] = "Cookie"
    return response
