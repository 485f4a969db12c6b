"""`POST /api/v1/conditions` and `ciiflow conditions evaluate`: Camunda's `POST /condition`.

Every latest process whose conditional start event holds for the variables is started,
and the answer lists the started cases; none holding is an empty list. A bad body is a
422 problem naming the field, and writes nothing.
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
URL = "/api/v1/conditions"


@pytest.fixture
def conditional(engine: Engine) -> Engine:
    engine.deploy(corpus("cond_start_urgent.bpmn", "cond_start_large.bpmn"))
    return engine


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Instance)) or 0,
                session.scalar(select(func.count()).select_from(History)) or 0)


def _keys(body: dict[str, Any]) -> list[str]:
    return sorted(s["instance"]["process_key"] for s in body["started"])


def test_starts_only_the_processes_whose_condition_holds(conditional: Engine,
                                                         call: Call) -> None:
    answer = call("coordinator", "POST", URL, json={
        "variables": {"urgent": True, "amount": 5000}, "business_key": "K-1"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert _keys(body) == ["cond_start_large", "cond_start_urgent"]
    by_key = {s["instance"]["process_key"]: s for s in body["started"]}
    assert by_key["cond_start_large"]["instance"]["business_key"] == "K-1"
    assert [t["activity_id"] for t in by_key["cond_start_large"]["open_tasks"]] == ["Audit"]
    assert [t["activity_id"] for t in by_key["cond_start_urgent"]["open_tasks"]] == ["Triage"]
    case = call("coordinator", "GET", by_key["cond_start_urgent"]["instance"]["link"])
    assert case.get_json()["status"] == "running"
    assert case.get_json()["data"]["amount"] == 5000


def test_an_institution_starts_and_sees_its_own_tasks(conditional: Engine, call: Call) -> None:
    answer = call("sas", "POST", URL, json={"variables": {"urgent": True, "amount": 1}})
    assert answer.status_code == 200, answer.get_json()
    [started] = answer.get_json()["started"]
    assert started["instance"]["started_by"] == "sas"
    assert [t["activity_id"] for t in started["open_tasks"]] == ["Triage"]
    only = call("oai", "POST", URL, json={"variables": {"urgent": True, "amount": 5000},
                                          "process_key": "cond_start_large"})
    assert _keys(only.get_json()) == ["cond_start_large"]


def test_none_holding_is_an_empty_answer(conditional: Engine, call: Call) -> None:
    before = _counts(conditional)
    answer = call("coordinator", "POST", URL, json={"variables": {"urgent": False,
                                                                   "amount": 3}})
    assert answer.status_code == 200 and answer.get_json() == {"started": []}
    assert _counts(conditional) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"variables": {"not a name": 1}}, "variables"),
    ({"variables": []}, "variables"),
    ({"variables": {}, "business_key": ""}, "business_key"),
    ({"variables": {}, "process_key": 7}, "process_key"),
    ({"vars": {"urgent": True}}, "vars"),
    ({"variables": {"urgent": True, "amount": "a lot"}}, "variables"),
    ({"variables": {"urgent": True}, "process_key": "cond_catch_none"}, None),
])
def test_a_bad_body_is_a_problem_naming_the_field_and_writes_nothing(
        conditional: Engine, call: Call, body: dict[str, Any], field: str | None) -> None:
    before = _counts(conditional)
    answer = call("coordinator", "POST", URL, json=body)
    assert answer.mimetype == "application/problem+json"
    if field is None:
        assert answer.status_code == 404  # no such process
    else:
        assert answer.status_code == 422, answer.get_json()
        errors = answer.get_json()["errors"]
        assert any(key.split(".")[0] == field for key in errors), errors
    assert _counts(conditional) == before


def test_only_who_may_start_cases_may_evaluate(conditional: Engine, call: Call) -> None:
    body = {"variables": {"urgent": True}}
    assert call(None, "POST", URL, json=body).status_code == 401
    assert call("worker", "POST", URL, json=body).status_code == 403
    assert call("owner", "POST", URL, json=body).status_code == 403
    assert _counts(conditional)[0] == 0


def test_the_cli_prints_what_the_api_answers(conditional: Engine, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    cli = CliRunner()
    data = json.dumps({"urgent": True, "amount": 5000})
    printed = cli.invoke(main, ["conditions", "evaluate", "--data", data,
                                "--business-key", "K-2", "--json"])
    assert printed.exit_code == 0, printed.output
    body = json.loads(printed.output)
    assert _keys(body) == ["cond_start_large", "cond_start_urgent"]
    assert {s["instance"]["business_key"] for s in body["started"]} == {"K-2"}
    assert set(body["started"][0]) == {"instance", "open_tasks", "incident_id"}
    one = cli.invoke(main, ["conditions", "evaluate", "--data", data,
                            "--process", "cond_start_urgent"])
    assert one.exit_code == 0, one.output
    first, ready = one.output.splitlines()
    assert first.split()[1:] == ["cond_start_urgent", "running"]
    assert "Triage" in ready
    none = cli.invoke(main, ["conditions", "evaluate", "--data", '{"urgent": false}',
                             "--process", "cond_start_urgent"])
    assert none.exit_code == 0 and "nothing started" in none.output
    bad = cli.invoke(main, ["conditions", "evaluate", "--data", "[1]"])
    assert bad.exit_code != 0 and "--data" in bad.output
