"""Run a command against a throw-away PostgreSQL server.

    python -m onewindow.testing.pgrun -- CMD [ARG ...]

Starts a temporary server (see onewindow.testing.pgserver), runs CMD with DATABASE_URL
set to ``postgres://onewindow@127.0.0.1:PORT/onewindow`` in its environment, stops the
server and exits with CMD's exit code (128+N if CMD died of signal N). SIGTERM or Ctrl-C
is passed on to CMD, and the server is still stopped and its directory removed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from onewindow.testing.pgserver import PostgresError, temporary_postgres

USAGE = "usage: python -m onewindow.testing.pgrun -- CMD [ARG ...]"


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, file=sys.stderr)
        return 0 if args else 2
    try:
        with temporary_postgres() as url:
            env = dict(os.environ, DATABASE_URL=str(url))
            try:
                proc = subprocess.Popen(args, env=env)
            except OSError as exc:
                print(f"pgrun: cannot run {args[0]}: {exc}", file=sys.stderr)
                return 127
            try:
                return _exit_code(proc.wait())
            except BaseException:  # SIGTERM (raised by pgserver) or Ctrl-C
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                raise
    except PostgresError as exc:
        print(f"pgrun: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    sys.exit(main())
