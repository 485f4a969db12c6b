"""`POST /api/v1/signals` and `ciiflow signal`: Camunda's `POST /signal`; and
`POST /api/v1/instances/{id}/trigger` / `ciiflow trigger` for a receive task.

The signal reaches every running case that waits for it and starts a case of every
process whose start event is that signal; the answer lists the cases reached. An
institution reaches only the cases it took part in. A bad body is a 422 problem naming
the field, and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import Engine
from engine.store.models import History, Instance
from tests.modeler.conftest import corpus
from workflows.cli import main

Call = Callable[..., Any]
URL = "/api/v1/signals"


@pytest.fixture
def signalled(engine: Engine) -> Engine:
    engine.deploy(corpus("signal_catch.bpmn", "signal_boundary.bpmn", "signal_start.bpmn"))
    return engine


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Instance)) or 0,
                session.scalar(select(func.count()).select_from(History)) or 0)


def _reached(body: dict[str, Any]) -> list[tuple[str, bool]]:
    return sorted((r["process_key"], r["started"]) for r in body["reached"])


def test_reaches_the_waiting_cases_and_starts_the_signal_start_process(
        signalled: Engine, call: Call) -> None:
    catch = signalled.start("signal_catch", "S-1").instance.id
    boundary = signalled.start("signal_boundary", "S-2").instance.id
    answer = call("coordinator", "POST", URL, json={"name": "rules_changed",
                                                    "variables": {"ruleset": "2027"}})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert _reached(body) == [("signal_boundary", False), ("signal_catch", False),
                              ("signal_start", True)]
    assert {r["instance_id"] for r in body["reached"] if not r["started"]} == {catch, boundary}
    assert all(r["instance_status"] == "running" and r["incident_id"] is None
               for r in body["reached"])
    case = call("coordinator", "GET", f"/api/v1/instances/{catch}").get_json()
    assert case["data"]["ruleset"] == "2027"
    again = call("coordinator", "POST", URL, json={"name": "rules_changed"}).get_json()
    # the catch has passed; the boundary case's event subprocess still listens
    assert _reached(again) == [("signal_boundary", False), ("signal_start", True)]


def test_nobody_listening_is_an_empty_answer(signalled: Engine, call: Call) -> None:
    before = _counts(signalled)
    answer = call("coordinator", "POST", URL, json={"name": "nobody_listens"})
    assert answer.status_code == 200 and answer.get_json() == {"reached": []}
    assert _counts(signalled) == before


def test_an_institution_reaches_only_the_cases_it_took_part_in(
        signalled: Engine, call: Call) -> None:
    theirs = signalled.start("signal_boundary", "S-3").instance.id  # Assess goes to oai
    signalled.start("signal_catch", "S-4")  # nobody was offered a task yet
    body = call("oai", "POST", URL, json={"name": "rules_changed"}).get_json()
    assert [(r["instance_id"], r["started"]) for r in body["reached"]
            if not r["started"]] == [(theirs, False)]
    assert _reached(body) == [("signal_boundary", False), ("signal_start", True)]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": 7}, "name"),
    ({"name": "x" * 241}, "name"),
    ({"name": "rules_changed", "variables": []}, "variables"),
    ({"name": "rules_changed", "variables": {"not a name": 1}}, "variables"),
    ({"name": "rules_changed", "vars": {}}, "vars"),
])
def test_a_bad_body_is_a_problem_naming_the_field_and_writes_nothing(
        signalled: Engine, call: Call, body: dict[str, Any], field: str) -> None:
    signalled.start("signal_catch", "S-5")
    before = _counts(signalled)
    answer = call("coordinator", "POST", URL, json=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    errors = answer.get_json()["errors"]
    assert any(key.split(".")[0] == field for key in errors), errors
    assert _counts(signalled) == before


def test_only_institutions_and_coordinators_may_signal(signalled: Engine, call: Call) -> None:
    body = {"name": "rules_changed"}
    assert call(None, "POST", URL, json=body).status_code == 401
    assert call("worker", "POST", URL, json=body).status_code == 403
    assert call("owner", "POST", URL, json=body).status_code == 403
    assert _counts(signalled)[0] == 0


def test_the_cli_prints_what_the_api_answers(signalled: Engine, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    waiting = signalled.start("signal_catch", "S-6").instance.id
    cli = CliRunner()
    printed = cli.invoke(main, ["signal", "rules_changed", "--data", '{"ruleset": "x"}',
                                "--json"])
    assert printed.exit_code == 0, printed.output
    body = json.loads(printed.output)
    assert _reached(body) == [("signal_catch", False), ("signal_start", True)]
    assert body["reached"][0]["instance_id"] == waiting
    plain = cli.invoke(main, ["signal", "rules_changed"])
    assert plain.exit_code == 0, plain.output
    [line] = plain.output.splitlines()
    assert line.split()[1:] == ["signal_start", "started", "running"]
    none = cli.invoke(main, ["signal", "nobody_listens"])
    assert none.exit_code == 0 and "nothing reached" in none.output
    bad = cli.invoke(main, ["signal", "rules_changed", "--data", "[1]"])
    assert bad.exit_code != 0 and "--data" in bad.output


def test_a_trigger_moves_on_a_receive_task_drawn_without_a_message(
        engine: Engine, call: Call) -> None:
    engine.deploy(corpus("receive_without_message.bpmn"))
    iid = engine.start("receive_without_message", "T-2").instance.id
    url = f"/api/v1/instances/{iid}/trigger"
    before = _counts(engine)
    wrong = call("coordinator", "POST", url, json={"activity_id": "Assess"})
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    assert "activity_id" in wrong.get_json()["errors"]
    assert call("coordinator", "POST", url, json={"variables": {}}).status_code == 422
    assert call("oai", "POST", url, json={"activity_id": "Wait_Trigger"}).status_code == 404
    assert _counts(engine) == before
    answer = call("coordinator", "POST", url, json={"activity_id": "Wait_Trigger",
                                                    "variables": {"file_complete": True}})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"instance_id": iid, "instance_status": "running",
                                 "incident_id": None}
    case = call("coordinator", "GET", f"/api/v1/instances/{iid}").get_json()
    assert case["data"]["file_complete"] is True
    assert call("oai", "GET", "/api/v1/tasks").get_json()["items"][0]["activity_id"] == "Assess"


def test_the_cli_triggers_as_the_api_does(engine: Engine, db_url: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    engine.deploy(corpus("receive_without_message.bpmn"))
    iid = engine.start("receive_without_message", "T-3").instance.id
    cli = CliRunner()
    wrong = cli.invoke(main, ["trigger", iid, "Assess"])
    assert wrong.exit_code != 0 and "activity_id" in wrong.output
    printed = cli.invoke(main, ["trigger", iid, "Wait_Trigger", "--data", '{"n": 1}',
                                "--json"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == {"instance_id": iid, "instance_status": "running",
                                          "incident_id": None}
