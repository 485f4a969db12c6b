"""`ciiflow batch`: the batch endpoint's operation from the console, one line per target."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine import Engine
from tests.dashboard.conftest import Floor
from workflows.cli import main


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def test_a_batch_retry_from_the_console_plans_then_reports_each_incident(
        cli: CliRunner, floor: Floor, engine: Engine) -> None:
    selection = ["batch", "retry", "--process", "gateway", "--activity", "decision_gateway",
                 "--actor", "ops"]
    planned = cli.invoke(main, [*selection, "--dry-run"])
    assert planned.exit_code == 0, planned.output
    assert planned.output.count("planned ") == 3
    assert "retry: 3 target(s), planned" in planned.output
    assert len(engine.incidents(status="open")) == 3

    failed = cli.invoke(main, ["batch", "retry", "--incident", str(floor.incidents[0]),
                               "--actor", "ops"])
    assert failed.exit_code == 1 and "FailedAgain" in failed.output
    done = cli.invoke(main, [*selection, "--data", '{"decision": "refuse"}',
                             "--reason", "decision was missing"])
    assert done.exit_code == 0, done.output
    assert "retry: 3 target(s), 3 ok, 0 failed" in done.output
    assert engine.incidents(status="open").items == []


def test_a_batch_reassign_from_the_console_needs_a_reason(
        cli: CliRunner, floor: Floor, engine: Engine) -> None:
    task = engine.tasks(instance_id=floor.second_task[0])[0].id
    refused = cli.invoke(main, ["batch", "reassign", "--task", task, "--groups", "oai",
                                "--actor", "ops"])
    assert refused.exit_code == 1 and "reason" in refused.output
    done = cli.invoke(main, ["batch", "reassign", "--task", task, "--groups", "oai, sas",
                             "--reason", "sas overloaded", "--actor", "ops", "--json"])
    assert done.exit_code == 0, done.output
    assert '"ok": 1' in done.output
    assert engine.task(task).candidate_groups == ["oai", "sas"]
