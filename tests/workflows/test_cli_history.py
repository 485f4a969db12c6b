"""`ciiflow history ID`: the case's history as a table with a header, or as the API's JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.engine.test_history_decided import named_gateway
from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.cli import main


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def run(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(main, list(args))
    return result


def started(cli: CliRunner, tmp_path: Path, key: str, data: dict) -> tuple[str, str]:
    out = run(cli, "start", key, "--business-key", f"{key}-1", "--data", json.dumps(data))
    assert out.exit_code == 0, out.output
    ready = [line.split()[1] for line in out.output.splitlines() if "ready:" in line]
    return out.output.split()[0], ready[0]


def test_history_prints_a_table_with_names_and_what_was_decided(
        cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "gateway.bpmn").write_bytes(named_gateway("exclusiveGateway"))
    assert run(cli, "deploy", str(tmp_path)).exit_code == 0
    instance_id, task_id = started(cli, tmp_path, "exclusiveGateway_case", {})
    done = run(cli, "complete", task_id, "--data", '{"accept": false, "inform": true}',
               "--actor", "sas-agent")
    assert done.exit_code == 0, done.output

    out = run(cli, "history", instance_id, "--actor", "auditor")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].split() == ["SEQ", "AT", "KIND", "ACTOR", "ELEMENT", "DETAIL"]
    completed = next(line for line in lines if "task_completed" in line)
    assert "sas-agent" in completed and "decide task (decide_task)" in completed
    assert '"inform":true' in completed
    branch = next(line for line in lines if "gateway_taken" in line)
    assert "Préavis given? (route_gateway)" in branch and "→ Inform the OAI" in branch

    as_json = json.loads(run(cli, "history", instance_id, "--json", "--kind",
                             "gateway_taken").output)
    assert as_json["items"] == [{
        "seq": as_json["items"][0]["seq"], "at": as_json["items"][0]["at"],
        "kind": "gateway_taken", "actor": None, "activity_id": "route_gateway",
        "activity_name": "Préavis given?", "task_id": None,
        "detail": {"flow_id": "Flow_inform"},
        "flows": [{"id": "Flow_inform", "name": "Inform the OAI"}]}]
    assert as_json["has_more"] is False

    newest = run(cli, "history", instance_id, "--newest", "--limit", "1").output.splitlines()
    assert len(newest) == 3 and newest[-1] == "… more: --offset 1"
    log = run(cli, "access-log", instance_id).output
    assert "auditor" in log and "history" in log


def test_history_says_so_when_empty_and_fails_for_an_unknown_case(
        cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "mini.bpmn").write_bytes(processes.cii_mini())
    assert run(cli, "deploy", str(tmp_path)).exit_code == 0
    instance_id, _ = started(cli, tmp_path, "cii_mini", ANNOUNCEMENT)
    empty = run(cli, "history", instance_id, "--kind", "gateway_taken")
    assert (empty.exit_code, empty.output) == (0, "no history row of kind gateway_taken\n")
    unknown = run(cli, "history", "no-such-case")
    assert unknown.exit_code == 1 and "no instance no-such-case" in unknown.output
