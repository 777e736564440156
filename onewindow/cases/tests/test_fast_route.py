"""The status page's fast route (core.handler): the same answers as Django's full path.

The test client and the live server use Django's own handler; these tests call the WSGI
handler that `onewindow serve` runs, and Django's, with the same requests."""

import io
import json
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from onewindow.accounts.models import ApiToken
from onewindow.cases import services
from onewindow.cases.models import StatusLookupFailure
from onewindow.core.handler import Handler

from .factories import make_accepted_case, make_case, run_steps

pytestmark = pytest.mark.django_db

# Headers whose values are the time of the answer.
TIMED = {"Expires", "Date"}


@contextmanager
def same_connection():
    """Keep the test's database connection across the requests (as Django's test client
    does): the handler would close it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class Counted(Handler):
    """The fast handler, counting the requests that took Django's full path."""

    full = 0

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)
        chain = self.full_chain

        def counted(request):
            self.full += 1
            return chain(request)

        self.full_chain = counted


def call(app, path, query="", method="GET", scheme="http", host="testserver", **headers):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": scheme,
        **headers,
    }
    started = []
    with same_connection():
        chunks = app(environ, lambda status, hdrs, exc_info=None: started.append((status, hdrs)))
        try:
            body = b"".join(chunks)
        finally:
            chunks.close()
    status, hdrs = started[0]
    return int(status.split()[0]), sorted((k, v) for k, v in hdrs if k not in TIMED), body


@pytest.fixture
def fast():
    return Counted()


@pytest.fixture
def django_handler():
    return WSGIHandler()


@pytest.fixture
def concluded(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item, applicant_name="欧阳娜娜"))
    return services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E5"
    )


def both(fast, django_handler, path, query="", **kw):
    """The answers of the fast handler and of Django's; the first must have been fast."""
    before = fast.full
    a = call(fast, path, query, **kw)
    took_fast = fast.full == before
    b = call(django_handler, path, query, **kw)
    return a, b, took_fast


@pytest.mark.parametrize("cookie", ["", "django_language=en", "django_language=zh-hans"])
def test_the_fast_answer_is_djangos_answer(fast, django_handler, concluded, cookie):
    headers = {"HTTP_COOKIE": cookie} if cookie else {}
    a, b, took_fast = both(
        fast,
        django_handler,
        f"/status/{concluded.number}/",
        f"code={concluded.query_code}",
        **headers,
    )
    assert took_fast
    assert a == b
    status, hdrs, body = a
    text = body.decode()
    assert status == 200 and concluded.number in text and "欧阳**" in text
    assert ("已办结：准予许可" in text) == (cookie != "django_language=en")
    assert ("Concluded: Granted" in text) == (cookie == "django_language=en")
    assert dict(hdrs)["Cache-Control"].startswith("max-age=0, no-cache, no-store")
    assert dict(hdrs)["X-Frame-Options"] == "DENY"
    assert dict(hdrs)["Vary"] == "Cookie, Accept-Language"


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_REFERRER_POLICY="same-origin",
)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_production_security_is_the_same(concluded, scheme):
    fast, django_handler = Counted(), WSGIHandler()  # built under the settings above
    a, b, _took_fast = both(
        fast,
        django_handler,
        f"/status/{concluded.number}/",
        f"code={concluded.query_code}",
        scheme=scheme,
    )
    assert a == b
    hdrs = dict(a[1])
    if scheme == "http":
        assert a[0] == 301 and hdrs["Location"].startswith("https://")
    else:
        assert a[0] == 200 and hdrs["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_wrong_code_takes_the_full_path_and_counts_once(fast, concluded):
    before = fast.full
    status, _hdrs, body = call(fast, f"/status/{concluded.number}/", "code=AAAAAAAA")
    assert status == 404 and fast.full == before + 1
    assert concluded.number.encode() in body  # the form, with the number typed in
    # One failure recorded (the fast route only read before it handed over).
    assert StatusLookupFailure.objects.count() == 1


def test_a_held_off_client_takes_the_full_path(fast, concluded):
    for _ in range(10):
        call(fast, f"/status/{concluded.number}/", "code=AAAAAAAA")
    before = fast.full
    status, _hdrs, _body = call(
        fast, f"/status/{concluded.number}/", f"code={concluded.query_code}"
    )
    assert status == 429 and fast.full == before + 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"REQUEST_METHOD": "HEAD"},
    ],
    ids=["session", "messages", "head"],
)
def test_others_take_the_full_path(fast, concluded, headers):
    method = headers.pop("REQUEST_METHOD", "GET")
    before = fast.full
    status, hdrs, body = call(
        fast, f"/status/{concluded.number}/", f"code={concluded.query_code}", method, **headers
    )
    assert status == 200 and fast.full == before + 1
    if method == "GET":
        assert concluded.number.encode() in body


def test_no_code_takes_the_full_path_and_a_bad_host_gets_the_same_answer(
    fast, django_handler, concluded
):
    a, b, took_fast = both(fast, django_handler, f"/status/{concluded.number}/")
    assert not took_fast and a == b and a[0] == 302
    a, b, _took_fast = both(
        fast,
        django_handler,
        f"/status/{concluded.number}/",
        f"code={concluded.query_code}",
        host="evil.example",
    )
    assert a == b and a[0] == 400


