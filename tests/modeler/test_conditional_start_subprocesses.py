"""Event subprocesses with a conditional start event, as Camunda 7 runs them, from Modeler
files.

Camunda 7 (User Guide, BPMN 2.0 > Events > Conditional Events): the condition of an event
subprocess's conditional start is evaluated when its scope starts and whenever variables
change, with `camunda:variableName` / `camunda:variableEvents` as for the boundary event.
An interrupting one cancels the scope's active work and runs; a non-interrupting one runs
beside the work, again at every change that satisfies its condition.
"""

from __future__ import annotations

import pytest

from engine import DefinitionRefused, Engine
from tests.modeler.conftest import Case, corpus
from tests.webhooks.conftest import dispatcher, secret_key, settings, wengine  # noqa: F401
from tests.webhooks.receivers import Receiver
from tests.webhooks.test_task_lifecycle import by_path, events, listening
from webhooks.dispatcher import Dispatcher

START = {"withdrawn": False, "confirmed": False, "urgent": False}


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def test_non_interrupting_runs_beside_the_work_at_each_satisfying_change(case: Case) -> None:
    case.deploy("esp_conditional.bpmn")
    iid = case.engine.start("esp_conditional", "U-1", START).instance.id
    assert ready(case, iid) == ["Collect"]
    case.complete(case.only(iid, "Collect"), {"urgent": True})
    assert ready(case, iid) == ["Notify_Urgent", "Review"]
    case.complete(case.only(iid, "Review"), {"urgent": False})  # not satisfied: nothing
    assert ready(case, iid) == ["Check", "Notify_Urgent"]
    case.complete(case.only(iid, "Check"), {"urgent": True})  # satisfied again: runs again
    assert ready(case, iid) == ["Decide", "Notify_Urgent", "Notify_Urgent"]
    case.complete(case.only(iid, "Decide"))
    assert case.engine.instance(iid).status == "running"  # the two event subprocesses run
    for task in case.ready(iid):
        case.complete(task)
    assert case.engine.instance(iid).status == "completed"
    assert sorted(case.rows(iid)) == sorted(
        [("Check", "completed"), ("Collect", "completed"), ("Decide", "completed"),
         ("Notify_Urgent", "completed"), ("Notify_Urgent", "completed"),
         ("Review", "completed")])


def test_variable_name_filter_then_interrupting_cancels_the_scope(case: Case) -> None:
    """`${withdrawn && confirmed}` watches `confirmed` only: `withdrawn` set alone does not
    start it; `confirmed` set then does, and the scope's work is cancelled, the
    non-interrupting event subprocess running beside included."""
    case.deploy("esp_conditional.bpmn")
    iid = case.engine.start("esp_conditional", "W-1", START).instance.id
    case.complete(case.only(iid, "Collect"), {"withdrawn": True, "urgent": True})
    # the condition holds, but confirmed did not change
    assert ready(case, iid) == ["Notify_Urgent", "Review"]
    case.complete(case.only(iid, "Review"), {"confirmed": True})
    assert ready(case, iid) == ["Close_File"]
    assert ("Notify_Urgent", "cancelled") in case.rows(iid)
    data = case.engine.task_data(case.only(iid, "Close_File").id)
    assert (data["withdrawn"], data["confirmed"]) == (True, True)
    case.complete(case.only(iid, "Close_File"))
    assert case.engine.instance(iid).status == "completed"
    assert {"Check", "Decide"}.isdisjoint(a for a, _ in case.rows(iid))


def test_a_condition_holding_when_the_scope_starts_fires_at_once(case: Case) -> None:
    case.deploy("esp_conditional.bpmn")
    iid = case.engine.start("esp_conditional", "W-2", {**START, "urgent": True}).instance.id
    assert ready(case, iid) == ["Collect", "Notify_Urgent"]


