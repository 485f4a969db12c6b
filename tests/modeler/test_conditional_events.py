"""Conditional events run as Camunda 7 evaluates them, from Modeler files.

Camunda 7 (User Guide, BPMN 2.0 > Events > Conditional Events): the condition is
evaluated when the event is reached and again whenever case variables change; with
`camunda:variableName` only a change of that variable counts, with
`camunda:variableEvents` only those kinds of change. An interrupting boundary event
cancels its activity; a non-interrupting one runs beside it.
"""

from __future__ import annotations

from tests.modeler.conftest import Case


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def test_intermediate_catch_waits_for_a_change_of_its_variable(case: Case) -> None:
    case.deploy("cond_catch.bpmn")
    iid = case.engine.start("cond_catch", "C-1", {"approved": False, "amount": 0}).instance.id
    assert ready(case, iid) == ["Approve"]
    # the condition holds now, but `approved` did not change: not evaluated
    case.complete(case.only(iid, "Approve"), {"amount": 200})
    assert ready(case, iid) == ["Confirm"]
    case.complete(case.only(iid, "Confirm"), {"approved": True})
    assert ready(case, iid) == ["Send_Decision"]
    data = case.engine.task_data(case.only(iid, "Send_Decision").id)
    assert (data["approved"], data["amount"]) == (True, 200)
    case.complete(case.only(iid, "Send_Decision"))
    assert case.engine.instance(iid).status == "completed"


def test_intermediate_catch_passes_at_once_when_its_condition_holds(case: Case) -> None:
    case.deploy("cond_catch.bpmn")
    iid = case.engine.start("cond_catch", "C-2", {"approved": True, "amount": 500}).instance.id
    assert ready(case, iid) == ["Approve", "Send_Decision"]


def test_boundary_conditions_on_variables_set_in_another_branch(case: Case) -> None:
    case.deploy("cond_boundary.bpmn")
    iid = case.engine.start("cond_boundary", "B-1",
                            {"withdrawn": False, "urgent": False}).instance.id
    assert ready(case, iid) == ["Review", "Update_Case"]
    case.complete(case.only(iid, "Update_Case"), {"urgent": True})
    # non-interrupting: the notification runs beside the review
    assert ready(case, iid) == ["Notify_Urgent", "Review", "Update_Again"]
    case.complete(case.only(iid, "Update_Again"), {"withdrawn": True})
    # interrupting: the review is cancelled, the file is closed instead
    assert ready(case, iid) == ["Close_File", "Notify_Urgent"]
    assert ("Review", "cancelled") in case.rows(iid)
    for task in case.ready(iid):
        case.complete(task)
    assert case.engine.instance(iid).status == "completed"


def test_boundary_condition_is_quiet_when_nothing_satisfies_it(case: Case) -> None:
    case.deploy("cond_boundary.bpmn")
    iid = case.engine.start("cond_boundary", "B-2",
                            {"withdrawn": False, "urgent": False}).instance.id
    case.complete(case.only(iid, "Update_Case"), {"note": 1})
    case.complete(case.only(iid, "Update_Again"), {"note": 2})
    case.complete(case.only(iid, "Review"))
    assert case.engine.instance(iid).status == "completed"
    assert [a for a, _ in case.rows(iid)] == ["Review", "Update_Again", "Update_Case"]


def test_a_condition_on_a_variable_not_set_yet_keeps_waiting(case: Case) -> None:
    """Camunda 7 evaluates conditional events with `tryEvaluate`: a variable the case does
    not have is false, not an error; the event waits for the change that sets it."""
    case.deploy("cond_catch.bpmn")
    outcome = case.engine.start("cond_catch", "C-3", {"approved": False})
    assert outcome.incident is None
    iid = outcome.instance.id
    assert case.engine.instance(iid).status == "running"
    assert ready(case, iid) == ["Approve"]
    case.complete(case.only(iid, "Approve"), {"amount": 200})
    case.complete(case.only(iid, "Confirm"), {"approved": True})
    assert ready(case, iid) == ["Send_Decision"]


def test_a_condition_that_fails_otherwise_is_an_incident_naming_it(case: Case) -> None:
    case.deploy("cond_catch.bpmn")
    outcome = case.engine.start("cond_catch", "C-4", {"approved": False, "amount": "lots"})
    assert outcome.incident is not None
    assert "${amount > 100}" in outcome.incident.message
    assert case.engine.instance(outcome.instance.id).status == "incident"
