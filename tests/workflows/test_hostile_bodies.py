"""Hostile JSON bodies on every operation that takes one: a problem, never a 500, no write.

The operations come from the app's own OpenAPI document, so a new operation
with a JSON body fails `test_every_json_operation_has_a_valid_body` until it
is listed in `OPERATIONS` (with a role allowed to call it and a valid body the
hostile variants are built from). Each answer must name the field path the
guard found, which shows the guard answered and not a later 404 or schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import Schema
from sqlalchemy import func, select

from engine import Engine
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.bodies import DEFAULT_MAX_DEPTH, BodyRefused, loads
from workflows.migrate import metadata

Call = Callable[..., Any]
DEEP = 100_000
WRITTEN = ("instance", "task", "history", "incident", "external_task", "message_subscription",
           "webhook_endpoint", "webhook_message", "webhook_delivery", "access_log")

# (method, OpenAPI path) -> (principal of tests/workflows/conftest.py, valid body, string field)
OPERATIONS: dict[tuple[str, str], tuple[str, dict[str, Any], str]] = {
    ("post", "/api/v1/processes/{key}/instances"):
        ("orp", {"business_key": "R-1", "data": ANNOUNCEMENT}, "business_key"),
    ("post", "/api/v1/instances/{instance_id}/suspend"): ("coordinator", {"reason": "x"}, "reason"),
    ("post", "/api/v1/instances/{instance_id}/resume"): ("coordinator", {"reason": "x"}, "reason"),
    ("post", "/api/v1/instances/{instance_id}/terminate"):
        ("coordinator", {"reason": "x"}, "reason"),
    ("post", "/api/v1/messages"):
        ("coordinator", {"name": "oai_decision", "business_key": "R-1", "payload": {}}, "name"),
    ("post", "/api/v1/tasks/{task_id}/complete"):
        ("team_central", {"data": {"service": "tro"}}, "comment"),
    ("post", "/api/v1/incidents/{incident_id}/retry"): ("coordinator", {"data": {}}, "note"),
    ("post", "/api/v1/external-tasks/fetch-and-lock"):
        ("worker", {"worker_id": "w-1", "topics": [{"name": "t", "lock_duration": 1000}]},
         "worker_id"),
    ("post", "/api/v1/external-tasks/{task_id}/complete"):
        ("worker", {"worker_id": "w-1", "variables": {}}, "worker_id"),
    ("post", "/api/v1/external-tasks/{task_id}/failure"):
        ("worker", {"worker_id": "w-1", "retries": 0}, "worker_id"),
    ("post", "/api/v1/external-tasks/{task_id}/bpmn-error"):
        ("worker", {"worker_id": "w-1", "error_code": "E"}, "error_code"),
    ("post", "/api/v1/webhooks/endpoints"):
        ("orp", {"url": "https://example.org/hook"}, "description"),
    ("patch", "/api/v1/webhooks/endpoints/{endpoint_id}"):
        ("orp", {"description": "d"}, "description"),
}


def _deep_array(base: dict[str, Any], field: str) -> tuple[str, str]:
    return "[" * DEEP + "]" * DEEP, "[0][0]"


def _deep_data(base: dict[str, Any], field: str) -> tuple[str, str]:
    rest = json.dumps({k: v for k, v in base.items() if k != "data"})[1:]
    return ('{"data": ' + '{"a": ' * DEEP + "1" + "}" * DEEP
            + (", " + rest if rest != "}" else "}"), "data.a.a")


def _long_integer(base: dict[str, Any], field: str) -> tuple[str, str]:
    return json.dumps(base)[:-1] + ', "n": ' + "7" * 5000 + "}", "n"


def _duplicate_key(base: dict[str, Any], field: str) -> tuple[str, str]:
    first = next(iter(base))
    return json.dumps(base)[:-1] + f', "{first}": {json.dumps(base[first])}' + "}", first


def _lone_surrogate(base: dict[str, Any], field: str) -> tuple[str, str]:
    return json.dumps({**base, field: "R-\ud800"}), field


def _nul(base: dict[str, Any], field: str) -> tuple[str, str]:
    return json.dumps({**base, field: "R-\x00"}), field


HOSTILE = {"deep_array": (_deep_array, 400), "deep_data": (_deep_data, 400),
           "long_integer": (_long_integer, 400), "duplicate_key": (_duplicate_key, 400),
           "lone_surrogate": (_lone_surrogate, 422), "nul": (_nul, 422)}


def _json_operations(app: Flask) -> set[tuple[str, str]]:
    doc = app.test_client().get("/api/openapi.json").get_json()
    return {(method, path) for path, ops in doc["paths"].items() for method, op in ops.items()
            if isinstance(op, dict)
            and "application/json" in op.get("requestBody", {}).get("content", {})}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.sessions() as session:
        return {name: session.scalar(select(func.count()).select_from(metadata.tables[name]))
                for name in WRITTEN}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def _past_guard(response: Any) -> bool:
    """The answer did not come from the body guard (it may still be a schema's 422)."""
    errors = (response.get_json() or {}).get("errors") or {}
    messages = " ".join(m for found in errors.values() for m in found)
    return response.status_code != 400 and not any(
        word in messages for word in ("nested deeper than 64", "number", "duplicate", "NUL"))


def test_every_json_operation_has_a_valid_body(app: Flask) -> None:
    assert _json_operations(app) == set(OPERATIONS)


@pytest.fixture
def case(deployed: Engine, call: Call) -> dict[str, str]:
    """Real ids for the path parameters: a running case and its ready task."""
    started = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                   json={"business_key": "c-1", "data": ANNOUNCEMENT})
    assert started.status_code == 201
    task = call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]
    return {"key": "cii_mini", "instance_id": started.get_json()["instance"]["id"],
            "task_id": task["id"], "incident_id": "1",
            "endpoint_id": "00000000-0000-0000-0000-000000000000"}


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
@pytest.mark.parametrize("operation", sorted(OPERATIONS), ids="{0[0]} {0[1]}".format)
def test_hostile_body_is_a_problem_and_writes_nothing(
        engine: Engine, call: Call, case: dict[str, str], operation: tuple[str, str],
        hostile: str) -> None:
    method, template = operation
    who, base, field = OPERATIONS[operation]
    build, status = HOSTILE[hostile]
    text, path = build(base, field)
    before = _counts(engine)
    response = call(who, method.upper(), template.format(**case), data=text,
                    content_type="application/json")
    body = _problem(response, status)
    assert any(key.startswith(path) for key in body["errors"]), body["errors"]
    assert _counts(engine) == before


