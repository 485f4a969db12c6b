"""JSON log lines, each carrying the id of the request it was written for.

An operator follows one request through the service, the engine and the
webhook outbox by its id: `X-Request-Id` is taken from the request when it is
short and made of safe characters (a proxy or the client's system set it),
otherwise one is made; it is returned in the response and set in a context
variable for the time the request is served, so every line logged meanwhile,
by whatever module (the engine's included, which knows nothing of Flask),
gets it through `RequestIdFilter` on the handler.

What a line may hold: ids (request, instance, task, incident), the route
template (`/api/v1/tasks/<string:task_id>/complete`), the method, the status
and the duration. Never the query string (it may hold a business key), a
body, a header or a token: the one line written per request is built from
those fields only, and the other lines of the code base log ids and error
types only (tests/workflows/test_logs.py serves a case and checks).

The JSON itself is `python-json-logger`'s; gunicorn's own loggers get the
same formatter through `gunicorn_logging` (workflows/gunicorn_conf.py), and
`ciiflow worker` through `configure`.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar, Token
from typing import Any, TextIO

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

HEADER = "X-Request-Id"
#: a taken id: up to 64 letters, digits and `._:-` (a UUID, a proxy's hex id, a trace id)
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
FIELDS = ("asctime", "levelname", "name", "message", "request_id")
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}

#: the `extra` fields a line may carry: ids, routes, statuses, durations, counts
SAFE_EXTRAS = frozenset({
    "method", "route", "status", "duration_ms", "instance_id", "task_id", "incident_id",
    "delivery_id", "endpoint_id", "message_id", "event_type", "process_key", "activity_id",
    "attempt", "attempts", "worker", "count", "error_type"})
KEPT = frozenset({RENAMED.get(f, f) for f in FIELDS}) | SAFE_EXTRAS | {"exc_info", "stack_info"}
#: libraries whose INFO lines are noise or carry case data: warnings and errors only
QUIET = ("spiff", "SpiffWorkflow", "alembic.runtime.migration")

request_id: ContextVar[str | None] = ContextVar("ciiflow_request_id", default=None)
log = logging.getLogger("ciiflow.requests")


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id,
    and those `extra` fields of the call that are in `SAFE_EXTRAS`.

    Only named fields: a library's `extra` may carry anything (SpiffWorkflow's
    "State changed" lines carry the task's whole data, that is case data), and a
    JSON formatter would write every one of them.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(list(FIELDS), **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        for key in [k for k in log_data if k not in KEPT]:
            del log_data[key]

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is written (a test runner swaps it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """A handler writing JSON lines with the request id, to `stream` or standard error."""
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("ciiflow-json")
    return handler


def configure(level: str | int = logging.INFO) -> None:
    """JSON lines on standard error for this process (`ciiflow worker`); idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "ciiflow-json":
            root.removeHandler(handler)
    root.addHandler(json_handler())
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning is a JSON line too, not raw text
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def gunicorn_logging(level: str = "INFO") -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error log and the application's loggers as JSON
    lines on standard error; its access log (stdout) quiet, the application's request
    line says more. Python's warnings go through logging (`py.warnings`) as well."""
    logging.captureWarnings(True)
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "filters": ["request_id"], "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler,
                     "json_access": {**handler, "stream": "ext://sys.stdout"}},
        "root": {"level": level, "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["json"], "propagate": False},
            # the application writes one line per request (`_finish`): gunicorn's would
            # repeat it without the fields; raise to INFO to have both
            "gunicorn.access": {"level": "WARNING", "handlers": ["json_access"],
                                "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def taken_or_made(value: str | None) -> str:
    """The client's id when it is safe to log and return, else a new one."""
    if value is not None and VALID_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _begin() -> None:
    g.request_id = taken_or_made(request.headers.get(HEADER))
    g.request_id_token = request_id.set(g.request_id)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid is None:  # a before_request hook ahead of ours refused the request
        _begin()
        rid = g.request_id
    response.headers[HEADER] = rid
    rule = request.url_rule.rule if request.url_rule is not None else None
    log.info("request", extra={
        "method": request.method, "route": rule, "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1)})
    return response


def _forget(_error: BaseException | None) -> None:
    token: Token[str | None] | None = g.pop("request_id_token", None)
    if token is not None:
        request_id.reset(token)


def install(app: Flask) -> None:
    """Take or make each request's id, return it, and log one line per request.

    Installed before the other hooks, so a request they refuse has its id too."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_forget)
