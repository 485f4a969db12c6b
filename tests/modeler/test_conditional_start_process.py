"""Process-level conditional start events, as Camunda 7 starts them, from Modeler files.

Camunda 7 (User Guide, Conditional Events > Conditional Start Event; REST `POST
/condition`): such a process starts only when conditions are evaluated for some
variables; every latest process whose conditional start condition holds is started with
those variables (and the business key given), and the started instances are the answer.
A process that also has a none start event still starts normally through it.
"""

from __future__ import annotations

import pytest

from engine import Engine, InvalidInput, NotFound
from tests.modeler.conftest import Case, corpus
from tests.webhooks.conftest import dispatcher, secret_key, settings, wengine  # noqa: F401
from tests.webhooks.receivers import Receiver
from tests.webhooks.test_task_lifecycle import by_path, events, listening
from webhooks.dispatcher import Dispatcher


@pytest.fixture
def deployed(case: Case) -> Case:
    case.deploy("cond_start_urgent.bpmn", "cond_start_large.bpmn", "cond_catch.bpmn")
    return case


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def started(engine: Engine, variables: dict, **kwargs: object) -> dict[str, str]:
    """process key -> instance id of what the evaluation started."""
    outcomes = engine.evaluate_conditions(variables, **kwargs)  # type: ignore[arg-type]
    return {o.instance.process_key: o.instance.id for o in outcomes}


def test_only_the_processes_whose_condition_holds_start(deployed: Case) -> None:
    engine = deployed.engine
    urgent = started(engine, {"urgent": True, "amount": 50}, business_key="K-1")
    assert list(urgent) == ["cond_start_urgent"]
    iid = urgent["cond_start_urgent"]
    assert ready(deployed, iid) == ["Triage"]
    instance = engine.instance(iid)
    assert (instance.business_key, instance.status) == ("K-1", "running")
    first = deployed.history(iid)[0]
    assert (first.kind, first.detail["condition"]) == ("started", "Event_Urgent")
    assert engine.task_data(deployed.only(iid, "Triage").id)["amount"] == 50
    both = started(engine, {"urgent": True, "amount": 5000})
    assert sorted(both) == ["cond_start_large", "cond_start_urgent"]
    # the conditional start's path, not the none start's
    assert ready(deployed, both["cond_start_large"]) == ["Audit"]


def test_none_holding_is_an_empty_answer(deployed: Case) -> None:
    before = deployed.engine.instances().items
    assert started(deployed.engine, {"urgent": False, "amount": 5}) == {}
    assert deployed.engine.instances().items == before


def test_a_variable_not_given_makes_a_condition_false(deployed: Case) -> None:
    """Camunda's tryEvaluate: an unknown property is false, not an error."""
    assert list(started(deployed.engine, {"amount": 2000})) == ["cond_start_large"]


def test_one_process_only_when_named(deployed: Case) -> None:
    engine = deployed.engine
    assert list(started(engine, {"urgent": True, "amount": 5000},
                        process_key="cond_start_large")) == ["cond_start_large"]
    with pytest.raises(InvalidInput) as refused:
        engine.evaluate_conditions({"approved": True}, process_key="cond_catch")
    assert refused.value.errors.keys() == {"process_key"}
    with pytest.raises(NotFound):
        engine.evaluate_conditions({"urgent": True}, process_key="no_such_process")


def test_a_failing_condition_refuses_all_and_starts_none(deployed: Case) -> None:
    engine = deployed.engine
    with pytest.raises(InvalidInput) as refused:
        engine.evaluate_conditions({"urgent": True, "amount": "a lot"})
    assert "Event_LargeClaim" in str(refused.value)
    assert engine.instances().items == []


def test_a_none_start_beside_still_starts_normally(deployed: Case) -> None:
    engine = deployed.engine
    iid = engine.start("cond_start_large", "N-1", {"amount": 5000}).instance.id
    assert ready(deployed, iid) == ["Register"]
    deployed.complete(deployed.only(iid, "Register"))
    assert engine.instance(iid).status == "completed"
    assert [a for a, _ in deployed.rows(iid)] == ["Register"]


def test_a_sole_conditional_start_is_the_process_initial_event(deployed: Case) -> None:
    """Camunda's startProcessInstanceByKey runs a process's only start event."""
    iid = deployed.engine.start("cond_start_urgent", "N-2", {"urgent": False}).instance.id
    assert ready(deployed, iid) == ["Triage"]


def test_a_case_started_by_its_condition_tells_the_institution_its_task(
        wengine: Engine, dispatcher: Dispatcher) -> None:  # noqa: F811
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"], ["task.ready"])
        wengine.deploy(corpus("cond_start_urgent.bpmn"))
        [outcome] = wengine.evaluate_conditions({"urgent": True}, business_key="AVS 756.1")
        assert dispatcher.run_once() == 1
    [(kind, data)] = events(by_path(receiver, "sas"), sas)
    assert (kind, data["activity"], data["instance_id"]) == ("task.ready", "Triage",
                                                            outcome.instance.id)
    assert "756.1" not in by_path(receiver, "sas").received[0].body.decode()


def test_several_conditional_starts_each_start_a_case(case: Case) -> None:
    """One case per conditional start event that holds; with no other start event, a
    plain start is an incident naming how to start such a process."""
    xml = corpus("cond_start_large.bpmn")["cond_start_large.bpmn"].replace(
        b'<bpmn:outgoing>Flow_01</bpmn:outgoing>\n    </bpmn:startEvent>',
        b'<bpmn:outgoing>Flow_01</bpmn:outgoing>\n      <bpmn:conditionalEventDefinition '
        b'id="ConditionalEventDefinition_0">\n        <bpmn:condition xsi:type="bpmn:'
        b'tFormalExpression">${registered}</bpmn:condition>\n      </bpmn:conditional'
        b'EventDefinition>\n    </bpmn:startEvent>', 1)
    case.engine.deploy({"cond_start_large.bpmn": xml})
    outcomes = case.engine.evaluate_conditions({"registered": True, "amount": 5000})
    assert sorted(ready(case, o.instance.id)[0] for o in outcomes) == ["Audit", "Register"]
    plain = case.engine.start("cond_start_large", "P-1", {"registered": True})
    assert plain.incident is not None and "/api/v1/conditions" in plain.incident.message
