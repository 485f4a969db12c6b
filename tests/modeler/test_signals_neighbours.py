"""Two findings of the corpus beside signals: a receive task without a message waits
until it is triggered (Camunda 7's `RuntimeService.signal(executionId)`; it ran straight
through), and a user task's due date that cannot be computed is an incident naming the
user task (it was stored without an element)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import DefinitionRefused, Engine, InvalidInput
from engine.store.models import History, Incident, Task
from tests.modeler.conftest import corpus


def test_a_receive_task_without_a_message_waits_for_its_trigger(engine: Engine) -> None:
    engine.deploy(corpus("receive_without_message.bpmn"))
    iid = engine.start("receive_without_message", "T-1").instance.id
    assert _ready(engine, iid) == []  # it waits, it did not run through
    with pytest.raises(InvalidInput) as refused:
        engine.trigger(iid, "Assess")
    assert refused.value.field == "activity_id"
    with pytest.raises(InvalidInput):
        engine.correlate("trigger:Wait_Trigger", instance_id=iid)
    outcome = engine.trigger(iid, "Wait_Trigger", {"file_complete": True}, actor="tester")
    assert outcome.incident is None
    assert _ready(engine, iid) == ["Assess"]
    assert engine.workflow_data(iid)["file_complete"] is True
    with engine.sessions() as session:
        [row] = session.scalars(select(History).where(History.kind == "triggered")).all()
        assert (row.activity_id, row.actor) == ("Wait_Trigger", "tester")
    with pytest.raises(InvalidInput):  # once moved on, nothing waits there
        engine.trigger(iid, "Wait_Trigger")


def _ready(engine: Engine, iid: str) -> list[str]:
    with engine.sessions() as session:
        return sorted(session.scalars(select(Task.activity_id).where(
            Task.instance_id == iid, Task.state == "ready")))


def test_a_due_date_on_an_unknown_variable_is_an_incident_at_the_user_task(
        engine: Engine) -> None:
    engine.deploy(corpus("due_date_unknown.bpmn"))
    outcome = engine.start("due_date_unknown", "H-1")
    assert outcome.incident is not None
    assert outcome.incident.activity_id == "Assess"
    assert "camunda:dueDate" in outcome.incident.message
    assert "assessmentDue" in outcome.incident.message
    with engine.sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.activity_id == "Assess"
        assert not session.scalars(select(Task)).all()  # no task row without its due date


def test_a_signal_name_too_long_to_keep_is_refused_by_name(engine: Engine) -> None:
    long = "r" * 241
    text = corpus("signal_catch.bpmn")["signal_catch.bpmn"].replace(
        b'name="rules_changed"', f'name="{long}"'.encode())
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy({"signal_catch.bpmn": text})
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert [f.element_id for f in errors] == ["Signal_0rules1"]
    with pytest.raises(InvalidInput) as too_long:
        engine.broadcast_signal(long)
    assert too_long.value.field == "name"
