"""Authorization matrix: every endpoint × every role, on a fresh database per cell.

"own" is the institution whose group is the candidate of case A's open task;
"other" is another institution (it has its own case B). Others' data is answered
403 (wrong role) or 404 (not yours, indistinguishable from "does not exist"),
and such answers never carry case data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import Engine
from engine.runtime.external import fetch_and_lock
from engine.store.models import Task
from tests.support.principals import add_principal, bearer
from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT

ROLES = ("admin", "coordinator", "owner", "worker", "worker_other", "own", "other", "anonymous")
PERSONAL = "P-SECRET-42"


@dataclass
class Scene:
    tokens: dict[str, str]
    ids: dict[str, str]


def build_scene(engine: Engine) -> Scene:
    engine.deploy({"cii_mini.bpmn": processes.cii_mini(),
                   "external.bpmn": processes.external(),
                   "message.bpmn": processes.message_case()})
    tokens = {
        "admin": add_principal(engine, "admin", "admin").token,
        "coordinator": add_principal(engine, "coordinator", "coordinator").token,
        "owner": add_principal(engine, "owner", "process-owner").token,
        "worker": add_principal(engine, "worker", "worker", topics=["register-case"]).token,
        "worker_other": add_principal(engine, "worker_other", "worker", topics=["other"]).token,
        "own": add_principal(engine, "own", "institution", ["cii-team-valais-central"]).token,
        "other": add_principal(engine, "other", "institution", ["cii-team-bas-valais"]).token,
    }
    a = engine.start("cii_mini", "case-A", {**ANNOUNCEMENT, "person_ref": PERSONAL}, actor="orp")
    b = engine.start("cii_mini", "case-B", {**ANNOUNCEMENT, "region": "bas-valais"}, actor="orp")
    engine.start("external_case", "case-E", {"person_ref": PERSONAL})
    engine.start("message_case", "case-M", {})
    locked = fetch_and_lock(engine, "w1", [("register-case", 600_000)], max_tasks=1)
    with engine.sessions() as s:
        task_a = s.scalar(select(Task.id).where(Task.instance_id == a.instance.id))
        task_b = s.scalar(select(Task.id).where(Task.instance_id == b.instance.id))
    return Scene(tokens, {"A": a.instance.id, "B": b.instance.id, "TA": task_a, "TB": task_b,
                          "X": locked[0]["id"]})


def deploy_body() -> dict[str, Any]:
    return {"data": {"files": [(io.BytesIO(processes.cii_mini()), "cii_mini.bpmn")]},
            "content_type": "multipart/form-data"}


READ_DEFS = {"admin": 200, "coordinator": 200, "owner": 200, "worker": 403,
             "worker_other": 403, "own": 200, "other": 200}
COORD = {"admin": 200, "coordinator": 200}
INSTITUTION_ACT = {"admin": 200, "own": 200, "other": 404}
WORKER_ACT = {"admin": 200, "worker": 200, "worker_other": 404}

# (name, method, path, body factory, expected by role; roles not listed get 403)
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("list definitions", "GET", "/api/v1/definitions", None, READ_DEFS),
    ("deploy", "POST", "/api/v1/definitions", deploy_body, {"admin": 201, "owner": 201}),
    ("definition versions", "GET", "/api/v1/definitions/cii_mini", None, READ_DEFS),
    ("definition xml", "GET", "/api/v1/definitions/cii_mini/versions/1", None, READ_DEFS),
    ("announce", "POST", "/api/v1/processes/cii_mini/instances",
     lambda: {"json": {"business_key": "case-N", "data": ANNOUNCEMENT}},
     {"admin": 201, "coordinator": 201, "own": 201, "other": 201}),
    ("list instances", "GET", "/api/v1/instances", None, COORD),
    ("read instance", "GET", "/api/v1/instances/{A}", None,
     {**COORD, "own": 200, "other": 404}),
    ("suspend", "POST", "/api/v1/instances/{A}/suspend",
     lambda: {"json": {"reason": "check"}}, COORD),
    ("resume (not suspended)", "POST", "/api/v1/instances/{A}/resume",
     lambda: {"json": {"reason": "check"}}, {"admin": 409, "coordinator": 409}),
    ("terminate", "POST", "/api/v1/instances/{A}/terminate",
     lambda: {"json": {"reason": "duplicate"}}, COORD),
    ("access log", "GET", "/api/v1/instances/{A}/access-log", None, COORD),
    ("history", "GET", "/api/v1/instances/{A}/history", None,
     {**COORD, "own": 200, "other": 404}),
    ("message", "POST", "/api/v1/messages",
     lambda: {"json": {"name": "oai_decision", "business_key": "case-M"}},
     {**COORD, "own": 409, "other": 409}),
    ("evaluate conditions", "POST", "/api/v1/conditions",
     lambda: {"json": {"variables": {"urgent": True}}}, {**COORD, "own": 200, "other": 200}),
    ("list tasks", "GET", "/api/v1/tasks", None, {**COORD, "own": 200, "other": 200}),
    ("read task", "GET", "/api/v1/tasks/{TA}", None, {**COORD, "own": 200, "other": 404}),
    ("claim", "POST", "/api/v1/tasks/{TA}/claim", None, INSTITUTION_ACT),
    ("complete", "POST", "/api/v1/tasks/{TA}/complete",
     lambda: {"json": {"data": {"service": "tro"}}}, INSTITUTION_ACT),
    ("stuck", "GET", "/api/v1/stuck", None, COORD),
    ("incidents", "GET", "/api/v1/incidents", None, COORD),
    ("retry", "POST", "/api/v1/incidents/1/retry", lambda: {"json": {}},
     {"admin": 404, "coordinator": 404}),
    ("fetch and lock", "POST", "/api/v1/external-tasks/fetch-and-lock",
     lambda: {"json": {"worker_id": "w2", "topics": [{"name": "register-case",
                                                      "lock_duration": 1000}]}},
     {"admin": 200, "worker": 200, "worker_other": 200}),
    ("external complete", "POST", "/api/v1/external-tasks/{X}/complete",
     lambda: {"json": {"worker_id": "w1", "variables": {"registration": "R-1"}}}, WORKER_ACT),
    ("external failure", "POST", "/api/v1/external-tasks/{X}/failure",
     lambda: {"json": {"worker_id": "w1", "error_message": "down", "retries": 2}}, WORKER_ACT),
    ("external bpmn error", "POST", "/api/v1/external-tasks/{X}/bpmn-error",
     lambda: {"json": {"worker_id": "w1", "error_code": "NOT_REGISTERED"}}, WORKER_ACT),
]


def expected(row: dict[str, int], role: str) -> int:
    if role == "anonymous":
        return 401
    return row.get(role, 403)


CELLS = [pytest.param(name, method, path, body, role, expected(row, role),
                      id=f"{name}-{role}")
         for name, method, path, body, row in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "method", "path", "body", "role", "status"), CELLS)
def test_matrix(engine: Engine, client: FlaskClient, name: str, method: str, path: str,
                body: Any, role: str, status: int) -> None:
    scene = build_scene(engine)
    headers = bearer(scene.tokens[role]) if role != "anonymous" else {}
    response = client.open(path.format(**scene.ids), method=method, headers=headers,
                           **(body() if body else {}))
    assert response.status_code == status, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        assert PERSONAL not in text and "case-A" not in text
    if name == "list tasks" and role in ("own", "other"):
        ids = {t["id"] for t in response.get_json()["items"]}
        assert ids == ({scene.ids["TA"]} if role == "own" else {scene.ids["TB"]})
    if name == "fetch and lock" and role == "worker_other":
        assert response.get_json()["items"] == []
    if name in ("read instance", "read task", "history") and role == "own":
        assert PERSONAL not in text  # an institution never gets the case data
    if name == "read instance" and role == "coordinator":
        assert response.get_json()["data"]["person_ref"] == PERSONAL
