"""Bodies on every operation of the OpenAPI document: a problem, never a 500, no write.

The operations come from the app's own OpenAPI document when the tests run, so
an operation added tomorrow is covered without being listed: each one that
takes a JSON body must answer 415 to another media type (or none), 400 to JSON
that does not parse or breaks the limits (depth, numbers, duplicate keys), 422
to NUL and lone surrogates, and change not a row of any table. `OPERATIONS`
gives, for the operations known here, a role allowed to call it and a valid
body the hostile variants are built from (an unlisted operation is probed as
admin from `{"probe": "x"}`). Each answer must name what the guard found (`Content-Type`,
`_body`, the field path), which shows the guard answered and not a later 404
or schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import Schema
from sqlalchemy import select

from engine import Engine
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.bodies import DEFAULT_MAX_DEPTH, BodyRefused, loads
from workflows.migrate import metadata

Call = Callable[..., Any]
DEEP = 100_000
PROBE: tuple[str, dict[str, Any], str] = ("admin", {"probe": "x"}, "probe")

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
    ("post", "/api/v1/conditions"):
        ("coordinator", {"variables": {"urgent": True}, "business_key": "R-1"}, "business_key"),
    ("post", "/api/v1/signals"):
        ("coordinator", {"name": "rules_changed", "variables": {"ruleset": "x"}}, "name"),
    ("post", "/api/v1/instances/{instance_id}/trigger"):
        ("coordinator", {"activity_id": "Wait_File", "variables": {"file": "x"}}, "activity_id"),
    ("post", "/api/v1/tasks/{task_id}/complete"):
        ("team_central", {"data": {"service": "tro"}}, "comment"),
    ("post", "/api/v1/incidents/{incident_id}/retry"): ("coordinator", {"data": {}}, "note"),
    ("post", "/api/v1/tasks/{task_id}/release"): ("coordinator", {"reason": "x"}, "reason"),
    ("post", "/api/v1/tasks/{task_id}/unclaim"): ("coordinator", {"reason": "x"}, "reason"),
    ("post", "/api/v1/tasks/{task_id}/reassign"):
        ("coordinator", {"groups": ["sas"], "reason": "x"}, "reason"),
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


def test_the_listed_operations_exist(app: Flask) -> None:
    """A listed operation that left the document is a stale entry; unlisted ones are probed."""
    assert set(OPERATIONS) <= _json_operations(app)


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
def test_hostile_body_is_a_problem_and_writes_nothing(
        app: Flask, engine: Engine, call: Call, case: dict[str, str], hostile: str) -> None:
    build, status = HOSTILE[hostile]
    before = _rows(engine)
    for operation in sorted(_json_operations(app)):
        method, template = operation
        who, base, field = OPERATIONS.get(operation, PROBE)
        text, path = build(base, field)
        response = call(who, method.upper(), _url(template, case), data=text,
                        content_type="application/json")
        assert response.status_code == status, (operation, response.get_data(as_text=True))
        body = _problem(response, status)
        assert any(key.startswith(path) for key in body["errors"]), (operation, body["errors"])
    assert _rows(engine) == before


def _operations(app: Flask) -> dict[tuple[str, str], bool]:
    """Every operation of the OpenAPI document -> whether it takes a JSON body."""
    doc = app.test_client().get("/api/openapi.json").get_json()
    return {(method, path): "application/json" in op.get("requestBody", {}).get("content", {})
            for path, ops in doc["paths"].items() for method, op in ops.items()
            if isinstance(op, dict)}


def _rows(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table: a refused request must change none (not only add none)."""
    with engine.sessions() as session:
        return {table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
                for table in metadata.sorted_tables}


def _url(template: str, case: dict[str, str]) -> str:
    """The path with the case's ids; a parameter the case does not know gets 1 (an int or
    string converter both match it: the guard answers before any view looks it up)."""
    return template.format_map({name: case.get(name, "1")
                                for name in re.findall(r"{(\w+)}", template)})


def _body(operation: tuple[str, str]) -> str:
    """A valid body of the operation when known, else an empty object."""
    return json.dumps(OPERATIONS[operation][1] if operation in OPERATIONS else {})


# name -> (Content-Type sent or None, body builder, status expected)
MEDIA: dict[str, tuple[str | None, Callable[[tuple[str, str]], str], int]] = {
    "valid_body_no_content_type": (None, _body, 415),
    "valid_body_as_text_plain": ("text/plain", _body, 415),
    "valid_body_as_form": ("application/x-www-form-urlencoded", _body, 415),
    "no_body_no_content_type": (None, lambda _op: "", 415),
    "not_json_no_content_type": (None, lambda _op: "{not json", 415),
    "not_json_as_json": ("application/json", lambda _op: "{not json", 400),
}


@pytest.mark.parametrize("media", sorted(MEDIA))
def test_every_json_operation_refuses_another_media_type_or_broken_json(
        app: Flask, engine: Engine, call: Call, case: dict[str, str], media: str) -> None:
    """415 for a body not declared JSON, 400 for JSON that does not parse, on every
    operation of the OpenAPI document that takes a JSON body; not a row changes."""
    content_type, build, status = MEDIA[media]
    operations = sorted(op for op, takes in _operations(app).items() if takes)
    assert ("post", "/api/v1/processes/{key}/instances") in operations
    before = _rows(engine)
    for operation in operations:
        method, template = operation
        who = OPERATIONS[operation][0] if operation in OPERATIONS else "admin"
        headers = {"Content-Type": content_type} if content_type else {}
        response = call(who, method.upper(), _url(template, case), data=build(operation),
                        headers=headers)
        assert response.status_code == status, (operation, response.get_data(as_text=True))
        body = _problem(response, status)
        named = "Content-Type" if status == 415 else "_body"
        assert named in body["errors"], (operation, body)
        if status == 415:
            accept = "Accept-Patch" if method == "patch" else "Accept-Post"
            assert response.headers[accept] == "application/json"
    assert _rows(engine) == before


def test_not_json_without_content_type_starts_no_case(deployed: Engine, call: Call) -> None:
    """The case of the issue: `{not json` and no Content-Type started a case with no data."""
    response = call("orp", "POST", "/api/v1/processes/cii_mini/instances", data="{not json")
    assert _problem(response, 415)["errors"] == {"Content-Type": ["must be application/json"]}
    assert deployed.instances().items == []


def test_operations_without_a_body_need_no_content_type(
        app: Flask, call: Call, case: dict[str, str]) -> None:
    """A GET, a DELETE, a claim: no body, no Content-Type, and never a 415."""
    bodiless = [op for op, takes in _operations(app).items()
                if not takes and op != ("post", "/api/v1/definitions")]
    assert ("post", "/api/v1/tasks/{task_id}/claim") in bodiless
    for method, template in sorted(bodiless, key=lambda op: op[0] == "delete"):
        response = call("admin" if "webhooks" in template else "coordinator",
                        method.upper(), _url(template, case))
        assert response.status_code not in (400, 415, 500), (method, template,
                                                              response.get_json())
    claimed = call("team_central", "POST", f"/api/v1/tasks/{case['task_id']}/claim")
    assert claimed.status_code == 200, claimed.get_json()


def test_the_valid_bodies_pass_the_guard(app: Flask, engine: Engine, call: Call,
                                         case: dict[str, str]) -> None:
    """The same bodies without the hostile part are not refused by the guard (400/422 of it)."""
    for method, template in sorted(_json_operations(app)):
        who, base, _field = OPERATIONS.get((method, template), PROBE)
        response = call(who, method.upper(), _url(template, case), json=base)
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
