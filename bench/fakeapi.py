"""A small HTTP server in the test process that answers as OneWindow's API does, for the
tests of the load tools (bench/test_*.py):

    with serve() as url:   # "http://127.0.0.1:PORT"
        ...

GET /missing: 404; GET /hang: never answered while the server runs; any other GET: 200.
POST /api/v1/cases: 201 with a new case number of the body's hall, status "received",
version 1. POST /api/v1/cases/NUMBER/accept: 200, status "accepted" ({"version": 1}
only; else 409). POST /rate/window/ (a form with an event, from a paired tablet): 201 the
first time an event is rated, 400 a second time, 403 without the tablet cookie. Every
request is kept in FakeApi.seen, every case made in FakeApi.created, every rated event
in FakeApi.rated. Each server keeps its own lists (FakeApi's name the latest server's):
a request of an earlier test's server still in flight lands in that server's lists.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # wrk drops its connections at the end, in the middle of requests


class FakeApi(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []  # (method, path, headers, body) of every request
    created: dict = {}  # case number: hall
    rated: dict = {}  # event id: the tablet cookie that rated it
    release = threading.Event()
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        head = (
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.wfile.write(head.encode() + body)  # one write: no delayed-ACK stall

    def _record(self, body=b""):
        with self.lock:
            self.server.seen.append((self.command, self.path, dict(self.headers), body))

    def do_GET(self):
        self._record()
        if self.path == "/hang":
            FakeApi.release.wait(30)  # never answered while the test runs
            return
        if self.path == "/missing":
            self._answer(404, {"code": "not_found"})
        else:
            self._answer(200, {"ok": True})

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._record(body)
        if self.path == "/rate/window/":
            self._rate(body)
            return
        data = json.loads(body)
        if self.path == "/api/v1/cases":
            with self.lock:
                self.server.counter += 1
                number = f"{data['hall']}{self.server.counter:08d}"
                self.server.created[number] = data["hall"]
            self._answer(
                201, {"number": number, "status": "received", "hall": data["hall"], "version": 1}
            )
        elif self.path.endswith("/accept"):
            ok = data == {"version": 1}
            self._answer(
                200 if ok else 409,
                {"number": self.path.split("/")[4], "status": "accepted", "version": 2},
            )
        else:
            self._answer(404, {})

    def _rate(self, body: bytes) -> None:
        form = urllib.parse.parse_qs(body.decode())
        cookie = self.headers.get("Cookie", "").removeprefix("ow_tablet=")
        event = form.get("event", [""])[0]
        if not cookie:
            self._answer(403, {"errors": {"tablet": ["not paired"]}})
            return
        with self.lock:
            first = event not in self.server.rated
            self.server.rated.setdefault(event, cookie)
        if first:
            self._answer(201, {"rating": int(event), "level": int(form["level"][0])})
        else:
            self._answer(400, {"errors": {"event": ["already rated"]}})


@contextlib.contextmanager
def serve():
    FakeApi.release = threading.Event()
    server = QuietServer(("127.0.0.1", 0), FakeApi)
    server.counter = 0
    server.seen = FakeApi.seen = []
    server.created = FakeApi.created = {}
    server.rated = FakeApi.rated = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    FakeApi.release.set()
    server.shutdown()
    server.server_close()
