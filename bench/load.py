"""A small HTTP load generator: N client threads, each with a keep-alive connection.

No external tools: each client thread repeats a scenario (a function that makes one or
more requests through `Client.request`) until the count or the time is up, and every
request's latency is recorded. The first ``warmup`` seconds are not counted.

Two modes:
- closed loop (``rate=None``): every client starts its next run as soon as the last one
  ended, so the server is saturated; this measures its capacity (runs/s). Latency then only
  says how long the queue is (Little's law: clients / throughput).
- paced (``rate`` runs/s in total): each client runs on a fixed schedule (its share of the
  rate), which measures the latency at that throughput. A run that starts late because the
  one before it was slow is timed from when it *should* have started, so a stalled server
  is not hidden (no "coordinated omission").
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int = 0
    units: int = 0  # scenario runs completed (e.g. cases: create + accept)
    errors: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, per request
    unit_latencies: list = field(default_factory=list)  # seconds, per scenario run
    statuses: dict = field(default_factory=dict)
    first_error: str = ""

    def percentile(self, p: float, unit: bool = False) -> float:
        data = sorted(self.unit_latencies if unit else self.latencies)
        if not data:
            return float("nan")
        k = min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))
        return data[k]

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "units": self.units,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "requests_per_s": self.requests / self.seconds if self.seconds else 0.0,
            "units_per_s": self.units / self.seconds if self.seconds else 0.0,
            "p50_ms": statistics.median(self.latencies) * 1000 if self.latencies else None,
            "p95_ms": self.percentile(95) * 1000 if self.latencies else None,
            "p99_ms": self.percentile(99) * 1000 if self.latencies else None,
            "unit_p95_ms": self.percentile(95, unit=True) * 1000 if self.unit_latencies else None,
            "statuses": self.statuses,
            "first_error": self.first_error,
        }


class Client:
    """One keep-alive HTTP/1.1 connection on a plain socket; records each request into the
    shared result.

    Not http.client: on the bench machine the load generator shares the two cores with
    the server it measures, and http.client builds and checks each header and parses the
    answer's with the email package. This client writes the request in one piece and
    reads the answer with a few byte searches (window intake: the load generator took 0.18
    of a core at ~200 cases/s with http.client, 0.10 with this client). It speaks just
    enough HTTP for this server's answers (Content-Length or chunked bodies, keep-alive,
    Connection: close, a body that ends with the connection)."""

    def __init__(self, host: str, port: int, headers: dict, run: Run):
        self.host, self.port = host, port
        self.run = run
        self.conn: socket.socket | None = None
        self.buffer = b""
        self.scheduled = None  # paced mode: when the next request was due to start
        self.fixed_headers = f"Host: {host}:{port}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        self.headers: dict[str, str] = {}  # of the last answer, names in lower case

    def _connect(self) -> None:
        self.conn = socket.create_connection((self.host, self.port), timeout=60)
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _fill(self) -> None:
        chunk = self.conn.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
        return line

    def _read_response(self) -> tuple[int, bytes]:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4 :]
        status_line, *lines = head.split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in lines:
            name, _sep, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.headers = headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while size := int(self._line().split(b";", 1)[0], 16):
                parts.append(self._take(size))
                self._take(2)
            while self._line():  # trailers, then the empty line
                pass
            body = b"".join(parts)
        elif "content-length" in headers:
            body = self._take(int(headers["content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # delimited by the end of the connection
            while True:
                try:
                    self._fill()
                except ConnectionResetError:
                    break
            body, self.buffer = self.buffer, b""
            headers["connection"] = "close"
        return status, body

    def request(self, method: str, path: str, body=None, expect=(200,)):
        """(status, decoded JSON or text); raises on an unexpected status."""
        head = f"{method} {path} HTTP/1.1\r\n{self.fixed_headers}"
        if body is not None:
            payload = json.dumps(body).encode()
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        else:
            payload = b""
        message = (head + "\r\n").encode("latin-1") + payload
        t0 = time.perf_counter()  # a new connection's handshake counts as waiting
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                if not reused:
                    self._connect()
                self.conn.sendall(message)
                status, data = self._read_response()
            except OSError:
                self.close()
                if attempt == 2 or not reused:
                    raise
                continue  # the server closed an idle keep-alive connection: once more
            except Exception:
                self.close()  # a half-read answer: the connection is of no more use
                raise
            if self.scheduled is not None:
                t0 = min(t0, self.scheduled)  # late start counts as waiting time
                self.scheduled = None
            elapsed = time.perf_counter() - t0
            self.run.record(status, elapsed)
            if self.headers.get("connection", "").lower() == "close":
                self.close()
            if status not in expect:
                raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
            ctype = self.headers.get("content-type", "")
            return status, json.loads(data) if "json" in ctype else data
        raise RuntimeError("unreachable")


class Run:
    """Shared state of one load run."""

    def __init__(self, warmup: float):
        self.lock = threading.Lock()
        self.result = Result()
        self.started = time.perf_counter()
        self.measure_from = self.started + warmup
        self.stop = False
        self.stopped_at = None

    def measuring(self) -> bool:
        return time.perf_counter() >= self.measure_from

    def record(self, status: int, elapsed: float) -> None:
        if not self.measuring():
            return
        with self.lock:
            r = self.result
            r.requests += 1
            r.latencies.append(elapsed)
            r.statuses[status] = r.statuses.get(status, 0) + 1

    def unit_done(self, elapsed: float) -> None:
        if not self.measuring():
            return
        with self.lock:
            self.result.units += 1
            self.result.unit_latencies.append(elapsed)

    def error(self, exc: Exception) -> None:
        with self.lock:
            self.result.errors += 1
            if not self.result.first_error:
                self.result.first_error = str(exc)[:500]


def run_load(
    *,
    host: str,
    port: int,
    clients: int,
    scenario,
    headers_for,
    seconds: float,
    max_units: int,
    warmup: float = 2.0,
    rate: float | None = None,
) -> Result:
    """Run ``scenario(client, i, n)`` in ``clients`` threads for ``seconds`` after the
    warm-up, or until ``max_units`` runs were counted. ``headers_for(i)`` gives each
    client its headers (e.g. its bearer token). With ``rate``, the clients together start
    ``rate`` runs per second on a fixed schedule (see the module docstring)."""
    run = Run(warmup)
    deadline = run.measure_from + seconds
    interval = clients / rate if rate else 0.0

    def worker(i: int) -> None:
        client = Client(host, port, headers_for(i), run)
        n = 0
        due = run.started + (i / rate if rate else 0.0)
        while not run.stop and time.perf_counter() < deadline:
            if rate:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                client.scheduled = due
                t0 = due
                due += interval
            else:
                t0 = time.perf_counter()
            try:
                scenario(client, i, n)
            except Exception as exc:  # counted, the client goes on
                run.error(exc)
                time.sleep(0.05)
                continue
            finally:
                n += 1
            run.unit_done(time.perf_counter() - t0)
            if run.result.units >= max_units and not run.stop:
                run.stop = True
                run.stopped_at = time.perf_counter()
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + warmup + 120)
    end = run.stopped_at or min(time.perf_counter(), deadline)
    run.result.seconds = max(end - run.measure_from, 1e-9)
    return run.result
