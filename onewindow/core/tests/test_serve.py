"""`onewindow serve` and the supervisor it turns into: the server answers, the supervising
process holds no copy of Django, and the processes stop together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from onewindow.core import supervisor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def wait_for(url: str, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_answers_and_its_supervisor_holds_no_django(tmp_path):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.pop("ONEWINDOW_ENV", None)
    env.pop("DEBUG", None)  # as `make demo` runs it
    onewindow = Path(sys.executable).with_name("onewindow")
    proc = subprocess.Popen(
        [str(onewindow), "serve", "--bind", f"127.0.0.1:{port}", "--no-worker", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == b"ok\n"
        # DEBUG is off unless asked for: an unknown page is the platform's own, in Chinese.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page/", timeout=10)
        assert missing.value.code == 404
        page = missing.value.read().decode()
        assert 'id="error-page"' in page and "没有这个页面" in page, page[:300]
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"onewindow.core.supervisor" in cmdline
        assert "django" not in Path(f"/proc/{proc.pid}/maps").read_text()
        # The same process id, now a small supervisor; Django lives in the server's workers.
        assert rss_kib(proc.pid) < 30 * 1024, rss_kib(proc.pid)
        assert children(proc.pid), "the server runs as the supervisor's child"
        server = children(proc.pid)[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    assert code == 0
    assert not Path(f"/proc/{server}").exists() or "Z" in Path(f"/proc/{server}/stat").read_text()
    assert "serving on" in proc.stdout.read()


def test_supervisor_stops_the_others_when_one_ends():
    started = time.monotonic()
    code = supervisor.run(0, [[sys.executable, "-c", "import time; time.sleep(60)"], ["false"]])
    assert code == 1  # `false` failed, the sleeper was stopped by SIGTERM
    assert time.monotonic() - started < 15


def test_supervisor_reads_its_commands():
    assert supervisor.parse(["--nice-second", "10", "--", "a", "b", "--", "c"]) == (
        10,
        [["a", "b"], ["c"]],
    )
    with pytest.raises(SystemExit):
        supervisor.parse(["a", "--", "b"])
    with pytest.raises(SystemExit):
        supervisor.parse(["--"])
