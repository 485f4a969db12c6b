"""Form validation from `camunda:formData`: every failing field named, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Engine
from engine.store.models import History, Instance, Task
from tests.workflows.conftest import ANNOUNCEMENT

Call = Callable[..., Any]


def snapshot(engine: Engine) -> tuple[Any, ...]:
    with engine.sessions() as s:
        instances = s.execute(select(Instance.id, Instance.version, Instance.state,
                                     Instance.status).order_by(Instance.id)).all()
        tasks = s.execute(select(Task.id, Task.state, Task.assignee).order_by(Task.id)).all()
        history = s.scalar(select(func.count()).select_from(History))
    return instances, tasks, history


def triage_task(deployed: Engine, call: Call) -> str:
    started = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                   json={"business_key": "c-1", "data": ANNOUNCEMENT})
    assert started.status_code == 201, started.get_json()
    return call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]


@pytest.mark.parametrize(("data", "failing"), [
    ({}, {"service"}),  # missing required
    ({"service": "tro", "score": "3"}, {"score"}),  # a string for a long
    ({"service": "tro", "score": True}, {"score"}),  # a boolean is not a long
    ({"service": "tro", "score": 2.5}, {"score"}),
    ({"service": "holiday"}, {"service"}),  # outside the enum
    ({"service": "tro", "score": 11}, {"score"}),  # above max
    ({"service": "tro", "score": -1}, {"score"}),  # below min
    ({"service": "tro", "note": "x"}, {"note"}),  # below minlength
    ({"service": "tro", "note": "x" * 11}, {"note"}),  # above maxlength
    ({"service": "tro", "review_date": "31.02.2024"}, {"review_date"}),
    ({"service": "tro", "region": "bas-valais"}, {"region"}),  # readonly changed
    ({"service": "tro", "favourite_colour": "blue"}, {"favourite_colour"}),  # unknown
    ({"service": 3, "score": "x", "note": "", "extra": 1}, {"service", "score", "note", "extra"}),
])
def test_invalid_completion_names_each_field_and_writes_nothing(
        deployed: Engine, call: Call, data: dict[str, Any], failing: set[str]) -> None:
    task_id = triage_task(deployed, call)
    before = snapshot(deployed)
    response = call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
                    json={"data": data})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body["errors"]) == failing
    assert body["status"] == 422 and body["title"]
    assert snapshot(deployed) == before


def test_valid_completion_stores_typed_values(deployed: Engine, call: Call) -> None:
    task_id = triage_task(deployed, call)
    response = call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete", json={
        "data": {"service": "cm", "score": 7, "note": "ok", "review_date": "2026-03-01",
                 "region": "valais-central"}})
    assert response.status_code == 200, response.get_json()
    instance_id = response.get_json()["instance_id"]
    data = deployed.workflow_data(instance_id)
    assert (data["service"], data["score"], data["review_date"]) == ("cm", 7, "2026-03-01")


def test_the_form_shows_types_constraints_values_and_only_exposed_variables(
        deployed: Engine, call: Call) -> None:
    task_id = triage_task(deployed, call)
    body = call("team_central", "GET", f"/api/v1/tasks/{task_id}").get_json()
    fields = {f["id"]: f for f in body["form"]}
    assert fields["service"]["type"] == "enum" and fields["service"]["required"]
    assert [e["id"] for e in fields["service"]["enum"]] == [
        "assessment", "tro", "decloisonnement", "cm"]
    assert (fields["score"]["min"], fields["score"]["max"]) == (0, 10)
    assert (fields["note"]["minlength"], fields["note"]["maxlength"]) == (2, 10)
    assert fields["region"]["readonly"] and fields["region"]["value"] == "valais-central"
    assert body["variables"] == {"region": "valais-central", "summary": "complex situation"}
    assert "person_ref" not in str(body) and "P-001" not in str(body)


@pytest.mark.parametrize(("data", "failing"), [
    ({"region": "valais-central", "person_ref": "x"}, {"consent"}),
    ({"region": "mars", "consent": True, "person_ref": "x"}, {"region"}),
    ({"region": "bas-valais", "consent": "yes", "person_ref": "x"}, {"consent"}),
    ({"region": "bas-valais", "consent": True, "person_ref": "x", "summary": "s" * 201},
     {"summary"}),
])
def test_the_announcement_is_checked_against_the_start_form(
        deployed: Engine, call: Call, data: dict[str, Any], failing: set[str]) -> None:
    before = snapshot(deployed)
    response = call("orp", "POST", "/api/v1/processes/cii_mini/instances",
                    json={"business_key": "c-9", "data": data})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == failing
    assert snapshot(deployed) == before


def test_a_task_without_form_takes_no_data(engine: Engine, call: Call) -> None:
    from tests.engine import processes as engine_processes

    engine.deploy({"p.bpmn": engine_processes.three_tasks()})
    engine.start("three_tasks", "c", {"region": "valais-central"})
    task_id = call("team_central", "GET", "/api/v1/tasks").get_json()["items"][0]["id"]
    refused = call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete",
                   json={"data": {"anything": 1}})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"anything"}
    done = call("team_central", "POST", f"/api/v1/tasks/{task_id}/complete", json={})
    assert done.status_code == 200
