"""SQLite with one writer at a time, queued by the operating system.

SQLite lets one connection write at a time. A connection that finds the database locked
waits in SQLite's busy handler, which sleeps and retries (1, 2, 5, 10 … 100 ms): under
many concurrent writers (the web server's processes and threads, the worker) the waits
pile up into seconds and the order is left to chance.

This backend queues writers on an exclusive `flock` of a lock file next to the database,
taken just before ``BEGIN IMMEDIATE`` and released at commit or rollback (or when the
connection closes). The kernel wakes the next waiter the moment the lock is free, in
every process that uses the database. Transactions that only read are unchanged: in WAL
mode they never wait for a writer. Writes outside a transaction (autocommit) still rely
on SQLite's busy timeout.

PostgreSQL, the production engine, needs none of this: it locks rows, not the database.
"""

from __future__ import annotations

import fcntl
import os
from functools import lru_cache

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, with the "%s" to "?" rewriting of a statement done once per
    statement text rather than once per execution (a regular expression over the whole
    statement: the busiest requests run a dozen statements of a few fixed texts)."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or name.startswith("file:"):
            return None
        return f"{name}-writelock"

    def _take_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._lock_held:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # blocks (without the GIL) until free
        self._lock_held = True

    def _release_write_lock(self) -> None:
        if self._lock_held:
            self._lock_held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def start_checkpointer(interval: float = 1.0):
    """On a file SQLite database in WAL mode: a daemon thread that copies the log into the
    database every ``interval`` seconds (``PRAGMA wal_checkpoint(PASSIVE)``), for the
    background worker to run. Returns the thread, or None on other databases.

    SQLite checkpoints by itself at the commit that makes the log long enough, inside
    that writer's transaction: the copy and its fsync then hold the single write lock,
    and every writer waits (window intake on a disk database: ~165 cases/s against ~200
    in memory). A passive checkpoint from another connection waits for nobody and holds
    no write lock, so writers go on while it runs; the automatic one is left as a safety
    net for when no worker runs (``wal_autocheckpoint`` in settings)."""
    import logging
    import threading
    import time

    from django.db import connections

    conn = connections["default"]
    if conn.vendor != "sqlite" or conn.is_in_memory_db():
        return None
    log = logging.getLogger("onewindow.worker")

    def loop():
        while True:
            time.sleep(interval)
            try:
                checkpoint(connections["default"])
            except Exception:  # the next round tries again
                log.exception("WAL checkpoint failed")

    thread = threading.Thread(target=loop, name="wal-checkpoint", daemon=True)
    thread.start()
    return thread


def checkpoint(conn) -> tuple[int, int, int]:
    """One passive checkpoint on ``conn``: (1 if it could not run, frames in the log,
    frames copied into the database), as SQLite reports them."""
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return tuple(cursor.fetchone())
