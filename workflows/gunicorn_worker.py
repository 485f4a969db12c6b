"""gunicorn's threaded worker, answering its own refusals as application/problem+json.

gunicorn refuses some requests before the application sees them (request line
over `limit_request_line`: 414; too many or too large headers: 431; a request it
cannot parse: 400) and writes an HTML page for them. Institutions' systems parse
our errors as RFC 9457 problems, so this worker keeps everything gunicorn does
there (which status, the warning in the log, the access-log line) and only
replaces the body: gunicorn writes its page into a stand-in socket, the status
line is read back from it, and a problem is written to the client instead.
The page's own text is not echoed: for a malformed request line or header it
quotes the client's bytes, which may hold anything (a name or an AVS number in a
query string). For the same reason gunicorn's warning about such a request is
logged without the quoted bytes (`ClientBytesFilter`).
"""

from __future__ import annotations

import json
import logging
import re
import socket
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

MEDIA_TYPE = "application/problem+json"

# what the problem says, by status; gunicorn's limit messages are numbers only
DETAILS = {
    400: "The request could not be parsed as HTTP/1.1.",
    403: "The request was refused by the server.",
    414: "The request line is longer than the server accepts.",
    417: "The Expect header is not supported.",
    431: "The request's header fields are too many or too large.",
    500: "The server could not handle the request.",
    501: "The transfer coding is not supported.",
}


class ClientBytesFilter(logging.Filter):
    """Cuts the client's quoted bytes out of gunicorn's "Invalid request from ip=..." line."""

    PREFIX = "Invalid request from ip="
    QUOTED = re.compile(r"""['"].*""", re.S)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.PREFIX):
            record.msg = self.QUOTED.sub("(request bytes not logged)", record.msg)
        return True


class _PageCatcher:
    """Takes the place of the client socket while gunicorn writes its HTML page."""

    def __init__(self) -> None:
        self.written = bytearray()

    def gettimeout(self) -> float:
        return 0.0  # gunicorn then writes at once, without switching modes

    def sendall(self, data: bytes) -> None:
        self.written += data

    def status(self) -> tuple[int, str]:
        """The status code and reason phrase of the page gunicorn wrote (500 if none)."""
        line = bytes(self.written).split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].isdigit():
            return int(parts[1]), parts[2]
        return 500, "Internal Server Error"


def problem_response(status: int, title: str, detail: str) -> bytes:
    """A complete HTTP/1.1 answer carrying an RFC 9457 problem; the connection then closes."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {title}\r\nConnection: close\r\n"
            f"Content-Type: {MEDIA_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def detail_of(status: int, exc: BaseException) -> str:
    """The sentence for the client: gunicorn's own for a limit (sizes only), else ours."""
    if isinstance(exc, LimitRequestLine | LimitRequestHeaders):
        return f"{DETAILS.get(status, DETAILS[400])} ({exc})"
    return DETAILS.get(status, DETAILS[500] if status >= 500 else DETAILS[400])


class ProblemThreadWorker(ThreadWorker):
    """`gthread` with problem+json refusals; named by `worker_class` in gunicorn_conf."""

    def init_process(self) -> None:
        """Install the log filter first: gunicorn's `init_process` runs the worker loop."""
        self.log.error_log.addFilter(ClientBytesFilter())
        super().init_process()

    def handle_error(self, req: Any, client: socket.socket, addr: Any,
                     exc: BaseException) -> None:
        catcher = _PageCatcher()
        super().handle_error(req, catcher, addr, exc)
        status, title = catcher.status()
        try:
            util.write_nonblock(client, problem_response(status, title, detail_of(status, exc)))
        except Exception:  # the client may be gone: as gunicorn, give up quietly
            self.log.debug("Failed to send error message.")
