"""A throw-away PostgreSQL server for tests, independent of Django.

    from onewindow.testing.pgserver import temporary_postgres

    with temporary_postgres() as url:   # "postgres://onewindow@127.0.0.1:PORT/onewindow"
        ...

The server runs from a fresh cluster in a temporary directory, listens on 127.0.0.1 only
(and on a Unix socket inside that directory), trusts every local connection, and is tuned
for speed, not durability (fsync off). The user "onewindow" is the cluster's superuser, so
test runners may create and drop databases (pytest-django makes test_onewindow[_gwN]).
On leaving the block, also through an exception, Ctrl-C or SIGTERM, the server is stopped
and the directory removed.

PostgreSQL refuses to run as root: when we are root, initdb and pg_ctl run as the system
user "postgres" through runuser(1), and the directory is handed to that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from onewindow.lib import pgbin

DB_USER = "onewindow"
DB_NAME = "onewindow"
SERVER_USER = "postgres"  # the system account that runs the server when we are root

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}

__all__ = ["PostgresURL", "PostgresError", "find_bindir", "temporary_postgres"]


class PostgresError(RuntimeError):
    """The temporary server could not be set up."""


class PostgresURL(str):
    """The DATABASE_URL of a running temporary server; a plain ``str`` with a few extras."""

    port: int
    base_dir: Path  # temporary directory: data/, server.log and the Unix socket
    bindir: Path

    def __new__(cls, port: int, base_dir: Path, bindir: Path) -> PostgresURL:
        self = super().__new__(cls, f"postgres://{DB_USER}@127.0.0.1:{port}/{DB_NAME}")
        self.port = port
        self.base_dir = base_dir
        self.bindir = bindir
        return self


class _Terminated(SystemExit):
    """Raised in the main thread when SIGTERM arrives while the server is up."""


def find_bindir() -> Path:
    """The directory holding initdb/pg_ctl: ``pg_config --bindir`` if it has initdb,
    else the newest ``/usr/lib/postgresql/*/bin``, else wherever ``initdb`` is on PATH.
    ``ONEWINDOW_PG_BINDIR`` overrides the search."""
    override = os.environ.get("ONEWINDOW_PG_BINDIR")
    if override:
        if not (Path(override) / "initdb").is_file():
            raise PostgresError(f"ONEWINDOW_PG_BINDIR={override} has no initdb")
        return Path(override)
    bindir = pgbin.pg_config_bindir()
    if bindir and (bindir / "initdb").is_file():
        return bindir
    for candidate in pgbin.debian_bindirs():  # the newest first
        if (candidate / "initdb").is_file():
            return candidate
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresError(
        "PostgreSQL server binaries (initdb) not found; install them with "
        "`apt-get install postgresql-15` (or run `make install` as root)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _has_c_utf8() -> bool:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.strip().lower() in {"c.utf8", "c.utf-8"} for line in out.splitlines())


def _world_traversable(path: Path) -> bool:
    """Whether every directory from / down to path can be entered by any user."""
    for p in [path, *path.parents]:
        try:
            if not os.stat(p).st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def _clean_env() -> dict[str, str]:
    """Our environment minus libpq's PG* variables, which would redirect the tools."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _log(message: str) -> None:
    print(f"pgserver: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While active, SIGTERM raises _Terminated (a SystemExit) so that cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = False

    def handler(signum, frame):
        nonlocal fired
        if not fired:  # a second SIGTERM must not interrupt the cleanup of the first
            fired = True
            raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Server:
    def __init__(self, bindir: Path, base_dir: Path, as_root: bool) -> None:
        self.bindir = bindir
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.log_file = base_dir / "server.log"
        self.as_root = as_root
        self.env = _clean_env()
        self.started = False
        self.port = 0

    def _server_cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / tool), *args]
        if self.as_root:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            cmd = [runuser, "-u", SERVER_USER, "--", *cmd]
        return cmd

    def _run(self, cmd: list[str], what: str, timeout: float = 120) -> None:
        result = subprocess.run(
            cmd,
            cwd=self.base_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            # a session of its own: Ctrl-C in the terminal must not reach the server
            start_new_session=True,
        )
        if result.returncode != 0:
            raise PostgresError(
                f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n"
                f"{result.stdout}{result.stderr}{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-20:]
        except OSError:
            return ""
        return "server log (last lines):\n" + "\n".join(lines) + "\n" if lines else ""

    def initdb(self) -> None:
        locale_args = ["--locale=C.UTF-8"] if _has_c_utf8() else ["--no-locale"]
        self._run(
            self._server_cmd(
                "initdb",
                "-D",
                str(self.data_dir),
                "-A",
                "trust",
                "-U",
                DB_USER,
                "--encoding=UTF8",
                *locale_args,
                "--no-sync",
            ),
            "initdb",
        )
        conf = "".join(f"{k} = {v}\n" for k, v in SERVER_SETTINGS.items())
        conf += f"unix_socket_directories = '{self.base_dir}'\n"
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# onewindow.testing.pgserver\n" + conf)

    def start(self) -> None:
        last_error: PostgresError | None = None
        for _attempt in range(3):  # another process may grab the free port before we do
            self.port = _free_port()
            try:
                self._run(
                    self._server_cmd(
                        "pg_ctl",
                        "start",
                        "-D",
                        str(self.data_dir),
                        "-l",
                        str(self.log_file),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        f"-p {self.port}",
                    ),
                    "pg_ctl start",
                )
            except PostgresError as exc:
                last_error = exc
                self.stop(quiet=True)  # in case it half-started
                continue
            self.started = True
            return
        assert last_error is not None
        raise last_error

    def create_database(self) -> None:
        self._run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                DB_USER,
                DB_NAME,
            ],
            "createdb",
        )

    def stop(self, quiet: bool = False) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        for mode in ("fast", "immediate"):
            try:
                self._run(
                    self._server_cmd(
                        "pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60"
                    ),
                    f"pg_ctl stop -m {mode}",
                )
                return
            except (PostgresError, subprocess.TimeoutExpired) as exc:
                if not (self.data_dir / "postmaster.pid").exists():
                    return
                if not quiet:
                    _log(f"{exc}".splitlines()[0])


@contextlib.contextmanager
def temporary_postgres() -> Iterator[PostgresURL]:
    """Start a throw-away PostgreSQL server; yield its DATABASE_URL; stop and remove it."""
    bindir = find_bindir()
    as_root = os.geteuid() == 0
    parent = Path(tempfile.gettempdir())
    if as_root and not _world_traversable(parent):
        parent = Path("/tmp")  # the postgres user must be able to reach its directory
    with _sigterm_raises():
        base_dir = Path(tempfile.mkdtemp(prefix="onewindow-pg-", dir=parent))
        server = _Server(bindir, base_dir, as_root)
        try:
            os.chmod(base_dir, 0o700)
            if as_root:
                try:
                    account = pwd.getpwnam(SERVER_USER)
                except KeyError:
                    raise PostgresError(
                        f"running as root, but there is no '{SERVER_USER}' user to run the "
                        "server as (it comes with the postgresql-15 package)"
                    ) from None
                os.chown(base_dir, account.pw_uid, account.pw_gid)
            server.initdb()
            server.start()
            server.create_database()
            url = PostgresURL(server.port, base_dir, bindir)
            _log(f"PostgreSQL ({bindir}) started at {url} (directory {base_dir})")
            yield url
        finally:
            try:
                server.stop()
            finally:
                shutil.rmtree(base_dir, ignore_errors=True)
                if server.started:
                    _log(f"PostgreSQL on 127.0.0.1:{server.port} stopped; {base_dir} removed")