def call_json(app, method, path, token, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else b""
    return call(
        app,
        path,
        method=method,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(data)),
        **{"wsgi.input": io.BytesIO(data)},
        **headers,
    )


def test_the_api_takes_the_fast_route_with_the_same_answers(
    fast, django_handler, personas, item, monday
):
    token = ApiToken.issue(personas.clerk)[1]
    case = make_case(personas, item)
    path = f"/api/v1/cases/{case.number}"
    before = fast.full
    a = call_json(fast, "GET", path, token)
    assert fast.full == before
    assert a == call_json(django_handler, "GET", path, token)
    assert a[0] == 200 and json.loads(a[2])["number"] == case.number
    # An action: accepted once through the fast route; the same stale form again is
    # refused (409) the same way by both paths.
    body = {"version": case.version}
    status, _hdrs, answer = call_json(fast, "POST", f"{path}/accept", token, body)
    assert status == 200 and json.loads(answer)["status"] == "accepted" and fast.full == before
    stale_fast = call_json(fast, "POST", f"{path}/accept", token, body)
    stale_full = call_json(django_handler, "POST", f"{path}/accept", token, body)
    assert stale_fast == stale_full and stale_fast[0] == 409
    # No token: the same 401; an unknown path: the full path's 404.
    assert call_json(fast, "GET", path, "wrong") == call_json(django_handler, "GET", path, "wrong")
    before = fast.full
    assert call_json(fast, "GET", "/api/v1/nothing-here", token)[0] == 404
    assert fast.full == before + 1


def test_an_api_request_with_a_session_takes_the_full_path(fast, personas, item, monday):
    token = ApiToken.issue(personas.clerk)[1]
    case = make_case(personas, item)
    before = fast.full
    status, _hdrs, _body = call_json(
        fast,
        "GET",
        f"/api/v1/cases/{case.number}",
        token,
        HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc",
    )
    assert status == 200 and fast.full == before + 1


def test_the_fast_middleware_are_those_of_the_full_path_in_order():
    """Only middleware that do nothing for a GET by a visitor with neither session nor
    messages may be left out (settings: ONEWINDOW_FAST_ROUTE_MIDDLEWARE)."""
    session = "django.contrib.sessions.middleware.SessionMiddleware"
    stand_in = {"onewindow.core.handler.VaryOnCookie": session}
    fast = [stand_in.get(m, m) for m in settings.ONEWINDOW_FAST_ROUTE_MIDDLEWARE]
    assert fast == [m for m in settings.MIDDLEWARE if m in fast]
    assert set(settings.MIDDLEWARE) - set(fast) == {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "onewindow.accounts.middleware.InactivityTimeoutMiddleware",
    }


def test_the_route_matches_the_url_configuration():
    from django.urls import resolve

    from onewindow.cases import public_views

    handler = Handler()
    for path in ("/status/CG202603020001/", "/status/x/"):
        assert resolve(path).func is public_views.status
        assert any(p.fullmatch(path) for p, _methods, _view in handler.fast_routes[:1])
    for path in ("/status/", "/status/a/b/", "/status/CG202603020001"):
        assert not any(p.fullmatch(path) for p, _methods, _view in handler.fast_routes[:1])


def test_the_wsgi_application_starts_in_a_fresh_process(tmp_path):
    """What the server imports (onewindow.wsgi), in a process of its own: the handler
    module must load before Django is set up."""
    import os
    import subprocess
    import sys

    script = (
        "import io, onewindow.wsgi as w\n"
        "out = []\n"
        "env = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/healthz', 'SERVER_NAME': 'localhost',"
        " 'SERVER_PORT': '80', 'HTTP_HOST': 'localhost', 'wsgi.input': io.BytesIO(b''),"
        " 'wsgi.url_scheme': 'http'}\n"
        "body = b''.join(w.application(env, lambda s, h, e=None: out.append(s)))\n"
        "print(type(w.application).__name__, out[0], body.decode())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Handler 200 OK"), done.stdout + done.stderr


def test_error_answers_are_logged_as_on_the_full_path(
    fast, django_handler, personas, item, monday, caplog
):
    token = ApiToken.issue(personas.clerk)[1]
    case = make_case(personas, item)
    path = f"/api/v1/cases/{case.number}/accept"
    logged = []
    for app in (fast, django_handler):
        caplog.clear()
        with caplog.at_level("WARNING", logger="django.request"):
            status, _hdrs, _body = call_json(app, "POST", path, token, {"version": 99})
        assert status == 409
        logged.append([(r.levelname, r.getMessage()) for r in caplog.records])
    assert logged[0] == logged[1] == [("WARNING", f"Conflict: {path}")]


def test_the_api_docs_take_the_full_path(fast):
    """Its page carries a CSRF token, which needs the CSRF middleware's cookie."""
    before = fast.full
    status, _hdrs, _body = call(fast, "/api/v1/docs")
    assert status == 200 and fast.full == before + 1


@override_settings(
    ONEWINDOW_FAST_ROUTE_MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ]
)
def test_a_middleware_with_view_hooks_cannot_be_fast():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="CsrfViewMiddleware"):
        Handler()
