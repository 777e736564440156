"""Start the web server and the worker as child processes and stop them together.

`onewindow serve` prepares (settings, static files, concurrency) and then replaces its own
process with this module (`os.execv`): the process that only waits for its children does
not keep a copy of Django in memory beside the ones that serve. No Django here, on purpose.

Usage: python -m onewindow.core.supervisor [--nice-second N] -- CMD1 ... -- CMD2 ...
The first command is the server; every further one (the worker) runs at nice N.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

STOP_SECONDS = 15


def parse(argv: list[str]) -> tuple[int, list[list[str]]]:
    """The nice value for the commands after the first, and the commands."""
    nice = 0
    if argv[:1] == ["--nice-second"]:
        nice, argv = int(argv[1]), argv[2:]
    commands: list[list[str]] = []
    for word in argv:
        if word == "--":
            commands.append([])
        elif commands:
            commands[-1].append(word)
        else:
            raise SystemExit(f"supervisor: expected '--' before {word!r}")
    commands = [c for c in commands if c]
    if not commands:
        raise SystemExit("supervisor: no command to run")
    return nice, commands


def run(nice: int, commands: list[list[str]]) -> int:
    """Run the commands until one ends or a signal comes; stop the others; 0 if all ended
    well or were stopped."""

    def lower_priority() -> None:
        os.nice(nice)

    procs = [subprocess.Popen(commands[0])]
    procs += [
        subprocess.Popen(c, preexec_fn=lower_priority if nice else None) for c in commands[1:]
    ]

    def shutdown(signum=None, frame=None):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    before = {sig: signal.signal(sig, shutdown) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        shutdown()
        for sig, handler in before.items():
            signal.signal(sig, handler)
    codes = [p.returncode for p in procs]
    return 1 if any(c not in (0, -signal.SIGTERM, None) for c in codes) else 0


if __name__ == "__main__":
    sys.exit(run(*parse(sys.argv[1:])))
