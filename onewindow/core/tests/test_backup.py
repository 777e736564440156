"""`onewindow backup` and `onewindow restore` on the engine the suite runs on (SQLite, or
the throw-away PostgreSQL of onewindow.testing.pgrun): a database with cases, events and
audit rows goes through a backup into an empty database and comes back the same."""

import hashlib
import sqlite3
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from onewindow.audit.models import AuditEntry
from onewindow.core import backup

from . import subprocesses
from .subprocesses import ON_POSTGRES, copy_database, create_database, drop_databases

# Cases received, accepted and one taken through every step: cases, steps, events,
# materials and audit rows, written through the services.
MAKE_DATA = """
from onewindow.factories import make_personas
from onewindow.cases.tests.factories import make_accepted_case, make_item, run_steps
personas = make_personas()
item = make_item(personas.department, [personas.hall])
for _ in range(3):
    make_accepted_case(personas, item)
run_steps(personas, make_accepted_case(personas, item))
"""

MORE_DATA = "from onewindow.factories import make_department; make_department()"


@pytest.fixture
def databases(tmp_path):
    """(source URL, target URL): two databases of their own, neither migrated yet."""
    if not ON_POSTGRES:
        yield (
            f"sqlite:///{tmp_path / 'source.sqlite3'}",
            f"sqlite:///{tmp_path / 'target.sqlite3'}",
        )
        return
    names = [f"bk_{kind}_{uuid.uuid4().hex[:10]}" for kind in ("source", "target")]
    try:
        yield tuple(create_database(name) for name in names)
    finally:
        drop_databases(names)


def onewindow(url, tmp_path, *args, check=True):
    return subprocesses.onewindow(url, tmp_path / "var", *args, check=check)


def table_digests(url):
    """{table: (row count, SHA-256 of every row in order)} read through the driver."""
    if ON_POSTGRES:
        import psycopg

        conn = psycopg.connect(url)
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
    else:
        conn = sqlite3.connect(urlsplit(url).path)
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    digests = {}
    try:
        for name in sorted(names):
            cursor = conn.execute(f'SELECT * FROM "{name}" LIMIT 0')
            width = len(cursor.description)
            order = ", ".join(str(i) for i in range(1, width + 1))
            rows = conn.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
            digests[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    finally:
        conn.close()
    return digests


@pytest.mark.slow
def test_a_backup_restored_into_an_empty_database_is_the_same(databases, tmp_path):
    source, target = databases
    onewindow(source, tmp_path, "migrate", "-v0")
    onewindow(source, tmp_path, "shell", "-c", MAKE_DATA)
    onewindow(source, tmp_path, "audit", "checkpoint")
    file = tmp_path / "onewindow.backup"
    out = onewindow(source, tmp_path, "backup", str(file)).stdout
    assert "备份已写入" in out  # the commands speak Chinese first
    expected = table_digests(source)
    for table in ("cases_case", "cases_caseevent", "audit_auditentry"):
        assert expected[table][0] > 3, table

    out = onewindow(target, tmp_path, "restore", str(file)).stdout
    assert "正在把" in out and "已恢复" in out
    assert table_digests(target) == expected
    out = onewindow(target, tmp_path, "audit", "verify").stdout
    assert f"审计日志完整：已核验 {expected['audit_auditentry'][0]} 行" in out
    assert "的检查点" in out

    # Into a database with tables: refused, nothing changed; with --force, replaced.
    onewindow(target, tmp_path, "shell", "-c", MORE_DATA)
    changed = table_digests(target)
    refused = onewindow(target, tmp_path, "restore", str(file), check=False)
    assert refused.returncode == 1 and "不是空的" in refused.stderr
    assert table_digests(target) == changed
    out = onewindow(target, tmp_path, "restore", "--force", str(file)).stdout
    assert "替换其现有的" in out
    assert table_digests(target) == expected
    onewindow(target, tmp_path, "audit", "verify")


@pytest.mark.slow
def test_a_failed_restore_changes_nothing(databases, tmp_path):
    """A backup cut short is refused before or during the restore, leaving the target as
    it was."""
    source, target = databases
    onewindow(source, tmp_path, "migrate", "-v0")
    file = tmp_path / "full.backup"
    onewindow(source, tmp_path, "backup", str(file))
    cut = tmp_path / "cut.backup"
    cut.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    copy_database(source, target)  # as migrated as the source
    before = table_digests(target)
    result = onewindow(target, tmp_path, "restore", "--force", str(cut), check=False)
    assert result.returncode == 1 and "CommandError" in result.stderr
    assert table_digests(target) == before


def _restore(*args):
    with translation.override("en"):
        call_command("restore", *args)


@pytest.mark.django_db
def test_restore_refuses_bad_files_and_says_why(tmp_path):
    with pytest.raises(CommandError, match="no backup file at"):
        _restore(str(tmp_path / "missing.backup"))
    with pytest.raises(CommandError, match="is a directory"):
        _restore(str(tmp_path))
    text = tmp_path / "notes.txt"
    text.write_text("not a backup at all")
    with pytest.raises(CommandError, match="is not a OneWindow backup"):
        _restore(str(text))
    other = tmp_path / "other-engine.backup"
    if ON_POSTGRES:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
        message = "is a SQLite backup, but this database is PostgreSQL"
    else:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        message = "is a PostgreSQL backup, but this database is SQLite"
    with pytest.raises(CommandError, match=message):
        _restore(str(other), "--force")


@pytest.mark.django_db
def test_restore_refuses_a_database_with_tables(personas, tmp_path):
    file = tmp_path / "b.backup"
    file.write_bytes(
        b"PGDMP" + b"\x00" * 100 if ON_POSTGRES else backup.SQLITE_MAGIC + b"\x00" * 100
    )
    rows = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="is not empty"):
        _restore(str(file))
    assert AuditEntry.objects.count() == rows


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_or_write_nowhere(tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_text("keep me")
    with translation.override("en"), pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(existing))
    assert existing.read_text() == "keep me"
    with translation.override("en"), pytest.raises(CommandError, match="no directory"):
        call_command("backup", str(tmp_path / "no" / "such" / "dir.backup"))


def test_missing_postgresql_tools_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_PG_BINDIR", str(tmp_path))
    with translation.override("en"), pytest.raises(backup.BackupError) as exc:
        backup.find_pg_tool("pg_restore")
    assert "pg_restore not found" in str(exc.value)
    assert "ONEWINDOW_PG_BINDIR" in str(exc.value)


@pytest.mark.django_db
def test_the_errors_are_in_chinese_by_default(tmp_path):
    with translation.override("zh-hans"), pytest.raises(CommandError, match="没有备份文件"):
        call_command("restore", str(tmp_path / "missing.backup"))
