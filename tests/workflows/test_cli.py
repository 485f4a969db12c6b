"""The `ciiflow` CLI on a real database: tokens, demo principals, deploy, lint, definitions,
cases, stuck, incidents and retry, messages, health, decide."""

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
    assert listed.output.split()[:2] == ["TASK", "ACTIVITY"]
    task_id = listed.output.splitlines()[1].split()[0]
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
    decided = cli.invoke(main, ["decide", str(BPMN / "cii_triage.dmn"), "cii_triage", "--data",
                                json.dumps({"institutions_involved": 4, "health_barrier": True,
                                            "social_aid_recipient": False, "job_ready": False,
                                            "competence_unclear": False})])
    assert decided.exit_code == 0 and json.loads(decided.output)[0]["typology"] == "D"
    unknown = cli.invoke(main, ["decide", str(BPMN / "cii_triage.dmn"), "nope"])
    assert unknown.exit_code == 1
    assert cli.invoke(main, ["lint", str(BPMN)]).exit_code == 0


# -- the commands that share the API's operations: definitions, incidents, messages, health --


def test_definitions_lists_versions_and_shows_one(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.invoke(main, ["definitions"]).output.strip() == "no definition deployed"
    (tmp_path / "cii_mini.bpmn").write_bytes(processes.cii_mini())
    assert cli.invoke(main, ["deploy", str(tmp_path)]).exit_code == 0
    (tmp_path / "cii_mini.bpmn").write_bytes(processes.cii_mini().replace(b"Closed", b"Done"))
    assert "version 2 deployed" in cli.invoke(main, ["deploy", str(tmp_path)]).output

    latest = cli.invoke(main, ["definitions"])
    assert latest.exit_code == 0
    header, *rows = latest.output.splitlines()
    assert header.split()[:2] == ["KEY", "VERSION"]
    assert [r.split()[:2] for r in rows] == [["cii_mini", "2"]]
    versions = cli.invoke(main, ["definitions", "cii_mini"])
    assert [r.split()[:2] for r in versions.output.splitlines()[1:]] == [
        ["cii_mini", "1"], ["cii_mini", "2"]]
    unknown = cli.invoke(main, ["definitions", "nope"])
    assert unknown.exit_code == 1 and "error: no definition nope" in unknown.output

    one = json.loads(cli.invoke(main, ["definition", "cii_mini", "--version", "1"]).output)
    assert (one["version"], one["resource_names"]) == (1, ["cii_mini.bpmn"])
    assert [f["id"] for f in one["start_form"]] == ["region", "consent", "summary", "person_ref"]
    xml = cli.invoke(main, ["definition", "cii_mini", "--resource", "cii_mini.bpmn"])
    assert xml.exit_code == 0 and "Done" in xml.output and "Closed" not in xml.output
    missing = cli.invoke(main, ["definition", "cii_mini", "--resource", "other.bpmn"])
    assert missing.exit_code == 1 and "has no file other.bpmn" in missing.output


def test_lint_runs_the_checks_of_deploy(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "cii_mini.bpmn").write_bytes(processes.cii_mini())
    clean = cli.invoke(main, ["lint", str(tmp_path / "cii_mini.bpmn")])
    assert clean.exit_code == 0
    assert clean.output.strip() == "1 file(s): 0 error(s), 0 warning(s)"
    # A decision alone is a deployment of decisions (versioned on their own): it lints clean.
    (tmp_path / "d.dmn").write_bytes(b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
             namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="pick" name="pick">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i"><inputExpression id="ie" typeRef="string"><text>a</text></inputExpression>
      </input>
      <output id="o" name="b" typeRef="string" />
      <rule id="r"><inputEntry id="e"><text>"x"</text></inputEntry>
        <outputEntry id="oe"><text>"y"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>""")
    alone = cli.invoke(main, ["lint", str(tmp_path / "d.dmn")])
    assert alone.exit_code == 0, alone.output
    assert cli.invoke(main, ["lint", str(tmp_path / "nothing.bpmn")]).exit_code == 1


def test_incidents_list_and_retry(cli: CliRunner, engine) -> None:  # noqa: ANN001
    from engine import Caller
    from tests.engine import processes as engine_processes

    assert cli.invoke(main, ["incidents"]).output.strip() == "no open incident"
    engine.deploy({"g.bpmn": engine_processes.gateway()})
    started = engine.start("gateway", "case-1", {}, caller=Caller.operator("orp"))
    failed = engine.complete_task(started.ready_tasks[0].id, {"comment": "no decision"},
                                  actor="sas")
    incident_id = failed.incident.id

    listed = cli.invoke(main, ["incidents"])
    assert listed.exit_code == 0
    header, row = listed.output.splitlines()[:2]
    assert header.split() == ["ID", "STATUS", "OPENED", "INSTANCE", "ACTIVITY", "MESSAGE"]
    assert row.split()[:2] == [str(incident_id), "open"]
    assert started.instance.id in listed.output and "decision_gateway" in listed.output
    assert cli.invoke(main, ["incidents", "--instance", "other"]).output.strip() == (
        "no open incident")
    assert str(incident_id) in cli.invoke(main, ["incidents", "--activity",
                                                 "decision_gateway"]).output
    bad = cli.invoke(main, ["retry", str(incident_id), "--data", "[1]", "--actor", "coord"])
    assert bad.exit_code == 2 and engine.instance(started.instance.id).status == "incident"

    retried = cli.invoke(main, ["retry", str(incident_id), "--data", '{"decision": "accept"}',
                                "--actor", "coord"])
    assert retried.exit_code == 0, retried.output
    assert f"incident {incident_id} resolved" in retried.output
    assert engine.instance(started.instance.id).status == "running"
    assert cli.invoke(main, ["incidents"]).output.strip() == "no open incident"
    resolved = cli.invoke(main, ["incidents", "--status", "resolved"]).output
    assert resolved.splitlines()[1].split()[:2] == [str(incident_id), "resolved"]
    again = cli.invoke(main, ["retry", str(incident_id), "--actor", "coord"])
    assert again.exit_code == 1 and f"error: incident {incident_id} is resolved" in again.output


def test_correlate_delivers_a_message_once(cli: CliRunner, engine) -> None:  # noqa: ANN001
    engine.deploy({"m.bpmn": processes.message_case()})
    started = engine.start("message_case", "case-M", {})
    assert cli.invoke(main, ["correlate", "oai_decision", "--actor", "oai"]).exit_code == 2
    both = cli.invoke(main, ["correlate", "oai_decision", "--business-key", "case-M",
                             "--instance", started.instance.id, "--actor", "oai"])
    assert both.exit_code == 2

    delivered = cli.invoke(main, ["correlate", "oai_decision", "--business-key", "case-M",
                                  "--payload", '{"ai_decision": "granted"}', "--actor", "oai"])
    assert delivered.exit_code == 0, delivered.output
    assert delivered.output.split() == [started.instance.id, "running"]
    assert engine.workflow_data(started.instance.id)["ai_decision"] == "granted"
    again = cli.invoke(main, ["correlate", "oai_decision", "--instance", started.instance.id,
                              "--actor", "oai"])
    assert again.exit_code == 1 and "error: no instance waits for message" in again.output


def test_stuck_says_when_there_is_none_and_heads_its_table(cli: CliRunner, engine) -> None:  # noqa: ANN001
    assert cli.invoke(main, ["stuck"]).output.strip() == "no stuck case"
    engine.deploy({"one.bpmn": processes.one_task(group="nobody-holds-this")})
    started = engine.start("one_task", "k-1", {})
    listed = cli.invoke(main, ["stuck", "--reason", "no_holder"])
    header, row = listed.output.splitlines()
    assert header.split()[:3] == ["REASON", "SINCE", "WAITING"]
    assert row.split()[0] == "no_holder" and started.instance.id in row
    assert "[nobody-holds-this]" in row
    assert cli.invoke(main, ["stuck", "--reason", "overdue"]).output.strip() == "no stuck case"
    assert cli.invoke(main, ["stuck", "--older-than", "soon"]).exit_code == 2


def test_health_needs_the_newest_migration(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    cli = CliRunner()
    behind = cli.invoke(main, ["health"])
    assert behind.exit_code == 1
    assert "status: unavailable" in behind.output and "migrations: behind" in behind.output
    assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0
    ok = cli.invoke(main, ["health"])
    assert ok.exit_code == 0, ok.output
    assert "status: ok" in ok.output and "database: ok" in ok.output


def test_token_create_refuses_a_taken_name(cli: CliRunner, engine) -> None:  # noqa: ANN001
    first = cli.invoke(main, ["token", "create", "--name", "oai", "--role", "worker",
                              "--topic", "register-case"])
    caller = engine.authenticate(first.output.strip())
    assert caller is not None and (caller.name, caller.role, caller.topics) == (
        "oai", "worker", ("register-case",))
    taken = cli.invoke(main, ["token", "create", "--name", "oai", "--role", "admin"])
    assert taken.exit_code == 1 and "error: a principal named oai exists" in taken.output
    assert engine.authenticate("cii_not-a-token") is None
