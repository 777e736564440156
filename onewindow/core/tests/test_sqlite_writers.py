"""The SQLite backend queues writers on a file lock (onewindow/core/sqlite/base.py)."""

import threading
import time

import pytest
from django.db import connection

from onewindow.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backend's own behaviour"
)


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    """These tests open their own connections to their own files, not the test database."""
    with django_db_blocker.unblock():
        yield


def wrapper(path) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    conn = DatabaseWrapper(settings, alias=f"writers-{id(path)}")
    conn.ensure_connection()
    conn.inc_thread_sharing()  # used from the test's threads
    return conn


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    db = tmp_path / "w.sqlite3"
    first, second = wrapper(db), wrapper(db)
    with first.cursor() as c:
        c.execute("CREATE TABLE t (n integer)")
    order = []

    def write(conn, n, hold):
        conn._start_transaction_under_autocommit()
        order.append(f"begin {n}")
        with conn.cursor() as c:
            c.execute("INSERT INTO t VALUES (%s)", [n])
        time.sleep(hold)
        order.append(f"commit {n}")
        conn.commit()

    a = threading.Thread(target=write, args=(first, 1, 0.3))
    a.start()
    deadline = time.monotonic() + 5
    while "begin 1" not in order and time.monotonic() < deadline:
        time.sleep(0.01)
    b = threading.Thread(target=write, args=(second, 2, 0))
    b.start()
    a.join(10)
    b.join(10)
    assert order == ["begin 1", "commit 1", "begin 2", "commit 2"]
    with first.cursor() as c:
        c.execute("SELECT n FROM t ORDER BY n")
        assert [r[0] for r in c.fetchall()] == [1, 2]
    assert (tmp_path / "w.sqlite3-writelock").exists()
    first.close()
    second.close()


def test_a_rollback_or_a_closed_connection_frees_the_lock(tmp_path):
    db = tmp_path / "r.sqlite3"
    first, second = wrapper(db), wrapper(db)
    first._start_transaction_under_autocommit()
    first.rollback()
    assert not first._lock_held
    first._start_transaction_under_autocommit()
    first.close()  # e.g. a worker thread that died mid-transaction
    assert not first._lock_held
    done = threading.Event()

    def write():
        second._start_transaction_under_autocommit()
        second.commit()
        done.set()

    t = threading.Thread(target=write)
    t.start()
    assert done.wait(5), "the second writer never got the lock"
    t.join()
    second.close()


def test_an_in_memory_database_needs_no_lock_file():
    conn = wrapper(":memory:")
    assert conn._lock_path() is None
    conn._start_transaction_under_autocommit()
    conn.commit()
    conn.close()


def test_the_worker_copies_the_log_into_the_database_without_the_write_lock(tmp_path):
    """core.sqlite.checkpoint (run every second by the worker's checkpoint thread): a
    passive checkpoint from another connection copies what the writers logged, while a
    writer holds the write lock."""
    from onewindow.core.sqlite.base import checkpoint

    db = tmp_path / "c.sqlite3"
    writer, worker = wrapper(db), wrapper(db)
    with writer.cursor() as c:
        c.execute("PRAGMA wal_autocheckpoint=0")  # only the explicit checkpoints
        c.execute("CREATE TABLE t (n integer)")
        c.executemany("INSERT INTO t VALUES (%s)", [(n,) for n in range(2000)])
    writer._start_transaction_under_autocommit()  # holds the write lock meanwhile
    with writer.cursor() as c:
        c.execute("INSERT INTO t VALUES (-1)")
    busy, logged, copied = checkpoint(worker)
    assert busy == 0 and logged > 0 and copied == logged
    writer.commit()
    with worker.cursor() as c:
        c.execute("SELECT count(*) FROM t")
        assert c.fetchone()[0] == 2001
