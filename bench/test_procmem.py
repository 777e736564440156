"""Memory of a process tree, read from a /proc laid out in a temporary directory (and once
from the real one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import procmem  # noqa: E402


def _process(proc: Path, pid: int, ppid: int, comm: str, rss_kib: int | None, pss_kib=None):
    d = proc / str(pid)
    d.mkdir()
    (d / "stat").write_text(f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560\n")
    status = f"Name:\t{comm}\nPPid:\t{ppid}\n"
    if rss_kib is not None:  # kernel threads have no VmRSS line
        status += f"VmRSS:\t  {rss_kib} kB\n"
    (d / "status").write_text(status)
    (d / "cmdline").write_bytes(f"/usr/bin/{comm}\0--flag\0".encode())
    if pss_kib is not None:
        (d / "smaps_rollup").write_text(f"Rss:  {rss_kib} kB\nPss:  {pss_kib} kB\n")


def test_tree_memory_sums_the_process_and_its_descendants(tmp_path):
    _process(tmp_path, 1, 0, "init", 5000, 5000)
    _process(tmp_path, 100, 1, "onewindow serve", 60_000, 40_000)
    _process(tmp_path, 101, 100, "granian (main) )", 30_000, 20_000)  # odd names parse
    _process(tmp_path, 102, 101, "granian", 100_000, 70_000)
    _process(tmp_path, 103, 100, "worker", 50_000, 30_000)
    _process(tmp_path, 200, 1, "someone else", 999_999, 1)
    _process(tmp_path, 104, 100, "kthread", None)
    (tmp_path / "self").mkdir()  # not a pid: ignored
    assert procmem.descendants(100, procmem.parents(tmp_path)) == [100, 101, 102, 103, 104]
    m = procmem.tree_memory(100, tmp_path)
    assert m["rss_bytes"] == 1024 * 240_000
    assert m["pss_bytes"] == 1024 * 160_000
    assert [p["pid"] for p in m["processes"]] == [100, 101, 102, 103]
    assert m["processes"][0]["name"] == "onewindow serve --flag"


def test_pss_missing_somewhere_gives_none(tmp_path):
    _process(tmp_path, 10, 1, "a", 100, 50)
    _process(tmp_path, 11, 10, "b", 100)
    assert procmem.tree_memory(10, tmp_path)["pss_bytes"] is None


def test_the_real_proc_sees_a_child_of_this_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        m = procmem.tree_memory(os.getpid())
        pids = [p["pid"] for p in m["processes"]]
        assert os.getpid() in pids and child.pid in pids
        assert m["rss_bytes"] > 0
    finally:
        child.kill()
        child.wait()
