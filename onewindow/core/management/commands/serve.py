"""`onewindow serve`: the web server (granian) and the background worker together.

Granian parses HTTP outside Python and calls Django's WSGI application (`onewindow.wsgi`)
in its processes; the worker runs beside it. Once prepared, this command's process turns
into `onewindow.core.supervisor`, which starts and stops both. See docs/DEPENDENCIES.md."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from onewindow.core import supervisor


def default_concurrency() -> tuple[int, int]:
    """Processes and threads per process when WEB_CONCURRENCY / WEB_THREADS are not set.

    On SQLite one transaction writes at a time, and a thread that holds the write lock
    while its siblings take turns at the interpreter lock makes every other writer wait
    longer: one thread per process, one process per core. PostgreSQL locks rows, not the
    database: one process per core (the requests are mostly Python: more processes only
    take turns at the cores and each holds its own copy of the application), each with 4
    threads that run while the others wait for the database.
    """
    cores = os.cpu_count() or 2
    if connection.vendor == "sqlite":
        return cores, 1
    return cores, 4


# Scheduling priority of the worker (a nice value): its scans take the CPU only when the
# web processes leave it idle, so a supervision scan (a second of CPU every 15 s) does not
# hold up the answers that are being served meanwhile. Its write transactions are short,
# so the web processes do not wait long for a worker holding the write lock.
WORKER_NICE = 10


class Command(BaseCommand):
    help = "Serve the platform with granian and run the worker beside it."

    def add_arguments(self, parser):
        workers, threads = default_concurrency()
        parser.add_argument("--bind", default=os.environ.get("ONEWINDOW_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", workers))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("WEB_THREADS", threads))
        )
        parser.add_argument("--no-worker", action="store_true", help="serve pages only")

    def handle(self, *args, **options):
        bin_dir = os.path.dirname(sys.executable)
        if settings.PRODUCTION:
            # In a process of its own: this one only supervises, and keeps nothing of it.
            subprocess.run(
                [os.path.join(bin_dir, "onewindow"), "collectstatic", "--noinput", "-v0"],
                check=True,
            )
        host, _sep, port = options["bind"].rpartition(":")
        server = [
            os.path.join(bin_dir, "granian"),
            "--interface",
            "wsgi",
            "--host",
            host.strip("[]") or "127.0.0.1",
            "--port",
            port,
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "--no-ws",
            "--access-log",
            "--workers-kill-timeout",
            "10",
            "onewindow.wsgi:application",
        ]
        commands = ["--", *server]
        if not options["no_worker"]:
            commands += ["--", os.path.join(bin_dir, "onewindow"), "worker"]
        self.stdout.write(f"OneWindow serving on http://{options['bind']}/ (Ctrl+C to stop)")
        self.stdout.flush()
        connection.close()
        # This process becomes the supervisor: it waits for the server and the worker and
        # stops them together, without keeping Django loaded beside them.
        os.execv(
            sys.executable,
            [sys.executable, "-m", supervisor.__name__, "--nice-second", str(WORKER_NICE)]
            + commands,
        )
