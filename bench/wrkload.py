"""Closed-loop load with wrk (Debian's package `wrk`): the server's capacity.

Each of wrk's connections sends its next request as soon as the last one is answered, so
the server is kept saturated and the answers per second are its capacity. A latency
taken this way only restates Little's law (connections / throughput): the latency
targets are measured paced (bench/paced.py). The scenarios are in bench/wrk_scenarios.lua.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from scenarios import PROXY_HEADERS

SCRIPT = Path(__file__).resolve().with_name("wrk_scenarios.lua")
MARK = "WRKJSON "


class WrkError(RuntimeError):
    pass


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if not path:
        raise WrkError("wrk is not installed: `apt-get install wrk` (or `make install` as root)")
    return path


def command(
    url: str,
    scenario: str,
    data: Path,
    *,
    seconds: float,
    connections: int = 50,
    threads: int = 2,
    start: int = 0,
    timeout: float = 10.0,
    headers: dict | None = None,
    wrk: str = "wrk",
) -> list[str]:
    """wrk's command line. ``scenario``: "get" (the paths in ``data`` in turn, from line
    ``start``), "intake" (``data``: the intake file; ``start`` seeds the applicants) or
    "rate" (``data``: the ratings file, from line ``start``)."""
    if scenario not in ("get", "intake", "rate"):
        raise ValueError(scenario)
    threads = max(1, min(threads, connections))
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        str(SCRIPT),
    ]
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        cmd += ["-H", f"{name}: {value}"]
    return [*cmd, url, "--", scenario, str(data), str(start), str(threads)]


def parse(stdout: str) -> dict:
    """The figures the script's done() printed, plus rates per second."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK):
            figures = json.loads(line[len(MARK) :])
            break
    else:
        raise WrkError(f"no {MARK.strip()} line in wrk's output:\n{stdout[-2000:]}")
    seconds = figures["duration_s"] or 1e-9
    errors = figures["errors"]
    figures["socket_errors"] = errors["connect"] + errors["read"] + errors["write"]
    figures["error_count"] = figures["socket_errors"] + errors["timeout"] + figures["bad_answers"]
    figures["requests_per_s"] = figures["requests"] / seconds
    figures["accepted_per_s"] = figures["accepted"] / seconds
    return figures


def run(url: str, scenario: str, data: Path, **kw) -> dict:
    """Run wrk; its figures (see `parse`)."""
    cmd = command(url, scenario, data, wrk=wrk_binary(), **kw)
    seconds = kw.get("seconds", 10)
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 60, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish: {' '.join(cmd)}") from exc
    if out.returncode != 0:
        raise WrkError(f"wrk failed ({out.returncode}): {out.stderr[-2000:]}{out.stdout[-2000:]}")
    figures = parse(out.stdout)
    figures["command"] = " ".join(cmd[1:])
    return figures