def test_interrupting_in_an_embedded_subprocess_ends_only_that_scope(case: Case) -> None:
    case.deploy("esp_conditional_embedded.bpmn")
    iid = case.engine.start("esp_conditional_embedded", "S-1", {"rejected": False}).instance.id
    assert ready(case, iid) == ["Inner_Work", "Outer_Work"]
    case.complete(case.only(iid, "Outer_Work"), {"rejected": True})  # set beside the scope
    assert ready(case, iid) == ["Inner_Rejected"]
    assert ("Inner_Work", "cancelled") in case.rows(iid)
    case.complete(case.only(iid, "Inner_Rejected"))
    assert ready(case, iid) == ["After"]  # the subprocess ended; the process goes on
    case.complete(case.only(iid, "After"))
    assert case.engine.instance(iid).status == "completed"
    quiet = case.engine.start("esp_conditional_embedded", "S-2", {"rejected": False}).instance.id
    for activity in ("Outer_Work", "Inner_Work", "Inner_Check"):
        case.complete(case.only(quiet, activity))
    assert ready(case, quiet) == ["After"]


def test_the_institution_of_the_cancelled_task_is_told_why(
        wengine: Engine, dispatcher: Dispatcher) -> None:  # noqa: F811
    with Receiver() as receiver:
        lead = listening(wengine, receiver, "lead", ["lead"], ["task.cancelled"])
        wengine.deploy(corpus("esp_conditional.bpmn"))
        iid = wengine.start("esp_conditional", "W-3", START).instance.id
        case = Case(wengine)
        case.complete(case.only(iid, "Collect"), {"withdrawn": True, "urgent": True})
        notify = case.only(iid, "Notify_Urgent")
        case.complete(case.only(iid, "Review"), {"confirmed": True})
        assert dispatcher.run_once() == 1
    [(kind, data)] = events(by_path(receiver, "lead"), lead)
    assert (kind, data["task_id"], data["reason"]) == ("task.cancelled", notify.id,
                                                       "event_subprocess")


def test_in_a_called_process_it_runs_too(case: Case) -> None:
    """It waits from the called process's start, as a timer event subprocess does."""
    files = corpus("call_caller.bpmn", "esp_conditional.bpmn")
    files["call_caller.bpmn"] = files["call_caller.bpmn"].replace(
        b'calledElement="called_review"', b'calledElement="esp_conditional"')
    case.engine.deploy(files)
    iid = case.engine.start("call_caller", "C-1", {"caseNumber": "N-1", "amount": 2,
                                                   **START}).instance.id
    case.complete(case.only(iid, "Collect"), {"withdrawn": True})
    case.complete(case.only(iid, "Review"), {"confirmed": True})
    assert ready(case, iid) == ["Close_File"]
    case.complete(case.only(iid, "Close_File"))
    assert ready(case, iid) == ["After_Call"]  # the called process ended; the caller goes on


def test_lint_names_a_bad_variable_event_or_a_missing_condition(case: Case) -> None:
    bad = corpus("esp_conditional.bpmn")["esp_conditional.bpmn"]
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy({"x.bpmn": bad.replace(b'"create, update"', b'"create, change"')})
    assert [(f.element_id, "'change'" in f.message) for f in refused.value.findings
            if f.severity == "error"] == [("Event_UrgentStart", True)]
    bare = bad.replace(b'<bpmn:condition xsi:type="bpmn:tFormalExpression">${urgent}'
                       b"</bpmn:condition>", b"")
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy({"x.bpmn": bare})
    assert [f.element_id for f in refused.value.findings
            if f.severity == "error"] == ["Event_UrgentStart"]


def test_an_interrupting_one_holding_at_the_start_replaces_the_work(case: Case) -> None:
    case.deploy("esp_conditional.bpmn")
    iid = case.engine.start("esp_conditional", "W-4",
                            {**START, "withdrawn": True, "confirmed": True}).instance.id
    assert ready(case, iid) == ["Close_File"]
    case.complete(case.only(iid, "Close_File"))
    assert case.engine.instance(iid).status == "completed"
    assert [a for a, _ in case.rows(iid)] == ["Close_File"]
