"""The throw-away PostgreSQL server used by `make test` works and cleans up after itself.

A plain test: no Django database (no django_db mark); it talks to its own server.
"""

import socket

import psycopg

from onewindow.testing.pgserver import temporary_postgres


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_temporary_postgres_serves_and_cleans_up():
    with temporary_postgres() as url:
        assert url == f"postgres://onewindow@127.0.0.1:{url.port}/onewindow"
        assert url.base_dir.is_dir()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE greeting (id serial PRIMARY KEY, text text NOT NULL)")
            conn.execute("INSERT INTO greeting (text) VALUES (%s)", ["你好, world"])
            assert conn.execute("SELECT text FROM greeting").fetchall() == [("你好, world",)]
            assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        port, base_dir = url.port, url.base_dir

    assert not _port_open(port)
    assert not base_dir.exists()
