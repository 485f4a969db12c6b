"""Two findings of the corpus beside signals: a receive task without a message is refused
by name (Camunda 7 waits there for a trigger, ciiflow has none and would run straight
through), and a user task's due date that cannot be computed is an incident naming the
user task (it was stored without an element)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import DefinitionRefused, Engine
from engine.store.models import Incident, Task
from tests.modeler.conftest import corpus


def test_a_receive_task_without_a_message_is_refused_by_name(engine: Engine) -> None:
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(corpus("receive_without_message.bpmn"))
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert [f.element_id for f in errors] == ["Wait_Trigger"]
    assert "give the receive task a message" in errors[0].message


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
