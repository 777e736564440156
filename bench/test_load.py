"""The load generator's HTTP client against a real socket server that answers the way
HTTP/1.1 servers do: Content-Length and chunked bodies, keep-alive, Connection: close,
and an idle keep-alive connection closed by the server."""

from __future__ import annotations

import json
import socket
import socketserver
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from load import Client, Run, run_load  # noqa: E402


def _answer(status: int, body: bytes, *, chunked=False, close=False, ctype="application/json"):
    head = [f"HTTP/1.1 {status} X", f"Content-Type: {ctype}"]
    if close:
        head.append("Connection: close")
    if chunked:
        head.append("Transfer-Encoding: chunked")
        half = len(body) // 2
        payload = b"".join(
            f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n"
            for part in (body[:half], body[half:])
            if part
        )
        payload += b"0\r\nX-Trailer: 1\r\n\r\n"
    else:
        head.append(f"Content-Length: {len(body)}")
        payload = body
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


class Handler(socketserver.BaseRequestHandler):
    """Reads requests one after another on a connection; the path says how to answer."""

    def handle(self):
        buffer = b""
        served = 0
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ")
            headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
            length = int(headers.get("content-length", 0))
            while len(buffer) < length:
                buffer += self.request.recv(65536)
            body, buffer = buffer[:length], buffer[length:]
            echo = {
                "method": method,
                "path": path,
                "body": json.loads(body) if body else None,
                "auth": headers.get("authorization"),
                "type": headers.get("content-type"),
                "served_on_connection": served,
            }
            data = json.dumps(echo).encode()
            served += 1
            if path == "/chunked":
                self.request.sendall(_answer(200, data, chunked=True))
            elif path == "/close":
                self.request.sendall(_answer(200, data, close=True))
                return
            elif path == "/once":  # answers, then drops the idle keep-alive connection
                self.request.sendall(_answer(200, data))
                return
            elif path == "/text":
                self.request.sendall(_answer(404, b"not here", ctype="text/plain"))
            elif path == "/bad-chunk":
                self.request.sendall(b"HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            elif path == "/until-close":
                self.request.sendall(b"HTTP/1.1 200 X\r\nContent-Type: text/plain\r\n\r\nall of it")
                return
            else:
                self.request.sendall(_answer(201, data))


@pytest.fixture
def server():
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def client(port):
    return Client("127.0.0.1", port, {"Authorization": "Bearer t"}, Run(warmup=0))


def served_on_a_new_connection(c) -> bool:
    """Whether the client's next request is the first one of its connection."""
    _s, echo = c.request("GET", "/x", expect=(201,))
    return echo["served_on_connection"] == 0


def test_json_body_headers_and_keep_alive(server):
    c = client(server)
    status, echo = c.request("POST", "/cases", {"name": "张三"}, expect=(201,))
    assert status == 201
    assert echo["method"] == "POST" and echo["path"] == "/cases"
    assert echo["body"] == {"name": "张三"}
    assert echo["auth"] == "Bearer t" and echo["type"] == "application/json"
    _s, again = c.request("GET", "/cases/1", expect=(201,))
    assert again["served_on_connection"] == 1  # the same connection
    assert again["body"] is None and again["type"] is None
    assert c.run.result.requests == 2 and c.run.result.statuses == {201: 2}


def test_chunked_body_with_extensions_and_trailer(server):
    c = client(server)
    _s, echo = c.request("GET", "/chunked")
    assert echo["path"] == "/chunked"
    _s, next_one = c.request("GET", "/x", expect=(201,))  # the trailer was read to its end
    assert next_one["served_on_connection"] == 1


def test_connection_close_then_a_new_connection(server):
    c = client(server)
    c.request("GET", "/close")
    assert c.conn is None
    assert served_on_a_new_connection(c)


def test_idle_connection_closed_by_the_server_is_retried_once(server):
    c = client(server)
    c.request("GET", "/once")
    assert c.conn is not None  # the server did not say it would close
    assert served_on_a_new_connection(c)


def test_body_delimited_by_the_end_of_the_connection(server):
    c = client(server)
    status, body = c.request("GET", "/until-close")
    assert (status, body) == (200, b"all of it")
    assert c.conn is None


def test_a_garbled_answer_raises_and_drops_the_connection(server):
    c = client(server)
    with pytest.raises(ValueError):
        c.request("GET", "/bad-chunk")
    assert c.conn is None
    assert served_on_a_new_connection(c)


def test_unexpected_status_raises_with_the_body(server):
    c = client(server)
    with pytest.raises(RuntimeError, match="404 b'not here'"):
        c.request("GET", "/text")


def test_refused_connection_raises():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    with pytest.raises(OSError):
        client(port).request("GET", "/")


def test_run_load_counts_units_and_requests(server):
    def scenario(c, i, n):
        _s, created = c.request("POST", "/cases", {"i": i, "n": n}, expect=(201,))
        c.request("GET", f"/cases/{created['body']['n']}", expect=(201,))

    result = run_load(
        host="127.0.0.1",
        port=server,
        clients=4,
        scenario=scenario,
        headers_for=lambda i: {},
        seconds=5,
        max_units=40,
        warmup=0,
    )
    assert result.errors == 0
    assert result.units >= 40
    assert result.requests >= 2 * 40
