"""Migrating running cases over HTTP, end to end: deploy v2, plan, move, complete on v2.

Acceptance of issue 11 item 4: a v1 case waiting at a renamed task moves with a map
and then completes on v2's path; a case waiting at a removed task without a map is
reported by the dry run and left as it was; history and webhooks (a real receiver)
show the move; `ciiflow migrate --dry-run --json` prints the API's plan.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import func, select

from engine import Engine
from tests.engine import migration_processes as versions
from tests.webhooks.receivers import Receiver
from webhooks import dispatcher
from workflows.app import create_app
from workflows.cli import main
from workflows.migrate import metadata

Call = Callable[..., Any]


@pytest.fixture
def app(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
    return create_app({"TESTING": True}, engine=engine)


def row_counts(db: SqlEngine) -> dict[str, int]:
    """Rows of every table: what a dry run must leave as it found it."""
    with db.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def deploy(call: Call, data: bytes, *, dry_run: bool = False) -> Any:
    query = "?dry_run=true" if dry_run else ""
    return call("owner", "POST", f"/api/v1/definitions{query}",
                data={"files": [(io.BytesIO(data), "intake.bpmn")]},
                content_type="multipart/form-data")


def ready(call: Call, instance_id: str) -> list[dict[str, Any]]:
    """The case's open tasks, as a coordinator sees them."""
    return call("coordinator", "GET", f"/api/v1/instances/{instance_id}").get_json()[
        "open_tasks"]


def complete(call: Call, who: str, task_id: str) -> Any:
    done = call(who, "POST", f"/api/v1/tasks/{task_id}/complete", json={"data": {}})
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def test_a_renamed_task_moves_with_a_map_a_removed_one_stays(
        engine: Engine, db: SqlEngine, db_url: str, call: Call, tokens: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert deploy(call, versions.v1()).status_code == 201
    started = [call("orp", "POST", "/api/v1/processes/intake/instances",
                    json={"business_key": f"M-{n}", "data": {}}).get_json()
               for n in (1, 2)]
    renamed, removed = (s["instance"]["id"] for s in started)
    review_task = ready(call, renamed)[0]
    assert review_task["activity_id"] == "review_task"
    complete(call, "sas", ready(call, removed)[0]["id"])  # now waits at check_task

    with Receiver() as receiver:
        for who in ("sas", "oai"):
            registered = call(who, "POST", "/api/v1/webhooks/endpoints", json={
                "url": receiver.url, "event_types": ["task.ready", "task.cancelled"]})
            assert registered.status_code == 201, registered.get_json()
        planned_deploy = deploy(call, versions.v2(), dry_run=True)
        assert planned_deploy.status_code == 200
        planned = planned_deploy.get_json()
        assert planned["dry_run"] is True
        assert [(d["key"], d["version"], d["created"]) for d in planned["definitions"]] == [
            ("intake", 2, True)]
        assert deploy(call, versions.v2()).status_code == 201

        body = {"process_key": "intake", "from_version": 1, "to_version": 2,
                "activity_map": {"review_task": "assess_task"}}
        before = row_counts(db)
        plan = call("owner", "POST", "/api/v1/migrations", json=body)
        assert plan.status_code == 200, plan.get_json()
        assert row_counts(db) == before  # the dry run (the default) wrote nothing
        cases = {c["instance_id"]: c for c in plan.get_json()["cases"]}
        assert cases[renamed]["can_move"] is True
        assert cases[renamed]["kept"] == [
            {"task_id": review_task["id"], "from": "review_task", "to": "assess_task"}]
        assert cases[removed]["can_move"] is False
        assert "check_task" in cases[removed]["reasons"][0]
        assert plan.get_json()["counts"] == {"cases": 2, "can_move": 1, "cannot_move": 1,
                                             "migrated": 0}

        monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
        printed = CliRunner().invoke(main, [
            "migrate", "intake", "--from-version", "1", "--to-version", "2",
            "--map", "review_task=assess_task", "--dry-run", "--json"])
        assert printed.exit_code == 0, printed.output
        assert json.loads(printed.stdout) == plan.get_json()
        human = CliRunner().invoke(main, [
            "migrate", "intake", "--from-version", "1", "--to-version", "2",
            "--map", "review_task=assess_task", "--dry-run"])
        assert f"{renamed} (running): can move" in human.stdout
        assert "kept: task " + review_task["id"] + " review_task -> assess_task" in human.stdout
        assert f"{removed} (running): cannot move" in human.stdout
        assert "would move 1, cannot move 1 (dry run: nothing written)" in human.stdout
        assert row_counts(db) == before

        assert call("coordinator", "POST", "/api/v1/migrations",
                    json={**body, "dry_run": False}).status_code == 403
        moved = call("owner", "POST", "/api/v1/migrations", json={**body, "dry_run": False})
        assert moved.status_code == 200
        assert moved.get_json()["counts"]["migrated"] == 1
        assert dispatcher.run_once(engine) >= 2
        events = [json.loads(r.body) for r in receiver.received]

    case = call("coordinator", "GET", f"/api/v1/instances/{renamed}").get_json()
    assert case["definition_version"] == 2
    migrated = [h for h in case["history"] if h["kind"] == "migrated"]
    assert [(h["actor"], h["detail"]["from_version"], h["detail"]["to_version"])
            for h in migrated] == [("owner", 1, 2)]
    assessed = case["open_tasks"]
    assert [(t["id"], t["activity_id"]) for t in assessed] == [(review_task["id"], "assess_task")]
    # the institutions hear of it: SAS loses the task, the OAI gains it
    kinds = {(e["type"], e["data"]["activity"], tuple(e["data"].get("groups") or ()))
             for e in events}
    assert ("task.cancelled", "assess_task", ("sas",)) in kinds
    assert ("task.ready", "assess_task", ("oai",)) in kinds
    assert all("M-1" not in json.dumps(e) for e in events)

    # v2's path: assess (OAI), then approve (the commune), then the case is over
    after = complete(call, "oai", review_task["id"])
    assert [t["activity_id"] for t in after["next_tasks"]] in ([], ["approve_task"])
    approve = ready(call, renamed)
    assert [t["activity_id"] for t in approve] == ["approve_task"]
    assert complete(call, "commune", approve[0]["id"])["instance_status"] == "completed"

    left = call("coordinator", "GET", f"/api/v1/instances/{removed}").get_json()
    assert left["definition_version"] == 1
    assert [t["activity_id"] for t in left["open_tasks"]] == ["check_task"]
    assert not any(h["kind"] == "migrated" for h in left["history"])


def test_a_bad_request_names_the_field(call: Call, tokens: dict[str, str]) -> None:
    assert deploy(call, versions.v1()).status_code == 201
    assert deploy(call, versions.v2()).status_code == 201
    unknown = call("owner", "POST", "/api/v1/migrations", json={
        "process_key": "intake", "from_version": 1, "to_version": 2,
        "activity_map": {"review_task": "nowhere_task"}})
    assert unknown.status_code == 422
    assert unknown.mimetype == "application/problem+json"
    assert "activity_map.review_task" in json.dumps(unknown.get_json())
    missing = call("owner", "POST", "/api/v1/migrations", json={
        "process_key": "intake", "from_version": 1, "to_version": 9})
    assert missing.status_code == 422 and "to_version" in json.dumps(missing.get_json())
    assert call("sas", "POST", "/api/v1/migrations", json={
        "process_key": "intake", "from_version": 1, "to_version": 2}).status_code == 403

