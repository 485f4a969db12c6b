"""The API's behaviour beyond authorization: problems, health, deploy, cases, stuck, audit."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from engine import Engine, ManualClock
from tests.engine import processes as engine_processes
from tests.support.principals import add_principal, bearer
from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.app import create_app
from workflows.migrate import metadata, upgrade

Call = Callable[..., Any]


def announce(call: Call, key: str = "c-1", **data: Any) -> dict[str, Any]:
    response = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                    json={"business_key": key, "data": {**ANNOUNCEMENT, **data}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_problems_for_bad_tokens_paths_methods_bodies(engine: Engine, call: Call,
                                                      client: FlaskClient) -> None:
    bad = client.get("/api/v1/tasks", headers=bearer("cii_nope"))
    assert bad.status_code == 401 and bad.mimetype == "application/problem+json"
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.get("/api/v1/tasks", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    assert call("admin", "GET", "/api/v1/nothing-here").status_code == 404
    wrong_method = call("admin", "DELETE", "/api/v1/tasks")
    assert wrong_method.status_code == 405 and wrong_method.mimetype.endswith("problem+json")
    not_json = call("admin", "POST", "/api/v1/messages", data="{oops",
                    content_type="application/json")
    assert not_json.status_code in (400, 422) and not_json.mimetype.endswith("problem+json")
    smorest = call("admin", "POST", "/api/v1/messages", json={"payload": []})
    body = smorest.get_json()
    assert smorest.status_code == 422 and {"name", "payload"} <= set(body["errors"])
    assert body["type"] == "about:blank" and body["status"] == 422
    upload = call("admin", "POST", "/api/v1/definitions", json={"files": []})
    assert upload.status_code == 415
    bad_query = call("admin", "GET", "/api/v1/stuck?older_than=ten-days")
    assert bad_query.status_code == 422 and "older_than" in bad_query.get_json()["errors"]


def test_a_body_over_the_limit_is_413(engine: Engine) -> None:
    app = create_app({"MAX_CONTENT_LENGTH": 1000}, engine=engine)
    token = add_principal(engine, "adm", "admin").token
    response = app.test_client().post("/api/v1/messages", headers=bearer(token),
                                      json={"name": "x" * 2000, "business_key": "b"})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_health_needs_current_migrations(db_url: str, clock: ManualClock) -> None:
    from engine.store.db import make_engine

    db = make_engine(db_url)
    engine = Engine(db, clock=clock)
    client = create_app({}, engine=engine).test_client()
    behind = client.get("/healthz")
    assert behind.status_code == 503 and behind.get_json()["migrations"] == "behind"
    upgrade(db)
    metadata.create_all(db)  # tables newer than the committed migrations
    ok = client.get("/api/v1/healthz")
    assert ok.status_code == 200 and ok.get_json()["status"] == "ok"
    db.dispose()


def test_deploy_returns_versions_and_a_refused_bundle_its_findings(call: Call) -> None:
    def deploy(name: str, data: bytes) -> Any:
        return call("owner", "POST", "/api/v1/definitions",
                    data={"files": [(io.BytesIO(data), name)]},
                    content_type="multipart/form-data")

    first = deploy("cii_mini.bpmn", processes.cii_mini())
    assert first.status_code == 201
    assert first.get_json()["definitions"][0] | {} == {
        "key": "cii_mini", "version": 1, "created": True,
        "link": "/api/v1/definitions/cii_mini/versions/1"}
    assert deploy("cii_mini.bpmn", processes.cii_mini()).get_json()["definitions"][0][
        "created"] is False
    broken = processes.cii_mini().replace(b"${region}", b"${region ==}")
    refused = deploy("cii_mini.bpmn", broken)
    assert refused.status_code == 422 and refused.get_json()["findings"]
    assert refused.get_json()["findings"][0]["severity"] == "error"
    not_xml = deploy("notes.txt", b"hello")
    assert not_xml.status_code == 422
    xml = call("coordinator", "GET", "/api/v1/definitions/cii_mini/versions/1").get_json()
    assert "camunda:formData" in xml["resources"]["cii_mini.bpmn"]
    assert call("coordinator", "GET", "/api/v1/definitions/nope").status_code == 404
    huge = call("coordinator", "GET", "/api/v1/definitions/cii_mini/versions/99999999999")
    assert huge.status_code == 404


def test_cases_filters_history_access_log(deployed: Engine, call: Call,
                                          clock: ManualClock) -> None:
    first = announce(call, "c-1")
    clock.advance(seconds=60)
    announce(call, "c-2", region="bas-valais")
    listing = call("coordinator", "GET", "/api/v1/instances?limit=1").get_json()
    assert [i["business_key"] for i in listing["items"]] == ["c-2"] and listing["has_more"]
    by_key = call("coordinator", "GET", "/api/v1/instances?business_key=c-1").get_json()
    assert [i["id"] for i in by_key["items"]] == [first["instance"]["id"]]
    waiting = call("coordinator", "GET",
                   "/api/v1/instances?waiting_at=triage_task&status=running").get_json()
    assert len(waiting["items"]) == 2
    after = (clock.now() - timedelta(seconds=30)).isoformat()
    recent = call("coordinator", "GET", "/api/v1/instances",
                  query_string={"started_after": after}).get_json()
    assert [i["business_key"] for i in recent["items"]] == ["c-2"]

    instance_id = first["instance"]["id"]
    seen = call("team_central", "GET", f"/api/v1/instances/{instance_id}").get_json()
    task_id = seen["open_tasks"][0]["id"]
    # an institution reads the rows about its own tasks only, as the history endpoint
    assert "data" not in seen and [h["task_id"] for h in seen["history"]] == [task_id]
    call("team_central", "GET", f"/api/v1/tasks/{task_id}")
    log = call("coordinator", "GET", f"/api/v1/instances/{instance_id}/access-log").get_json()
    assert [(e["principal"], e["what"]) for e in log["items"]] == [
        ("team_central", "task"), ("team_central", "instance")]


def test_claim_then_another_claim_or_completion_is_409(deployed: Engine, engine: Engine,
                                                      call: Call) -> None:
    announce(call)
    second = add_principal(engine, "team_central_2", "institution",
                           ["cii-team-valais-central"]).token
    task_id = call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]
    claimed = call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "team_central"
    again = call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim")
    assert again.status_code == 200
    headers = bearer(second)
    other = call(None, "POST", f"/api/v1/tasks/{task_id}/claim", headers=headers)
    assert other.status_code == 409
    blocked = call(None, "POST", f"/api/v1/tasks/{task_id}/complete", headers=headers,
                   json={"data": {"service": "tro"}})
    assert blocked.status_code == 409
    done = call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
                json={"data": {"service": "tro"}})
    assert done.status_code == 200
    assert call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
                json={"data": {"service": "tro"}}).status_code == 409


def test_suspend_resume_terminate_need_a_reason(deployed: Engine, call: Call) -> None:
    instance_id = announce(call)["instance"]["id"]
    path = f"/api/v1/instances/{instance_id}"
    assert call("coordinator", "POST", f"{path}/suspend", json={}).status_code == 422
    assert call("coordinator", "POST", f"{path}/suspend",
                json={"reason": "  "}).status_code == 422
    suspended = call("coordinator", "POST", f"{path}/suspend", json={"reason": "check"})
    assert suspended.get_json()["status"] == "suspended"
    task_id = call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]
    assert call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
                json={"data": {"service": "tro"}}).status_code == 409
    resumed = call("coordinator", "POST", f"{path}/resume", json={"reason": "ok"})
    assert resumed.get_json()["status"] == "running"
    ended = call("coordinator", "POST", f"{path}/terminate", json={"reason": "duplicate"})
    assert ended.get_json()["status"] == "terminated"
    history = call("coordinator", "GET", path).get_json()["history"]
    assert {"suspend", "resume", "terminate"} <= {h["kind"] for h in history}


def test_incident_listed_stuck_and_retried(engine: Engine, call: Call) -> None:
    engine.deploy({"g.bpmn": engine_processes.gateway()})
    add_principal(engine, "sas_user", "institution", ["sas"])
    started = engine.start("gateway", "g-1", {"decision": "maybe"})
    task_id = call("coordinator", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]
    engine.complete_task(task_id, {}, actor="sas_user")  # no flow matches: incident
    incidents = call("coordinator", "GET", "/api/v1/incidents").get_json()["items"]
    assert [i["instance_id"] for i in incidents] == [started.instance.id]
    stuck = call("coordinator", "GET", "/api/v1/stuck?reason=incident").get_json()["items"]
    assert [(r["reason"], r["instance_id"]) for r in stuck] == [
        ("incident", started.instance.id)]
    retried = call("coordinator", "POST", f"/api/v1/incidents/{incidents[0]['id']}/retry",
                   json={"data": {"decision": "refuse"}})
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json() == {"incident_id": incidents[0]["id"],
                                  "incident_status": "resolved",
                                  "instance_status": "completed"}


def test_stuck_reasons_and_filters(deployed: Engine, call: Call, clock: ManualClock) -> None:
    announce(call, "c-1")
    announce(call, "c-2", region="bas-valais")
    assert call("coordinator", "GET", "/api/v1/stuck?reason=waiting").get_json()["items"] == []
    clock.advance(days=6)  # past the 5-day due date, not yet older than 10 days
    overdue = call("coordinator", "GET", "/api/v1/stuck?reason=overdue").get_json()["items"]
    assert sorted(r["business_key"] for r in overdue) == ["c-1", "c-2"]
    assert overdue[0]["link"].startswith("/api/v1/tasks/")
    clock.advance(days=5)
    rows = call("coordinator", "GET", "/api/v1/stuck",
                query_string={"older_than": "P10D", "group": "cii-team-bas-valais"}
                ).get_json()["items"]
    assert sorted(r["reason"] for r in rows) == ["overdue", "waiting"]
    assert all(r["groups"] == ["cii-team-bas-valais"] for r in rows)


def test_messages_reach_the_waiting_case(engine: Engine, call: Call) -> None:
    engine.deploy({"m.bpmn": processes.message_case()})
    started = engine.start("message_case", "m-1", {})
    nobody = call("coordinator", "POST", "/api/v1/messages",
                  json={"name": "unknown", "business_key": "m-1"})
    assert nobody.status_code == 409
    delivered = call("coordinator", "POST", "/api/v1/messages",
                     json={"name": "oai_decision", "business_key": "m-1",
                           "payload": {"oai_decision": "granted"}})
    assert delivered.status_code == 200
    assert delivered.get_json()["instance_id"] == started.instance.id
    assert engine.workflow_data(started.instance.id)["oai_decision"] == "granted"
