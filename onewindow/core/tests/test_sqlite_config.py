"""Django's SQLite backend as settings.py sets it up: WAL, IMMEDIATE transactions and a
busy timeout, so that writers in several connections wait for each other instead of
failing with "database is locked"."""

import threading

import pytest
from django.db import connection, connections, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite settings of settings.py"
)

WRITERS = 4


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """An alias for a database file of its own, with the settings' options (the test
    database is in memory). Each thread that uses the alias gets its own connection."""
    alias = "sqlite-config-test"
    connections.settings[alias] = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "writers.sqlite3"),
        "TEST": {},
    }
    with django_db_blocker.unblock():
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def test_the_options_are_those_of_the_settings(file_database):
    with connections[file_database].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
    assert connections[file_database].transaction_mode == "IMMEDIATE"


def test_concurrent_writers_wait_for_each_other(file_database):
    """Each writer reads, then writes, in one transaction, all at the same moment. With
    DEFERRED transactions all but one would fail at once with "database is locked" (SQLite
    does not wait when a reader would have to become a writer); IMMEDIATE ones take the
    write lock when they begin, and the others wait for it within the busy timeout."""
    with connections[file_database].cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    start = threading.Barrier(WRITERS)
    errors = []

    def write(n):
        conn = connections[file_database]  # this thread's own connection
        try:
            start.wait(5)
            with transaction.atomic(using=file_database), conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM t")
                seen = cursor.fetchone()[0]
                threading.Event().wait(0.05)  # hold the transaction a moment
                cursor.execute("INSERT INTO t VALUES (%s)", [seen])
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with connections[file_database].cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        # One after another: each saw the rows of those before it.
        assert [row[0] for row in cursor.fetchall()] == list(range(WRITERS))


def test_a_reader_does_not_wait_for_a_writer(file_database):
    """WAL: a connection reads the last committed state while another one writes."""
    writer = connections[file_database]
    with writer.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    seen = []

    def read():
        conn = connections[file_database]
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM t")
                seen.append(cursor.fetchone()[0])
        finally:
            conn.close()

    with transaction.atomic(using=file_database), writer.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)
    assert seen == [1]
