"""The databases a bench run makes, on SQLite or on a throw-away PostgreSQL server.

Both offer the same few operations on named databases: the DATABASE_URL of one, a copy
of one (a file copy; CREATE DATABASE … TEMPLATE), dropping one, and settling one before
it is measured. The PostgreSQL server is started exactly as the test suite starts its
own: onewindow.testing.pgserver (a fresh cluster, initdb as the system user postgres when
run as root, a free loopback port, fsync off), and removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _check(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"not a database name: {name!r}")
    return name


class SQLite:
    name = "sqlite"

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, db: str) -> Path:
        return self.dir / f"{_check(db)}.sqlite3"

    def url(self, db: str) -> str:
        return f"sqlite:///{self.path(db)}"

    def create_empty(self, db: str) -> str:
        self.drop(db)
        return self.url(db)

    def copy(self, src: str, dst: str) -> str:
        """A copy written through to the disk before it is used: a fresh copy of a few
        hundred MB is otherwise still being written back while the load runs measure,
        and reads stall behind that writeback."""
        self.drop(dst)
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path(src)}{suffix}")
            if source.exists():
                target = f"{self.path(dst)}{suffix}"
                shutil.copyfile(source, target)
                with open(target, "rb") as f:
                    os.fsync(f.fileno())
        return self.url(dst)

    def drop(self, db: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(db)}{suffix}").unlink(missing_ok=True)

    def settle(self, db: str) -> str:
        """What earlier steps wrote goes to the disk first (writeback under a load run
        stalls its reads). Nothing else: a live SQLite database gets no maintenance but
        what the application does itself."""
        os.sync()
        return "sync"

    def size(self, db: str) -> int:
        return sum(
            Path(f"{self.path(db)}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{self.path(db)}{s}").exists()
        )

    def describe(self) -> dict:
        return {"engine": "sqlite", "version": sqlite3.sqlite_version, "directory": str(self.dir)}


class PostgreSQL:
    name = "postgresql"

    def __init__(self, server_url: str):
        # postgres://onewindow@127.0.0.1:PORT/onewindow
        self.server_url = str(server_url)
        self.base = self.server_url.rsplit("/", 1)[0]
        self.port = int(self.base.rsplit(":", 1)[1])

    def url(self, db: str) -> str:
        return f"{self.base}/{_check(db)}"

    def _admin(self, *statements: str, db: str = "postgres") -> list:
        import psycopg

        out = []
        with psycopg.connect(f"{self.base}/{db}", autocommit=True) as conn:
            for sql in statements:
                cur = conn.execute(sql)
                out.append(cur.fetchall() if cur.description else None)
        return out

    def create_empty(self, db: str) -> str:
        self.drop(db)
        self._admin(f'CREATE DATABASE "{_check(db)}"')
        return self.url(db)

    def copy(self, src: str, dst: str) -> str:
        self.drop(dst)
        self._admin(f'CREATE DATABASE "{_check(dst)}" TEMPLATE "{_check(src)}"')
        return self.url(dst)

    def drop(self, db: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{_check(db)}" WITH (FORCE)')

    def settle(self, db: str) -> str:
        """VACUUM ANALYZE and a checkpoint: what autovacuum would have done on a live
        database since rows were loaded in bulk (a table fresh from COPY has no
        statistics for the planner and no visibility map for index-only scans)."""
        self._admin("VACUUM (ANALYZE)", "CHECKPOINT", db=_check(db))
        return "vacuum analyze, checkpoint"

    def size(self, db: str) -> int:
        return self._admin(f"SELECT pg_database_size('{_check(db)}')")[0][0][0]

    def describe(self) -> dict:
        version = self._admin("SHOW server_version")[0][0][0]
        settings = dict(
            self._admin(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('shared_buffers', 'fsync', 'synchronous_commit', 'max_connections', "
                "'work_mem', 'effective_cache_size')"
            )[0]
        )
        return {"engine": "postgresql", "version": version, "port": self.port, "settings": settings}


@contextlib.contextmanager
def open_engine(name: str, work: Path) -> Iterator[SQLite | PostgreSQL]:
    """The engine, with its server running for PostgreSQL (stopped and removed on leaving)."""
    if name == "sqlite":
        yield SQLite(work / "sqlite")
        return
    if name != "postgresql":
        raise ValueError(name)
    from onewindow.testing.pgserver import temporary_postgres

    with temporary_postgres() as url:
        yield PostgreSQL(url)