def test_the_valid_bodies_pass_the_guard(engine: Engine, call: Call,
                                         case: dict[str, str]) -> None:
    """The same bodies without the hostile part are not refused by the guard (400/422 of it)."""
    for (method, template), (who, base, _field) in OPERATIONS.items():
        response = call(who, method.upper(), template.format(**case), json=base)
        assert response.status_code < 500 and _past_guard(response), (template,
                                                                      response.get_json())


def test_depth_at_the_limit_is_accepted_one_more_is_refused(deployed: Engine, call: Call) -> None:
    def start(depth: int, key: str) -> Any:
        nested = '{"a": ' * (depth - 2) + "1" + "}" * (depth - 2)
        body = (f'{{"business_key": "{key}", "data": {{"region": "valais-central", '
                f'"consent": true, "summary": "s", "person_ref": "P-1", "deep": {nested}}}}}')
        return call("orp", "POST", "/api/v1/processes/cii_mini/instances", data=body,
                    content_type="application/json")

    # past the guard, the engine answers with its own (smaller) bound on case data
    at_limit = start(DEFAULT_MAX_DEPTH, "at-limit")
    assert at_limit.status_code == 422 and _past_guard(at_limit)
    refused = _problem(start(DEFAULT_MAX_DEPTH + 1, "over"), 400)
    assert list(refused["errors"]) == ["data.deep.a.a.a.a.a.a…"]
    assert str(DEFAULT_MAX_DEPTH) in refused["detail"]


def test_the_parser_alone_at_and_over_the_limit() -> None:
    assert loads("[" * DEFAULT_MAX_DEPTH + "]" * DEFAULT_MAX_DEPTH) == eval(  # noqa: S307
        "[" * DEFAULT_MAX_DEPTH + "]" * DEFAULT_MAX_DEPTH)
    with pytest.raises(BodyRefused) as refused:
        loads('{"a": [' + "[" * DEFAULT_MAX_DEPTH + "]" * DEFAULT_MAX_DEPTH + "]}")
    assert refused.value.status == 400
    assert list(refused.value.errors or {}) == ["a[0][0][0][0][0][0][0]…"]
    with pytest.raises(BodyRefused) as late:
        loads("[" + "[]," * 5000 + "[" * DEEP + "]" * DEEP + "]")
    assert list(late.value.errors or {}) == ["[5000][0][0][0][0][0][0][0]…"]
    with pytest.raises(BodyRefused) as nested_twice:
        loads('[{"a": [{"b": 1, "b": 2}]}]')
    assert nested_twice.value.errors == {"[0].a[0].b": ["duplicate key"]}
    brackets_in_strings = '{"a": "' + "[" * DEEP + '", "b": [["]"]]}'
    assert loads(brackets_in_strings)["b"] == [["]"]]


def test_each_refusal_names_its_field(deployed: Engine, call: Call) -> None:
    def send(text: str) -> dict[str, Any]:
        response = call("orp", "POST", "/api/v1/processes/cii_mini/instances", data=text,
                        content_type="application/json")
        return response

    data = json.dumps(ANNOUNCEMENT)[:-1]
    long = send('{"business_key": "k", "data": ' + data + ', "n": [1, ' + "9" * 101 + "]}}")
    assert _problem(long, 400)["errors"] == {"data.n[1]": ["a number longer than 100 characters"]}
    assert _past_guard(send('{"business_key": "k", "data": ' + data + ', "n": ' + "9" * 100
                            + "}}"))
    for literal in ("NaN", "Infinity", "1e999"):
        refused = _problem(send('{"business_key": "k2", "data": ' + data + ', "x": '
                                + literal + "}}"), 400)
        assert list(refused["errors"]) == ["data.x"]
    twice = _problem(send('{"business_key": "a", "business_key": "b", "data": {}}'), 400)
    assert twice["errors"] == {"business_key": ["duplicate key"]}
    key = _problem(send('{"business_key": "k3", "data": {"x\\ud800": 1}}'), 422)
    assert list(key["errors"]) == ["data.x\ufffd"]
    escaped = send('{"business_key": "k\\\\ud800", "data": ' + data + "}}")
    assert escaped.status_code == 201, escaped.get_json()
    assert escaped.get_json()["instance"]["business_key"] == "k\\ud800"


def test_webargs_reads_the_raw_body_not_request_get_json(app: Flask) -> None:
    """Why the guard is a before_request hook: webargs (flask-smorest's parser) parses
    `get_data()` with its own `json.loads`; a JSON provider would only see `get_json()`."""
    seen: list[str | bytes] = []

    class Spy(DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            seen.append(s)
            return super().loads(s, **kwargs)

    app.json = Spy(app)
    with app.test_request_context("/api/v1/messages", method="POST", json={"a": 1}):
        assert ArgumentsMixin.ARGUMENTS_PARSER.load_json(request, Schema()) == {"a": 1}
        assert seen == []
        assert request.get_json() == {"a": 1}
        assert len(seen) == 1
