"""The task lifecycle over HTTP: release, reassign, the 409 that names the release, and
the starting institution following its case without its data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from engine import Engine
from engine.store.models import History, Task, TaskCandidate
from tests.support.principals import add_principal, bearer
from tests.workflows.conftest import ANNOUNCEMENT

Call = Callable[..., Any]
PROBLEM = "application/problem+json"


def announce(call: Call, who: str = "orp") -> dict[str, Any]:
    response = call(who, "POST", "/api/v1/processes/cii_mini/instances",
                    json={"business_key": "c-1", "data": ANNOUNCEMENT})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def triage(call: Call) -> str:
    return call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]


def history(engine: Engine, kind: str) -> list[History]:
    with engine.sessions() as s:
        return list(s.scalars(select(History).where(History.kind == kind)))


def task_row(engine: Engine, task_id: str) -> Task:
    with engine.sessions() as s:
        return s.get(Task, task_id)


def test_release_then_another_institution_of_the_group_claims(
        deployed: Engine, engine: Engine, call: Call) -> None:
    announce(call)
    second = bearer(add_principal(engine, "team_central_2", "institution",
                                  ["cii-team-valais-central"]).token)
    task_id = triage(call)
    assert call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim").status_code == 200
    assert call(None, "POST", f"/api/v1/tasks/{task_id}/claim",
                headers=second).status_code == 409

    released = call("team_central", "POST", f"/api/v1/tasks/{task_id}/release",
                    json={"reason": "wrong desk"})
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["assignee"] is None
    taken = call(None, "POST", f"/api/v1/tasks/{task_id}/claim", headers=second)
    assert taken.status_code == 200 and taken.get_json()["assignee"] == "team_central_2"
    [entry] = history(engine, "task_released")
    assert (entry.actor, entry.task_id) == ("team_central", task_id)
    assert entry.detail == {"holder": "team_central", "reason": "wrong desk"}


def test_only_the_holder_or_a_coordinator_releases(
        deployed: Engine, engine: Engine, call: Call) -> None:
    announce(call)
    second = bearer(add_principal(engine, "team_central_2", "institution",
                                  ["cii-team-valais-central"]).token)
    task_id = triage(call)
    path = f"/api/v1/tasks/{task_id}/release"
    not_claimed = call("team_central", "POST", path, json={})
    assert not_claimed.status_code == 409 and not_claimed.mimetype == PROBLEM
    assert "not claimed" in not_claimed.get_json()["detail"]

    call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim")
    refused = call(None, "POST", path, headers=second, json={})
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert "only its holder or a coordinator" in refused.get_json()["detail"]
    assert call("sas", "POST", path, json={}).status_code == 404  # not its task at all
    assert task_row(engine, task_id).assignee == "team_central"  # nothing written
    assert history(engine, "task_released") == []

    by_coordinator = call("coordinator", "POST", f"/api/v1/tasks/{task_id}/unclaim", json={})
    assert by_coordinator.status_code == 200 and by_coordinator.get_json()["assignee"] is None
    [entry] = history(engine, "task_released")
    assert (entry.actor, entry.detail) == ("coordinator", {"holder": "team_central"})


def test_an_admin_completing_a_claimed_task_is_told_to_release_it_first(
        deployed: Engine, call: Call) -> None:
    announce(call)
    task_id = triage(call)
    call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim")
    blocked = call("admin", "POST", f"/api/v1/tasks/{task_id}/complete",
                   json={"data": {"service": "tro"}})
    assert blocked.status_code == 409 and blocked.mimetype == PROBLEM
    body = blocked.get_json()
    assert body["release"] == f"/api/v1/tasks/{task_id}/release"
    assert f"POST /api/v1/tasks/{task_id}/release" in body["detail"]
    assert call("admin", "POST", body["release"], json={"reason": "urgent"}).status_code == 200
    done = call("admin", "POST", f"/api/v1/tasks/{task_id}/complete",
                json={"data": {"service": "tro"}})
    assert done.status_code == 200, done.get_json()


def test_reassign_moves_the_task_to_other_groups_with_a_reason(
        deployed: Engine, engine: Engine, call: Call) -> None:
    announce(call)
    task_id = triage(call)
    call("team_central", "POST", f"/api/v1/tasks/{task_id}/claim")
    path = f"/api/v1/tasks/{task_id}/reassign"
    moved = call("coordinator", "POST", path,
                 json={"groups": ["cii-team-bas-valais"], "reason": "moved to Monthey"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["candidate_groups"] == ["cii-team-bas-valais"]
    assert moved.get_json()["assignee"] is None
    assert call("team_central", "GET", "/api/v1/tasks").get_json()["items"] == []
    mine = call("team_bas", "GET", "/api/v1/tasks").get_json()["items"]
    assert [t["id"] for t in mine] == [task_id]
    assert call("team_bas", "POST", f"/api/v1/tasks/{task_id}/claim").status_code == 200
    [entry] = history(engine, "task_reassigned")
    assert entry.actor == "coordinator" and entry.detail == {
        "from": ["cii-team-valais-central"], "to": ["cii-team-bas-valais"],
        "reason": "moved to Monthey", "released": "team_central"}


def test_reassign_refusals_name_the_field_and_write_nothing(
        deployed: Engine, engine: Engine, call: Call) -> None:
    announce(call)
    task_id = triage(call)
    path = f"/api/v1/tasks/{task_id}/reassign"
    cases = [({"groups": ["sas"]}, "reason"), ({"groups": [], "reason": "r"}, "groups"),
             ({"groups": "sas", "reason": "r"}, "groups"),
             ({"groups": [""], "reason": "r"}, "groups.0"),
             ({"groups": [7], "reason": "r"}, "groups.0"),
             ({"reason": "r"}, "groups"), ({"groups": ["sas"], "reason": ""}, "reason")]
    for body, field in cases:
        refused = call("coordinator", "POST", path, json=body)
        assert refused.status_code == 422 and refused.mimetype == PROBLEM, body
        assert field in refused.get_json()["errors"], (body, refused.get_json())
    institution = call("team_central", "POST", path, json={"groups": ["sas"], "reason": "r"})
    assert institution.status_code == 403 and institution.mimetype == PROBLEM
    assert call("coordinator", "POST", "/api/v1/tasks/nope/reassign",
                json={"groups": ["sas"], "reason": "r"}).status_code == 404
    with engine.sessions() as s:
        groups = list(s.scalars(select(TaskCandidate.group_id)
                                .where(TaskCandidate.task_id == task_id)))
    assert groups == ["cii-team-valais-central"]
    assert history(engine, "task_reassigned") == []


def test_the_starter_reads_status_and_where_it_stands_but_no_data(
        deployed: Engine, call: Call) -> None:
    started = announce(call, "orp")
    instance_id = started["instance"]["id"]
    seen = call("orp", "GET", f"/api/v1/instances/{instance_id}")
    assert seen.status_code == 200, seen.get_json()
    body = seen.get_json()
    assert (body["status"], body["process_key"], body["definition_version"]) == (
        "running", "cii_mini", 1)
    assert body["started_at"] and body["ended_at"] is None
    assert body["waiting_at"] == [
        {"activity_id": "triage_task", "name": "triage task", "kind": "user_task"}]
    assert "data" not in body and body["history"] == [] and body["open_tasks"] == []
    text = seen.get_data(as_text=True)
    assert "P-001" not in text and "complex situation" not in text
    assert call("oai", "GET", f"/api/v1/instances/{instance_id}").status_code == 404

    task_id = triage(call)
    call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
         json={"data": {"service": "tro", "note": "Jean D."}})
    later = call("orp", "GET", f"/api/v1/instances/{instance_id}").get_json()
    assert [w["activity_id"] for w in later["waiting_at"]] == ["preavis_task"]
    assert "Jean D." not in str(later)
    coordinator = call("coordinator", "GET", f"/api/v1/instances/{instance_id}").get_json()
    assert coordinator["data"]["person_ref"] == "P-001"
    assert coordinator["waiting_at"] == later["waiting_at"]
