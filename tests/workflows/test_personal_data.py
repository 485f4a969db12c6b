"""Personal data over HTTP and at the console: the export of one case for a right-of-access
request, list reads in the access log, consent withdrawn by message, retention (`purge`,
the worker) and `audit verify`, all on the real app, CLI and database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from engine import Engine, ManualClock
from engine.store.access_log import AccessLog
from engine.store.models import History
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.cli import main

Call = Callable[..., Any]


def announce(call: Call, key: str = "c-1") -> str:
    response = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                    json={"business_key": key, "data": ANNOUNCEMENT})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["instance"]["id"]


def access_rows(engine: Engine) -> list[AccessLog]:
    with engine.sessions() as session:
        return list(session.scalars(select(AccessLog).order_by(AccessLog.id)))


def closed_case(call: Call, deployed: Engine, key: str) -> str:
    """A cii_mini case walked to its end over HTTP: triage, préavis, approval."""
    instance_id = announce(call, key)
    for who, data in (("team_central", {"service": "tro"}), ("sas", {"opinion": "favourable"}),
                      ("commune", {"approved": True})):
        [task] = [t for t in call(who, "GET", "/api/v1/tasks").get_json()["items"]
                  if t["instance_id"] == instance_id]
        done = call(who, "POST", f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
        assert done.status_code == 200, done.get_json()
    assert deployed.instance(instance_id).status == "completed"
    return instance_id


def test_export_gives_a_coordinator_the_whole_case_and_is_logged(
        call: Call, deployed: Engine) -> None:
    instance_id = announce(call)
    assert call("orp", "GET", f"/api/v1/instances/{instance_id}/export").status_code == 403
    response = call("coordinator", "GET", f"/api/v1/instances/{instance_id}/export")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"instance", "data", "tasks", "history", "incidents", "external_tasks",
                         "access_log"}
    assert body["instance"]["id"] == instance_id and body["instance"]["business_key"] == "c-1"
    assert "state" not in body["instance"] and "history_salt" not in body["instance"]
    assert body["data"]["person_ref"] == "P-001"
    assert [t["activity_id"] for t in body["tasks"]] == ["triage_task"]
    assert body["history"][0]["kind"] == "started" and body["history"][-1]["row_hash"]
    datetime.fromisoformat(body["history"][0]["at"])
    log = call("coordinator", "GET", f"/api/v1/instances/{instance_id}/access-log").get_json()
    assert [(r["what"], r["principal"]) for r in log["items"]][0] == ("export", "coordinator")
    missing = call("admin", "GET", "/api/v1/instances/nope/export")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_a_list_read_is_one_access_log_row_naming_the_cases_it_showed(
        call: Call, deployed: Engine) -> None:
    first, second = announce(call, "c-1"), announce(call, "c-2")
    before = len(access_rows(deployed))
    tasks = call("team_central", "GET", "/api/v1/tasks").get_json()["items"]
    assert len(tasks) == 2
    cases = call("coordinator", "GET", "/api/v1/instances").get_json()["items"]
    assert len(cases) == 2
    rows = access_rows(deployed)[before:]
    assert [(r.what, r.principal_name, r.instance_id) for r in rows] == [
        ("task_list", "team_central", None), ("instance_list", "coordinator", None)]
    assert sorted(rows[0].listed) == sorted([first, second])
    assert rows[1].listed == [c["id"] for c in cases]  # in the order shown


def test_consent_withdrawn_by_message_closes_the_case(call: Call, deployed: Engine) -> None:
    instance_id = announce(call)
    [task] = call("team_central", "GET", "/api/v1/tasks").get_json()["items"]
    response = call("team_central", "POST", "/api/v1/messages",
                    json={"name": "consent_withdrawn", "business_key": "c-1"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["instance_status"] == "terminated"
    assert call("team_central", "GET", "/api/v1/tasks").get_json()["items"] == []
    case = call("coordinator", "GET", f"/api/v1/instances/{instance_id}").get_json()
    assert case["status"] == "terminated"
    kinds = [(h["kind"], h["detail"]) for h in case["history"]]
    assert ("terminate", {"reason": "consent_withdrawn"}) in kinds
    assert ("task_cancelled", {"reason": "consent_withdrawn"}) in kinds
    again = call("team_central", "POST", f"/api/v1/tasks/{task['id']}/complete",
                 json={"data": {"service": "tro"}})
    assert again.status_code in (404, 409)


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    return CliRunner()


def test_purge_dry_run_then_purge_then_audit_verify(
        call: Call, deployed: Engine, clock: ManualClock, cli: CliRunner) -> None:
    # cases closed in 2020 are past the mini process's 180 days by the system clock
    clock.set(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))
    instance_id = closed_case(call, deployed, "c-old")
    empty = cli.invoke(main, ["audit", "verify"])
    assert (empty.exit_code, empty.output) == (0, "1 case(s) checked, every history chain "
                                                  "intact\n")
    dry = cli.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0].split()[:3] == ["instance", "process", "status"]
    assert lines[1].startswith(f"{instance_id}  cii_mini") and lines[1].endswith(" 180")
    assert lines[-1] == "1 case(s) would be erased (dry run, nothing changed)"
    assert deployed.workflow_data(instance_id)["person_ref"] == "P-001"

    done = cli.invoke(main, ["purge"])
    assert done.exit_code == 0 and done.output.splitlines()[-1] == "1 case(s) erased"
    assert deployed.workflow_data(instance_id) == {}
    assert cli.invoke(main, ["purge", "--dry-run"]).output == (
        "no closed case is past its retention\n")
    ok = cli.invoke(main, ["audit", "verify", instance_id])
    assert ok.exit_code == 0, ok.output

    with deployed.sessions() as session:
        row = session.scalars(select(History).where(History.instance_id == instance_id,
                                                    History.kind == "task_completed")).first()
    with deployed.db.begin() as conn:
        conn.execute(text("UPDATE history SET actor = 'nobody' WHERE id = :id"), {"id": row.id})
    broken = cli.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"broken: {instance_id} seq {row.seq} (history row {row.id}):" in broken.output
    assert broken.output.splitlines()[-1] == "1 case(s) checked, 1 fault(s)"


def test_the_worker_erases_what_is_past_its_retention(
        call: Call, deployed: Engine, clock: ManualClock, cli: CliRunner) -> None:
    clock.set(datetime(2020, 1, 6, 9, 0, tzinfo=UTC))
    instance_id = closed_case(call, deployed, "c-old")
    running = announce(call, "c-running")
    done = cli.invoke(main, ["worker", "--once"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().endswith("erased: 1")
    assert deployed.workflow_data(instance_id) == {}
    assert deployed.workflow_data(running)["person_ref"] == "P-001"


def test_export_at_the_console_is_the_same_document_and_is_logged(
        call: Call, deployed: Engine, cli: CliRunner) -> None:
    instance_id = announce(call)
    done = cli.invoke(main, ["export", instance_id, "--actor", "dpo"])
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    over_http = call("coordinator", "GET", f"/api/v1/instances/{instance_id}/export").get_json()
    assert body["history"] == over_http["history"] and body["data"] == over_http["data"]
    reads = [(r.what, r.principal_name) for r in access_rows(deployed)
             if r.instance_id == instance_id]
    assert reads == [("export", "dpo"), ("export", "coordinator")]
    missing = cli.invoke(main, ["export", "no-such-case"])
    assert (missing.exit_code, missing.output) == (1, "error: no instance no-such-case\n")


def test_console_lists_are_logged_too(call: Call, deployed: Engine, cli: CliRunner) -> None:
    instance_id = announce(call)
    before = len(access_rows(deployed))
    assert cli.invoke(main, ["tasks"]).exit_code == 0
    assert cli.invoke(main, ["instances"]).exit_code == 0
    rows = access_rows(deployed)[before:]
    assert [(r.what, r.principal_name, r.listed) for r in rows] == [
        ("task_list", "cli", [instance_id]), ("instance_list", "cli", [instance_id])]
