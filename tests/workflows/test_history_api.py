"""`GET /api/v1/instances/{id}/history`: pages, order, kinds, who reads what, the access log.

The case walks the mini CII process over HTTP as the institutions would; the
history is then read back by a coordinator (every row, with the data each task
was completed with), by the SAS (its own rows, without values) and by
institutions that neither announced it nor took part (404, as for a case that
does not exist).
The submitted values never reach a webhook body or the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from engine import Engine
from tests.workflows.conftest import ANNOUNCEMENT
from webhooks.models import WebhookMessage
from workflows.app import create_app

Call = Callable[..., Any]
NOTE = "Zq9-note"  # a value only the triage form carries


@pytest.fixture
def app(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    return create_app({"TESTING": True}, engine=engine)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def walk(call: Call) -> str:
    """Announce, triage (with a note), claim and give the préavis, suspend: the case id."""
    for who in ("team_central", "sas"):
        ok(call(who, "POST", "/api/v1/webhooks/endpoints",
                json={"url": "http://127.0.0.1:9/hook",
                      "event_types": ["task.ready", "task.completed"]}), 201)
    started = ok(call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                      json={"business_key": "H-1", "data": ANNOUNCEMENT}), 201)
    triage = started["open_tasks"][0]["id"] if started["open_tasks"] else ok(
        call("team_central", "GET", "/api/v1/tasks"))["items"][0]["id"]
    ok(call("team_central", "POST", f"/api/v1/tasks/{triage}/complete",
            json={"data": {"service": "tro", "note": NOTE, "score": 3}}))
    preavis = ok(call("sas", "GET", "/api/v1/tasks"))["items"][0]["id"]
    ok(call("sas", "POST", f"/api/v1/tasks/{preavis}/claim"))
    ok(call("sas", "POST", f"/api/v1/tasks/{preavis}/complete",
            json={"data": {"opinion": "unfavourable"}}))
    instance_id = started["instance"]["id"]
    ok(call("coordinator", "POST", f"/api/v1/instances/{instance_id}/suspend",
            json={"reason": "appeal lodged"}))
    return instance_id


def test_a_coordinator_reads_every_row_with_what_was_decided(
        deployed: Engine, call: Call, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    instance_id = walk(call)
    body = ok(call("coordinator", "GET", f"/api/v1/instances/{instance_id}/history?limit=500"))
    rows = body["items"]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))  # oldest first
    kinds = [(r["kind"], r["activity_id"]) for r in rows]
    assert kinds.index(("task_completed", "triage_task")) < kinds.index(
        ("task_claimed", "preavis_task")) < kinds.index(("task_completed", "preavis_task"))
    triage = next(r for r in rows if r["kind"] == "task_completed"
                  and r["activity_id"] == "triage_task")
    # what was submitted, as validated: not the read-only region the form shows
    assert triage["detail"] == {"data": {"service": "tro", "note": NOTE, "score": 3}}
    assert triage["activity_name"] == "triage task"
    claimed = next(r for r in rows if r["kind"] == "task_claimed")
    assert claimed["actor"] == "sas"
    suspended = rows[-2:]
    assert [(r["kind"], r["actor"]) for r in suspended] == [
        ("suspend", "coordinator"), ("state_changed", None)]
    assert suspended[0]["detail"] == {"reason": "appeal lodged"}

    # never in a webhook body, never in the log
    with deployed.sessions() as session:
        bodies = list(session.scalars(select(WebhookMessage.body)))
    assert any('"task.completed"' in b for b in bodies)
    assert not any(NOTE in b for b in bodies)
    assert NOTE not in caplog.text


def test_pages_newest_first_and_kinds(deployed: Engine, call: Call) -> None:
    instance_id = walk(call)
    path = f"/api/v1/instances/{instance_id}/history"
    everything = ok(call("coordinator", "GET", f"{path}?limit=500"))["items"]
    first = ok(call("coordinator", "GET", f"{path}?limit=2"))
    assert [r["seq"] for r in first["items"]] == [1, 2] and first["has_more"]
    newest = ok(call("coordinator", "GET", f"{path}?order=newest&limit=3&offset=1"))
    assert [r["seq"] for r in newest["items"]] == [len(everything) - n for n in (1, 2, 3)]
    chosen = ok(call("coordinator", "GET", f"{path}?kind=task_completed&kind=suspend"))
    assert [(r["kind"], r["activity_id"]) for r in chosen["items"]] == [
        ("task_completed", "triage_task"), ("task_completed", "preavis_task"),
        ("suspend", None)]
    assert not chosen["has_more"]
    assert ok(call("coordinator", "GET", f"{path}?kind=gateway_taken"))["items"] == []


def test_an_institution_reads_its_own_tasks_rows_without_values(
        deployed: Engine, call: Call) -> None:
    instance_id = walk(call)
    path = f"/api/v1/instances/{instance_id}/history"
    rows = ok(call("sas", "GET", f"{path}?limit=500"))["items"]
    assert [(r["kind"], r["activity_id"], r["actor"]) for r in rows] == [
        ("task_ready", "preavis_task", None), ("task_claimed", "preavis_task", "sas"),
        ("task_completed", "preavis_task", "sas")]
    assert all(r["detail"] is None for r in rows)
    # the regional team took part too: it sees its triage, not the SAS's opinion
    team = ok(call("team_central", "GET", f"{path}?limit=500"))["items"]
    assert {r["activity_id"] for r in team} == {"triage_task"}
    # the ORP announced the case but was never a candidate: no row is about it
    assert ok(call("orp", "GET", path)) == {"items": [], "limit": 50, "offset": 0,
                                            "has_more": False}
    refused = call("team_bas", "GET", path)  # neither announced nor took part
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert "H-1" not in refused.get_data(as_text=True)
    assert call("worker", "GET", path).status_code == 403
    assert call("coordinator", "GET", "/api/v1/instances/nope/history").status_code == 404


def test_each_read_is_in_the_access_log(deployed: Engine, call: Call) -> None:
    instance_id = walk(call)
    path = f"/api/v1/instances/{instance_id}/history"
    ok(call("sas", "GET", path))
    ok(call("coordinator", "GET", path))
    log = ok(call("coordinator", "GET", f"/api/v1/instances/{instance_id}/access-log"))
    reads = [(r["principal"], r["what"]) for r in log["items"] if r["what"] == "history"]
    assert reads == [("coordinator", "history"), ("sas", "history")]  # newest first


@pytest.mark.parametrize("query", ["kind=Robert%27)%3B", "order=sideways", "limit=0",
                                   "kind=" + "k" * 41])
def test_bad_queries_are_problems_naming_the_parameter(deployed: Engine, call: Call,
                                                       query: str) -> None:
    instance_id = walk(call)
    refused = call("coordinator", "GET", f"/api/v1/instances/{instance_id}/history?{query}")
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert query.split("=")[0] in refused.get_data(as_text=True)
