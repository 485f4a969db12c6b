"""Message, error and escalation event subprocesses inside an embedded subprocess, as
Camunda 7 runs them, from Modeler files.

Camunda 7 (User Guide, BPMN 2.0 > Subprocesses > Event Subprocess): an event subprocess
drawn in an embedded subprocess listens while that subprocess runs. Interrupting, it
cancels the subprocess's work only, runs, and the flow goes on after the subprocess;
non-interrupting, it runs beside. An error thrown inside is caught by the innermost
handler: the subprocess's event subprocess before a boundary event on the subprocess and
before the process's event subprocess.
"""

from __future__ import annotations

import pytest

from engine import Engine, NoSubscriber
from engine.camunda.handlers import BpmnError, HandlerContext, HandlerRegistry
from tests.modeler.conftest import Case, corpus
from tests.webhooks.conftest import dispatcher, secret_key, settings, wengine  # noqa: F401
from tests.webhooks.receivers import Receiver
from tests.webhooks.test_task_lifecycle import by_path, events, listening
from webhooks.dispatcher import Dispatcher


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def test_interrupting_message_cancels_only_the_subprocess_work_then_the_flow_goes_on(
        case: Case) -> None:
    case.deploy("esp_scope_message.bpmn")
    iid = case.engine.start("esp_scope_message", "SM-1", {"canton": "VS"}).instance.id
    assert ready(case, iid) == ["Inner_Work", "Outer_Work"]
    case.engine.correlate("scope-withdrawn", business_key="SM-1", payload={"why": "moved"})
    assert ready(case, iid) == ["Inner_Archive", "Outer_Work"]
    assert ("Inner_Work", "cancelled") in case.rows(iid)
    data = case.engine.task_data(case.only(iid, "Inner_Archive").id)
    assert (data["canton"], data["why"]) == ("VS", "moved")
    case.complete(case.only(iid, "Inner_Archive"))
    assert ready(case, iid) == ["After", "Outer_Work"]  # after the subprocess, not its end
    # the subprocess ended: its message waits went with it
    with pytest.raises(NoSubscriber):
        case.engine.correlate("scope-documents", business_key="SM-1")
    case.complete(case.only(iid, "After"))
    case.complete(case.only(iid, "Outer_Work"))
    assert case.engine.instance(iid).status == "completed"


def test_non_interrupting_message_runs_beside_each_time(case: Case) -> None:
    case.deploy("esp_scope_message.bpmn")
    iid = case.engine.start("esp_scope_message", "SM-2").instance.id
    case.engine.correlate("scope-documents", business_key="SM-2", payload={"pages": 3})
    assert ready(case, iid) == ["Inner_Work", "Outer_Work", "Read_Docs"]
    case.engine.correlate("scope-documents", business_key="SM-2")
    assert ready(case, iid) == ["Inner_Work", "Outer_Work", "Read_Docs", "Read_Docs"]
    for task in [t for t in case.ready(iid) if t.activity_id == "Read_Docs"]:
        case.complete(task)
    case.complete(case.only(iid, "Inner_Work"))
    assert ready(case, iid) == ["After", "Outer_Work"]
    assert ("Inner_Work", "completed") in case.rows(iid)


def test_a_message_after_the_subprocess_ended_is_not_taken_by_it(case: Case) -> None:
    case.deploy("esp_scope_message.bpmn")
    iid = case.engine.start("esp_scope_message", "SM-3").instance.id
    case.complete(case.only(iid, "Inner_Work"))
    assert ready(case, iid) == ["After", "Outer_Work"]
    for name in ("scope-withdrawn", "scope-documents"):
        with pytest.raises(NoSubscriber):
            case.engine.correlate(name, business_key="SM-3")
    assert ready(case, iid) == ["After", "Outer_Work"]


def test_the_institution_of_the_cancelled_task_is_told_why(
        wengine: Engine, dispatcher: Dispatcher) -> None:  # noqa: F811
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"], ["task.cancelled"])
        wengine.deploy(corpus("esp_scope_message.bpmn"))
        iid = wengine.start("esp_scope_message", "SM-4").instance.id
        case = Case(wengine)
        inner = case.only(iid, "Inner_Work")
        wengine.correlate("scope-withdrawn", business_key="SM-4")
        assert dispatcher.run_once() == 1
    [(kind, data)] = events(by_path(receiver, "sas"), sas)
    assert (kind, data["task_id"], data["reason"]) == ("task.cancelled", inner.id,
                                                       "event_subprocess")


