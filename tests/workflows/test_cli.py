"""The `ciiflow` CLI on a real database: tokens, demo principals, deploy, cases, stuck, decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.store.principals import Principal
from tests.workflows import processes
from workflows.cli import main

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def test_tokens_deploy_start_complete_stuck(cli: CliRunner, db, tmp_path: Path) -> None:  # noqa: ANN001
    created = cli.invoke(main, ["token", "create", "--name", "sas", "--role", "institution",
                                "--group", "sas"])
    assert created.exit_code == 0 and created.output.startswith("cii_")
    assert cli.invoke(main, ["token", "create", "--name", "sas", "--role", "admin"]).exit_code
    (tmp_path / "mini.bpmn").write_bytes(processes.cii_mini())
    deployed = cli.invoke(main, ["deploy", str(tmp_path)])
    assert deployed.exit_code == 0 and "cii_mini version 1 deployed" in deployed.output
    refused = cli.invoke(main, ["start", "cii_mini", "--data", '{"region": "mars"}'])
    assert refused.exit_code == 1
    started = cli.invoke(main, ["start", "cii_mini", "--business-key", "c-1", "--data",
                                json.dumps({"region": "bas-valais", "consent": True,
                                            "person_ref": "x"})])
    assert started.exit_code == 0 and started.output.split()[1] == "running"
    listed = cli.invoke(main, ["tasks", "--group", "cii-team-bas-valais"])
    task_id = listed.output.split()[0]
    bad = cli.invoke(main, ["complete", task_id, "--data", '{"service": 1}', "--actor", "t"])
    assert bad.exit_code == 1
    done = cli.invoke(main, ["complete", task_id, "--data", '{"service": "tro"}',
                             "--actor", "team"])
    assert done.exit_code == 0, done.output
    stuck = cli.invoke(main, ["stuck", "--older-than", "P0D"])
    assert stuck.exit_code == 0 and "preavis_task" in stuck.output


def test_demo_principals_once(cli: CliRunner, db) -> None:  # noqa: ANN001
    first = cli.invoke(main, ["demo-principals", "--directory", str(BPMN / "directory.yaml")])
    assert first.exit_code == 0 and "coordinator" in first.output
    with db.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Principal))
    again = cli.invoke(main, ["demo-principals"])
    assert "nothing done" in again.output
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Principal)) == count


def test_decide_and_lint(cli: CliRunner) -> None:
    if not (BPMN / "cii_triage.dmn").exists():
        pytest.skip("bpmn/cii_triage.dmn not drawn yet")
    decided = cli.invoke(main, ["decide", str(BPMN / "cii_triage.dmn"), "cii_triage", "--data",
                                json.dumps({"institutions_involved": 4, "health_barrier": True,
                                            "social_aid_recipient": False, "job_ready": False,
                                            "competence_unclear": False})])
    assert decided.exit_code == 0 and json.loads(decided.output)[0]["typology"] == "D"
    unknown = cli.invoke(main, ["decide", str(BPMN / "cii_triage.dmn"), "nope"])
    assert unknown.exit_code == 1
    assert cli.invoke(main, ["lint", str(BPMN)]).exit_code == 0
