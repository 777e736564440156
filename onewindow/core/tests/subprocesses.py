"""`onewindow` commands run as processes of their own, each on a database of its own: the
helpers of the tests that need a real process (backup and restore, the kill tests).

A database of its own is a file on SQLite, or a database created on the throw-away server
of onewindow.testing.pgrun when the suite runs on PostgreSQL.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
ROOT = Path(__file__).resolve().parents[3]
AUDIT_KEY = "subprocess-test-audit-key-" + "0123456789abcdef" * 2


def environment(url: str, var: Path) -> dict:
    """The environment of a command on the database at ``url`` with ``var`` as its VAR_DIR."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        ONEWINDOW_VAR_DIR=str(var),
        ONEWINDOW_AUDIT_KEY=AUDIT_KEY,
        ONEWINDOW_AUDIT_CHECKPOINT=str(var / "audit-checkpoint.json"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def onewindow(url: str, var: Path, *args, check=True) -> subprocess.CompletedProcess:
    """Run `onewindow ARGS` to its end; with ``check`` it must succeed."""
    result = subprocess.run(
        [sys.executable, "-m", "onewindow.manage", *args],
        env=environment(url, var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def server_url() -> str:
    """The URL of the suite's PostgreSQL server (its maintenance database)."""
    return os.environ["DATABASE_URL"]


def database_url(name: str) -> str:
    """The URL of database ``name`` on the suite's PostgreSQL server."""
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def create_database(name: str, template: str | None = None) -> str:
    """Create database ``name`` (a copy of ``template``) on the server; its URL."""
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(name)


def drop_databases(names) -> None:
    import psycopg

    with psycopg.connect(server_url(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_database(source: str, target: str) -> str:
    """Make the unused database at ``target`` a copy of what ``source`` holds now; its URL.

    On SQLite through the online backup API (the pages still in the write-ahead log
    included); on PostgreSQL the target is created again with the source as its template.
    """
    if ON_POSTGRES:
        target_name = urlsplit(target).path.lstrip("/")
        drop_databases([target_name])
        return create_database(target_name, template=urlsplit(source).path.lstrip("/"))
    import sqlite3

    source_db = sqlite3.connect(urlsplit(source).path)
    target_db = sqlite3.connect(urlsplit(target).path)
    try:
        source_db.backup(target_db)
    finally:
        source_db.close()
        target_db.close()
    return target