@pytest.fixture
def check_register(handlers: HandlerRegistry) -> None:
    def check(ctx: HandlerContext) -> dict:
        if not ctx.variables.get("registered"):
            raise BpmnError("REGISTER", "not in the register")
        return {}
    handlers.register("delegateExpression", "checkRegister", check)


@pytest.mark.usefixtures("check_register")
def test_an_error_end_event_is_caught_by_the_subprocess_event_subprocess(case: Case) -> None:
    case.deploy("esp_scope_error.bpmn")
    iid = case.engine.start("esp_scope_error", "SE-1").instance.id
    assert ready(case, iid) == ["Assess_Risk", "Inner_Work", "Outer_Work"]
    case.complete(case.only(iid, "Assess_Risk"), {"incomplete": True})
    # the innermost handler: not the boundary on Assess, not the process's event subprocess
    assert ready(case, iid) == ["Outer_Work", "Repair"]
    assert ("Inner_Work", "cancelled") in case.rows(iid)
    case.complete(case.only(iid, "Repair"))
    assert ready(case, iid) == ["After", "Outer_Work"]
    activities = [a for a, _ in case.rows(iid)]
    assert "Boundary_Repair" not in activities and "Process_Repair" not in activities


@pytest.mark.usefixtures("check_register")
def test_a_handlers_bpmn_error_is_caught_by_the_subprocess_event_subprocess(
        case: Case) -> None:
    case.deploy("esp_scope_error.bpmn")
    iid = case.engine.start("esp_scope_error", "SE-2").instance.id
    case.complete(case.only(iid, "Assess_Risk"), {"incomplete": False, "registered": False})
    assert ready(case, iid) == ["Outer_Work", "Repair"]
    case.complete(case.only(iid, "Repair"))
    assert ready(case, iid) == ["After", "Outer_Work"]
    ok = case.engine.start("esp_scope_error", "SE-3").instance.id
    case.complete(case.only(ok, "Assess_Risk"), {"incomplete": False, "registered": True})
    case.complete(case.only(ok, "Inner_Work"))
    assert ready(case, ok) == ["After", "Outer_Work"]


def test_non_interrupting_escalation_runs_beside_the_subprocess_work(case: Case) -> None:
    case.deploy("esp_scope_escalation.bpmn")
    iid = case.engine.start("esp_scope_escalation", "SX-1").instance.id
    case.complete(case.only(iid, "Assess_Risk"), {"late": True})
    assert ready(case, iid) == ["Handle_Late", "Inner_Work", "Outer_Work"]
    case.complete(case.only(iid, "Inner_Work"))
    assert ready(case, iid) == ["Handle_Late", "Outer_Work"]  # Assess waits for it
    case.complete(case.only(iid, "Handle_Late"))
    assert ready(case, iid) == ["After", "Outer_Work"]
    on_time = case.engine.start("esp_scope_escalation", "SX-2").instance.id
    case.complete(case.only(on_time, "Assess_Risk"), {"late": False})
    case.complete(case.only(on_time, "Inner_Work"))
    assert ready(case, on_time) == ["After", "Outer_Work"]


def test_an_error_thrown_outside_the_subprocess_is_not_taken_by_its_event_subprocess(
        case: Case) -> None:
    case.deploy("esp_scope_stray.bpmn")
    iid = case.engine.start("esp_scope_stray", "SE-4").instance.id
    case.complete(case.only(iid, "Outer_Work"))
    assert ready(case, iid) == ["Inner_Work"]  # uncaught: it ends like a none end event
    assert "error_end_uncaught" in [h.kind for h in case.history(iid)]
    case.complete(case.only(iid, "Inner_Work"))
    assert case.engine.instance(iid).status == "completed"
    assert "Repair" not in [a for a, _ in case.rows(iid)]
