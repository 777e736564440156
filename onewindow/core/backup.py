"""Backup and restore of the whole database through the engine's own tools.

SQLite: the online backup API (``sqlite3.Connection.backup``), which copies a consistent
image page by page while the web processes and the worker go on writing. PostgreSQL:
``pg_dump`` in its custom format and ``pg_restore`` in one transaction, with the connection
details of settings.DATABASES handed over in libpq's environment variables (PGHOST,
PGPASSWORD…), never on the command line where other users could read them.

A backup file says which engine wrote it (SQLite's and pg_dump's magic numbers), so that
restoring it into the other engine is refused before anything is touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _

from onewindow.lib import pgbin

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SQLITE_PAGES_PER_STEP = 256

# progress(done, total, what): called as a long step goes on.
Progress = Callable[[int, int, str], None]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (translated)."""


def engine_of(alias: str = "default") -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine not in {SQLITE, POSTGRESQL}:
        raise BackupError(
            _("backup supports SQLite and PostgreSQL, not %(engine)s") % {"engine": engine}
        )
    return engine


def describe_target(alias: str = "default") -> str:
    """Where the database is, for messages (no password)."""
    s = connections[alias].settings_dict
    if s["ENGINE"] == SQLITE:
        return str(s["NAME"])
    return f"{s['NAME']} @ {s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}"


def file_engine(path: Path) -> str:
    """Which engine wrote a backup file (by its magic number)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(_("no backup file at %(file)s") % {"file": path}) from None
    except IsADirectoryError:
        raise BackupError(
            _("%(file)s is a directory, not a backup file") % {"file": path}
        ) from None
    except OSError as exc:
        raise BackupError(
            _("cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_MAGIC):
        return POSTGRESQL
    raise BackupError(
        _("%(file)s is not a OneWindow backup (neither an SQLite database nor a pg_dump archive)")
        % {"file": path}
    )


ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


def check_file_for(path: Path, alias: str = "default") -> str:
    """The engine of a backup file, refused unless it is the database's own engine."""
    engine, written_by = engine_of(alias), file_engine(path)
    if engine != written_by:
        raise BackupError(
            _("%(file)s is a %(other)s backup, but this database is %(engine)s")
            % {"file": path, "other": ENGINE_NAMES[written_by], "engine": ENGINE_NAMES[engine]}
        )
    return engine


