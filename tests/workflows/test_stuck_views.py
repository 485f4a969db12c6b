"""Stuck cases through the API and the CLI: the same rows, named as drawn, said in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from engine import Caller, Engine, ManualClock
from tests.engine.test_stuck_reasons import caller, child, receive_then_task
from tests.workflows import processes
from workflows.cli import main

Call = Callable[..., Any]
ORP = Caller.operator("orp")


def test_the_api_names_the_call_activity_its_child_and_says_why(
        engine: Engine, call: Call, clock: ManualClock) -> None:
    engine.deploy({"caller.bpmn": caller(), "child.bpmn": child(),
                   "r.bpmn": receive_then_task()})
    started = engine.start("caller_case", "c-1", {}, caller=ORP)
    engine.start("receive_case", "r-1", {}, caller=ORP)
    clock.advance(days=12)
    answer = call("coordinator", "GET", "/api/v1/stuck",
                  query_string={"process": "caller_case", "reason": "waiting"})
    assert answer.status_code == 200, answer.get_json()
    [row] = answer.get_json()["items"]
    assert {k: row[k] for k in ("reason", "wait", "instance_id", "activity", "activity_name",
                                "activity_kind", "groups", "waiting_seconds")} == {
        "reason": "waiting", "wait": "user_task", "instance_id": started.instance.id,
        "activity": "Call_Preavis", "activity_name": "Préavis SAS",
        "activity_kind": "call activity", "groups": ["sas"], "waiting_seconds": 12 * 86400}
    assert row["child"] == {"process_key": "preavis_child", "activity_id": "Give_Preavis",
                            "activity_name": "Donner le préavis", "kind": "user task"}
    assert row["message"].startswith("user task 'Donner le préavis' (Give_Preavis) of called "
                                     "process preavis_child, through call activity")
    assert row["link"] == f"/api/v1/tasks/{row['task_id']}"

    by_call = call("coordinator", "GET", "/api/v1/stuck?activity=Call_Preavis").get_json()
    assert [r["instance_id"] for r in by_call["items"]] == [started.instance.id]
    messages = call("coordinator", "GET", "/api/v1/stuck?process=receive_case").get_json()
    assert [(r["wait"], r["detail"], r["link"].startswith("/api/v1/instances/"))
            for r in messages["items"]] == [("message", "oai_decision", True)]


def test_the_api_refuses_an_unknown_reason_and_takes_the_new_filters(call: Call) -> None:
    refused = call("coordinator", "GET", "/api/v1/stuck?reason=sleepy")
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert "reason" in refused.get_data(as_text=True)
    for query in ({"reason": "idle", "idle_after": "P1D"},
                  {"reason": "notification_failing", "institution": "orp"}):
        answer = call("coordinator", "GET", "/api/v1/stuck", query_string=query)
        assert answer.status_code == 200 and answer.get_json()["items"] == []
    assert call("coordinator", "GET", "/api/v1/stuck?idle_after=soon").status_code == 422
    assert call("orp", "GET", "/api/v1/stuck").status_code == 403


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


def test_the_cli_prints_a_headed_table_with_the_why(cli: CliRunner, engine: Engine) -> None:
    assert cli.invoke(main, ["stuck", "--reason", "idle"]).output.strip() == "no stuck case"
    engine.deploy({"x.bpmn": processes.external(topic="register-case")})
    started = engine.start("external_case", "x-1", {}, caller=ORP)
    listed = cli.invoke(main, ["stuck", "--older-than", "P0D", "--process", "external_case",
                              "--reason", "waiting"])
    assert listed.exit_code == 0, listed.output
    header, row = listed.output.splitlines()
    assert header.split() == ["REASON", "SINCE", "WAITING", "INSTANCE", "PROCESS", "ACTIVITY",
                              "GROUPS", "WHY"]
    assert row.split()[0] == "waiting" and started.instance.id in row
    assert "register (register_service)" in row
    assert "for an external worker on topic 'register-case'" in row
    idle = cli.invoke(main, ["stuck", "--reason", "idle", "--idle-after", "PT0S"])
    assert "no step for" in idle.output and started.instance.id in idle.output
    assert cli.invoke(main, ["stuck", "--institution", "nobody"]).output.strip() == (
        "no stuck case")
    assert cli.invoke(main, ["stuck", "--idle-after", "soon"]).exit_code == 2
    assert cli.invoke(main, ["stuck", "--reason", "sleepy"]).exit_code == 2
