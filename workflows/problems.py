"""Every error as `application/problem+json` (RFC 9457), never a stack trace.

Institutions integrate from their own systems: an error they can parse
(`status`, `title`, `detail`, and `errors` naming each field at fault) is an
answer they can act on. flask-smorest answers validation errors in its own
JSON shape, so its handler is replaced here; engine errors are mapped to their
HTTP status in one table; anything unexpected is logged (type and place, never
the request body: it may hold case data) and answered with a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import (
    Conflict,
    DefinitionRefused,
    EngineError,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from webhooks.secretbox import SecretKeyError

log = logging.getLogger(__name__)

PROBLEM_TYPE = "about:blank"
MEDIA_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """Raised by views for an answer that is not an engine error (403, 409 of a claim...)."""

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.headers = headers
        self.status = status
        self.detail = detail
        self.title = title
        self.errors = errors
        self.extra = extra


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE, "title": title or _title(status),
                            "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages ({location: {field: [..] | {nested}}}) as {path: [..]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[path] = list(value)
            else:
                out.update(flatten_messages(value, path))
    elif isinstance(messages, list):
        if all(isinstance(v, str) for v in messages):
            out[prefix or "_schema"] = list(messages)
        else:
            for i, value in enumerate(messages):
                out.update(flatten_messages(value, f"{prefix}[{i}]"))
    elif messages is not None:
        out[prefix or "_schema"] = [str(messages)]
    return out


def strip_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors under the location (json, query, files): callers want the field."""
    if set(errors) <= {"json", "query", "files", "form", "headers", "path", "view_args"}:
        merged: dict[str, Any] = {}
        for value in errors.values():
            if isinstance(value, dict):
                merged.update(value)
            else:
                merged.setdefault("_schema", value)
        return merged
    return errors


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    if "errors" in data or "messages" in data:
        raw = data.get("errors", data.get("messages"))
        errors = flatten_messages(strip_locations(raw) if isinstance(raw, dict) else raw)
    detail = data.get("message") or error.description
    if status == 422 and errors:
        detail = "the request does not validate: " + ", ".join(sorted(errors))
    if status >= 500:
        detail = "internal error"
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail, errors=errors, headers=headers)


def handle_engine_error(error: EngineError) -> Response:
    if isinstance(error, DefinitionRefused):
        findings = [{"severity": f.severity, "file": f.file, "element_id": f.element_id,
                     "element_name": f.element_name, "message": f.message}
                    for f in error.findings]
        return problem(422, "the definition was refused", title="Definition refused",
                       findings=findings)
    if isinstance(error, InvalidInput):
        return problem(422, str(error), errors=error.errors)
    if isinstance(error, NotFound):
        return problem(404, str(error))
    if isinstance(error, NotAllowed):
        return problem(403, str(error))
    if isinstance(error, Conflict):
        return problem(409, str(error), title=type(error).__name__)
    log.warning("unmapped engine error %s", type(error).__name__)
    return problem(400, str(error))


def handle_api_problem(error: ApiProblem) -> Response:
    return problem(error.status, error.detail, title=error.title, errors=error.errors,
                   headers=error.headers, **error.extra)


def handle_data_error(error: DataError) -> Response:
    """A value the database cannot store (a number out of its range): bad input,
    answered as such; the transaction was rolled back. NUL and lone surrogates in
    a JSON body are refused before any view by `workflows.bodies`, with their path
    and the same 422, so both databases answer alike."""
    log.info("database refused a value: %s", type(getattr(error, "orig", error)).__name__)
    return problem(422, "a value cannot be stored (out of range or a forbidden character)")


def handle_secret_key(error: SecretKeyError) -> Response:
    """The webhook secrets cannot be opened with this process's key: an outage of the
    service (the operator must set CIIFLOW_SECRET_KEY), not a fault of the request."""
    log.error("webhook secret key unusable: %s", type(error).__name__)
    return problem(503, "webhook secrets cannot be opened: the service's secret key "
                   "(CIIFLOW_SECRET_KEY) is missing or wrong", title="Service Unavailable")


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    # The type and the place only: the message may quote case data.
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
    log.error("unexpected %s at %s", type(error).__name__, where)
    return handle_http_exception(InternalServerError())


def install(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(EngineError, handle_engine_error)
    app.register_error_handler(ApiProblem, handle_api_problem)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(SecretKeyError, handle_secret_key)
    app.register_error_handler(Exception, handle_unexpected)