def table_names(alias: str = "default") -> list[str]:
    """The tables of the database (empty for a database that was never migrated)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def backup(path: Path, *, alias: str = "default", progress: Progress | None = None) -> None:
    """Write a backup of the database to ``path`` (whole or not at all)."""
    path = Path(path)
    engine = engine_of(alias)
    if not path.parent.is_dir():
        raise BackupError(_("no directory %(dir)s to write the backup to") % {"dir": path.parent})
    tmp = path.with_name(path.name + ".partial")
    try:
        if engine == SQLITE:
            _sqlite_copy(_sqlite_connect(alias), _open_sqlite(tmp), progress)
        else:
            _pg_dump(tmp, alias, progress)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def restore(path: Path, *, alias: str = "default", progress: Progress | None = None) -> None:
    """Replace the database's content with a backup's (checked by the caller: engine, empty)."""
    path = Path(path)
    engine = check_file_for(path, alias)
    connections[alias].close()
    if engine == SQLITE:
        source = _open_sqlite(path)
        try:
            problem = source.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(
                _("%(file)s is a damaged SQLite file: %(error)s") % {"file": path, "error": exc}
            ) from None
        if problem != "ok":
            raise BackupError(
                _("%(file)s is a damaged SQLite file: %(error)s") % {"file": path, "error": problem}
            )
        _sqlite_copy(source, _sqlite_connect(alias), progress)
    else:
        _pg_restore(path, alias, progress)


class ConsoleProgress:
    """Prints how far a long step has come, at most every tenth of the way (and each table)."""

    def __init__(self, out):
        self.out = out
        self.shown = -1

    def __call__(self, done: int, total: int, what: str) -> None:
        if what == "pages":
            percent = 100 * done // total if total else 100
            if percent // 10 == self.shown // 10 and percent != 100:
                return
            self.shown = percent
            self.out.write(
                _("  %(percent)d%% (%(done)d of %(total)d pages)")
                % {"percent": percent, "done": done, "total": total}
            )
        else:
            self.out.write(
                _("  [%(done)d/%(total)d] %(table)s")
                % {"done": done, "total": total, "table": what}
            )


# SQLite ------------------------------------------------------------------------------


def _sqlite_connect(alias: str) -> sqlite3.Connection:
    """A connection of its own to the database file of settings.DATABASES."""
    s = connections[alias].settings_dict
    name = str(s["NAME"])
    timeout = (s.get("OPTIONS") or {}).get("timeout", 20)
    return sqlite3.connect(name, timeout=timeout, uri=name.startswith("file:"))


def _open_sqlite(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def _sqlite_copy(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None
) -> None:
    def step(status, remaining, total):
        if progress is not None:
            progress(total - remaining, total, "pages")

    try:
        with source, target:
            source.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=step)
    except sqlite3.Error as exc:
        raise BackupError(_("SQLite backup failed: %(error)s") % {"error": exc}) from None
    finally:
        source.close()
        target.close()


# PostgreSQL ---------------------------------------------------------------------------


def find_pg_tool(name: str) -> Path:
    """pg_dump or pg_restore: in ONEWINDOW_PG_BINDIR if set, else the newest installed
    server version's directory (a dump tool must be at least the server's version), else
    ``pg_config --bindir``, else PATH."""
    override = os.environ.get("ONEWINDOW_PG_BINDIR")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override) / name)
    else:
        candidates += [d / name for d in pgbin.debian_bindirs()]
        bindir = pgbin.pg_config_bindir()
        if bindir:
            candidates.append(bindir / name)
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        _(
            "%(tool)s not found: install the PostgreSQL client tools (Debian: postgresql-client) "
            "or set ONEWINDOW_PG_BINDIR to their directory"
        )
        % {"tool": name}
    )


def pg_environment(alias: str = "default") -> dict[str, str]:
    """libpq's environment for the database of settings.DATABASES (PG* of ours dropped)."""
    s = connections[alias].settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    options = s.get("OPTIONS") or {}
    for var, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
        ("PGSSLMODE", options.get("sslmode")),
        ("PGSSLROOTCERT", options.get("sslrootcert")),
        ("PGSSLCERT", options.get("sslcert")),
        ("PGSSLKEY", options.get("sslkey")),
        ("PGPASSFILE", options.get("passfile")),
    ):
        if value:
            env[var] = str(value)
    env["PGCONNECT_TIMEOUT"] = env.get("PGCONNECT_TIMEOUT", "10")
    return env


# pg_dump -v / pg_restore -v: one line per table's data.
TABLE_LINE = re.compile(r'(?:dumping contents of|processing data for) table "?([^"\s]+)"?')


def _run_pg(cmd: list[str], alias: str, total: int, progress: Progress | None) -> None:
    """Run a PostgreSQL tool (stdin closed, never prompting), reporting each table's data."""
    done = 0
    errors: list[str] = []
    with subprocess.Popen(
        cmd,
        env=pg_environment(alias),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as proc:
        for line in proc.stderr:
            match = TABLE_LINE.search(line)
            if match:
                done += 1
                if progress is not None:
                    progress(done, max(total, done), match.group(1))
            elif "error" in line.lower() or "fatal" in line.lower():
                errors.append(line.strip())
    if proc.returncode != 0:
        detail = "\n".join(errors[-5:]) or f"exit {proc.returncode}"
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": Path(cmd[0]).name, "error": detail}
        )


def _pg_dump(path: Path, alias: str, progress: Progress | None) -> None:
    tool = find_pg_tool("pg_dump")
    total = len(table_names(alias))
    _run_pg(
        [str(tool), "--format=custom", "--no-password", "--verbose", f"--file={path}"],
        alias,
        total,
        progress,
    )


def _pg_restore(path: Path, alias: str, progress: Progress | None) -> None:
    tool = find_pg_tool("pg_restore")
    listing = subprocess.run(
        [str(tool), "--list", str(path)],
        env=pg_environment(alias),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
    )
    if listing.returncode != 0:
        raise BackupError(
            _("%(file)s is a damaged pg_dump archive: %(error)s")
            % {"file": path, "error": listing.stderr.strip()}
        )
    total = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
    _run_pg(
        [
            str(tool),
            "--no-password",
            "--verbose",
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # An empty name: libpq takes the database from PGDATABASE, like the rest.
            "--dbname=",
            str(path),
        ],
        alias,
        total,
        progress,
    )
