"""gunicorn with the committed configuration answers its own refusals as problem+json.

gunicorn refuses an over-long request line (414), oversized or too many headers
(431) and unparsable requests (400) before the application runs; our worker class
(workflows/gunicorn_worker.py) writes those answers as RFC 9457 problems. A real
gunicorn, started as the README says, on a free loopback port and an SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from workflows.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """A running gunicorn: its address, and the lines it has logged so far."""

    def __init__(self, server: subprocess.Popen[str], port: int) -> None:
        self.address = ("127.0.0.1", port)
        self.lines: list[str] = []
        self._logged = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(server,), daemon=True)
        self._reader.start()

    def _read(self, server: subprocess.Popen[str]) -> None:
        assert server.stderr is not None
        for line in server.stderr:
            with self._logged:
                self.lines.append(line)
                self._logged.notify_all()

    def wait_for_line(self, part: str, timeout: float = 10.0) -> str:
        """The first logged line holding `part`, once gunicorn has written it."""
        with self._logged:
            found = self._logged.wait_for(
                lambda: any(part in line for line in self.lines), timeout=timeout)
            assert found, f"gunicorn logged no line with {part!r}"
            return next(line for line in self.lines if part in line)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """gunicorn serving the app with workflows/gunicorn_conf.py, once listening."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "CIIFLOW_DATABASE_URL": f"sqlite:///{tmp / 'ciiflow.sqlite3'}",
           "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp)}  # its own control socket
    database = create_engine(env["CIIFLOW_DATABASE_URL"])
    upgrade(database)  # what `ciiflow db upgrade` does, without starting a process for it
    database.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:workflows.gunicorn_conf",
         "-b", f"127.0.0.1:{port}", "-w", "1", "workflows.app:create_app()"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        running = Served(server, port)
        running.wait_for_line("Listening at", timeout=30)  # the socket is bound
        yield running
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=30)


def exchange(served: Served, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer up to the close: (status, headers, body).

    Every request here ends its connection (refusals close it; the others ask to).
    """
    with socket.create_connection(served.address, timeout=10) as conn:
        conn.sendall(raw)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), _headers(head), body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def problem_of(status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["type"] == "about:blank"
    return problem


def test_a_too_long_request_line_is_a_414_problem(served: Served) -> None:
    raw = b"GET /healthz?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = exchange(served, raw)
    assert status == 414
    problem = problem_of(status, headers, body)
    assert problem["title"] == "URI Too Long" and "4094" in problem["detail"]
    assert "aaaa" not in problem["detail"]


def test_an_oversized_header_is_a_431_problem(served: Served) -> None:
    raw = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n"
    status, headers, body = exchange(served, raw)
    assert status == 431
    problem = problem_of(status, headers, body)
    assert problem["title"] == "Request Header Fields Too Large"
    assert "size" in problem["detail"]


def test_too_many_header_fields_is_a_431_problem(served: Served) -> None:
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(60))
    status, headers, body = exchange(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                     + fields + b"\r\n")
    assert status == 431
    assert problem_of(status, headers, body)["title"] == "Request Header Fields Too Large"


def test_an_unparsable_request_is_a_400_problem_not_echoing_it(
        served: Served) -> None:
    status, headers, body = exchange(served, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                     b"Bad Name: secret-value\r\n\r\n")
    assert status == 400
    problem = problem_of(status, headers, body)
    assert problem["title"] == "Bad Request" and b"secret-value" not in body


def test_the_application_answers_through_the_same_set_up(served: Served) -> None:
    status, headers, body = exchange(
        served, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body)["status"] == "ok"


def test_a_malformed_request_line_is_logged_without_its_bytes(served: Served) -> None:
    status, headers, body = exchange(
        served, b"GET /healthz?avs=756.1234.5678.97\r\nHost: x\r\n\r\n")
    assert status == 400 and b"756.1234" not in body
    problem_of(status, headers, body)
    line = served.wait_for_line("Invalid HTTP request line")
    assert "Invalid request from ip=127.0.0.1: Invalid HTTP request line" in line
    assert "not logged" in line and not any("756.1234" in seen for seen in served.lines)
