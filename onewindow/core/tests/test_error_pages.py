"""Error pages in the platform's look and the visitor's language, not Django's defaults."""

import json
import logging

import pytest
from django.db import InterfaceError, OperationalError, connection, transaction
from django.test import override_settings
from django.urls import path

from onewindow.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a fault")


def connection_lost(request):
    """What Django raises when the server went away under an open connection."""
    raise OperationalError("server closed the connection unexpectedly")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def disk_full(request):
    """A real write on a full device: /dev/full answers every write with ENOSPC."""
    with open("/dev/full", "w") as fh:
        fh.write("x" * 100_000)
        fh.flush()


def database_full(request):
    """A real SQLITE_FULL: the database may not grow by one page more, then a write that
    needs more pages."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        try:
            with transaction.atomic():  # a savepoint: the test's transaction goes on
                cursor.execute("CREATE TABLE filler (x)")
                cursor.executemany("INSERT INTO filler VALUES (%s)", [["y" * 4000]] * 200)
        finally:
            cursor.execute("PRAGMA max_page_count = 4294967294")


urlpatterns = [
    *project_urls,
    path("boom/", boom),
    path("lost/", connection_lost),
    path("closed/", connection_closed),
    path("full/", disk_full),
    path("dbfull/", database_full),
    path("api/v1/lost/", connection_lost),
    path("api/v1/full/", disk_full),
]

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_it_answers_an_unknown_address_with_its_own_404_page(client):
    response = client.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and 'id="error-page"' in body
    assert "没有这个页面" in body
    client.cookies["django_language"] = "en"
    english = client.get("/no/such/page/").content.decode()
    assert "Page not found" in english and "没有这个页面" not in english


@override_settings(DEBUG=False)
def test_it_answers_a_forbidden_page_with_its_own_403_page(client, personas):
    client.force_login(personas.outsider)  # a window clerk: the audit log is not theirs
    response = client.get("/staff/audit/")
    body = response.content.decode()
    assert response.status_code == 403 and 'id="error-page"' in body and "无权" in body


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_it_answers_a_fault_with_its_own_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500 and 'id="error-page"' in body and "出错" in body
    assert "Traceback" not in body


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/lost/", "/closed/"])
def test_it_answers_a_lost_database_with_a_translated_503_page(client, url, debug, caplog):
    with override_settings(DEBUG=debug, ROOT_URLCONF=__name__):
        client.raise_request_exception = False
        with caplog.at_level(logging.ERROR, logger="onewindow.faults"):
            response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert 'id="error-page"' in body and 'data-fault="database_unavailable"' in body
        assert "无法连接数据库" in body and 'lang="zh-hans"' in body
        assert "Traceback" not in body and "closed" not in body
        assert "database_unavailable" in caplog.text and "Traceback" in caplog.text
        client.cookies["django_language"] = "en"
        english = client.get(url).content.decode()
    assert "The database cannot be reached" in english and "无法连接数据库" not in english


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_it_answers_a_full_disk_with_a_translated_503_page(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="onewindow.faults"):
        response = client.get("/full/")
    body = response.content.decode()
    assert response.status_code == 503 and 'data-fault="disk_full"' in body
    assert "服务器存储空间已满" in body and "Traceback" not in body
    assert "No space left on device" in caplog.text  # the log says what happened
    client.cookies["django_language"] = "en"
    assert "storage is full" in client.get("/full/").content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_it_tells_a_full_database_file_as_a_full_disk(client):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's max_page_count makes a real full database; see the subprocess test")
    client.raise_request_exception = False
    response = client.get("/dbfull/")
    assert response.status_code == 503 and 'data-fault="disk_full"' in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'filler'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_answers_these_faults_in_its_error_format(client, debug):
    with override_settings(DEBUG=debug, ROOT_URLCONF=__name__):
        client.raise_request_exception = False
        lost = client.get("/api/v1/lost/")
        full = client.get("/api/v1/full/", headers={"accept-language": "en"})
    assert lost.status_code == 503 and lost["Content-Type"] == "application/json"
    answer = json.loads(lost.content)
    assert answer["code"] == "database_unavailable" and "数据库" in answer["message"]
    assert answer["errors"] == {}
    assert full.status_code == 503
    assert json.loads(full.content)["code"] == "disk_full"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_any_other_fault_stays_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500 and "Retry-After" not in response


# Run in a process of its own whose database cannot be reached: the pages of a visitor, of
# a signed-in member of staff (the session is read by a middleware, before any view) and
# of the API.
UNREACHABLE = """
import json
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for name, url, headers in (
    ("guide", "/guide/", {}),
    ("staff", "/staff/cases/", {"cookie": "sessionid=abc123abc123abc123abc123abc123ab"}),
    ("api", "/api/v1/items", {"accept-language": "en"}),
):
    r = client.get(url, headers=headers)
    out[name] = [r.status_code, r.headers.get("Content-Type"), r.content.decode()]
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.parametrize("debug", ["", "1"])
def test_a_database_that_cannot_be_reached_gives_the_503_page_everywhere(tmp_path, debug):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite3'}"
    else:  # a PostgreSQL server nobody listens for
        url = "postgres://onewindow:x@127.0.0.1:9/onewindow"
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        ONEWINDOW_VAR_DIR=str(tmp_path / "var"),
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    )
    if debug:
        env["DEBUG"] = debug
    result = subprocess.run(
        [sys.executable, "-m", "onewindow.manage", "shell", "-c", UNREACHABLE],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    # With DEBUG on, a fault raised in a middleware (the session of a signed-in visitor)
    # gets Django's debug page, as any other: only a view's fault reaches process_exception.
    for name in ("guide", "staff") if not debug else ("guide",):
        status, content_type, body = answers[name]
        assert status == 503 and content_type.startswith("text/html"), (name, status, body)
        assert "无法连接数据库" in body and "Traceback" not in body, name
    status, content_type, body = answers["api"]
    assert status == 503 and content_type == "application/json", body
    assert json.loads(body)["code"] == "database_unavailable"
    assert "The platform lost its connection" in json.loads(body)["message"]
    assert "database_unavailable" in result.stderr  # logged
