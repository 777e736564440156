"""Memory of a process and its descendants, read from /proc (Linux).

RSS counts pages shared between processes (the interpreter, libraries, pages a forked
worker still shares with its parent) once per process: the sum overstates what the tree
takes from the machine, and is the figure the target is set on. PSS (each shared page
divided among the processes sharing it) is reported beside it when readable.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def parents(proc: Path = PROC) -> dict[int, int]:
    """pid: parent pid of every process now running."""
    out = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        out[int(entry.name)] = int(fields[1])
    return out


def descendants(pid: int, parent_of: dict[int, int]) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return sorted(out)


def _status_kib(pid: int, field: str, proc: Path) -> int | None:
    try:
        for line in (proc / str(pid) / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _pss_kib(pid: int, proc: Path) -> int | None:
    try:
        for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _name(pid: int, proc: Path) -> str:
    try:
        cmd = (proc / str(pid) / "cmdline").read_bytes().split(b"\0")
        return " ".join(os.path.basename(c.decode(errors="replace")) for c in cmd[:3] if c)
    except OSError:
        return "?"


def tree_memory(pid: int, proc: Path = PROC) -> dict:
    """RSS (and PSS) of ``pid`` and its descendants: totals in bytes and each process."""
    processes = []
    for p in descendants(pid, parents(proc)):
        rss = _status_kib(p, "VmRSS", proc)
        if rss is None:  # gone, or a kernel thread
            continue
        processes.append(
            {"pid": p, "name": _name(p, proc), "rss_kib": rss, "pss_kib": _pss_kib(p, proc)}
        )
    pss = [x["pss_kib"] for x in processes]
    return {
        "rss_bytes": 1024 * sum(x["rss_kib"] for x in processes),
        "pss_bytes": 1024 * sum(pss) if pss and None not in pss else None,
        "processes": processes,
    }
