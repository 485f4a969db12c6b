"""User-task attributes, inputOutput mappings and call activities, from Modeler files."""

from __future__ import annotations

from datetime import timedelta

from engine import ManualClock
from engine.camunda.forms import find_task_spec
from tests.modeler.conftest import Case


def test_user_task_attributes_land_on_the_task_row(case: Case, clock: ManualClock) -> None:
    case.deploy("user_task_attributes.bpmn")
    started = case.engine.start("user_task_attributes", "c-1",
                                {"reviewer": "anna", "region": "sion", "urgent": True})
    [task] = case.ready(started.instance.id)
    assert (task.assignee, task.candidate_groups, task.priority) == ("anna", ["cii-team-sion"], 80)
    assert task.due_at == clock.now() + timedelta(days=10)
    assert task.follow_up_at == clock.now() + timedelta(days=3)
    definition = case.engine.definition("user_task_attributes")
    specs = case.engine.runtime.specs.get(definition.id, lambda: definition.spec)
    spec = find_task_spec(specs, task.activity_id)
    assert spec.extensions["camunda"]["formRef"] == "review-form"
    assert spec.extensions["properties"] == {"sla": "10d"}


def test_input_parameters_are_local_and_outputs_flow_on(case: Case) -> None:
    case.deploy("io_mapping.bpmn")
    started = case.engine.start("io_mapping", "c-1", {
        "caseNumber": 7, "amount": 10, "region": "outer-region", "owner": "bob",
        "city": "Sion"})
    iid = started.instance.id
    task = case.only(iid, "Mapped_Task")
    # inputs are evaluated when the task starts, before its row is written
    assert task.candidate_groups == ["local-region"]
    data = case.engine.task_data(task.id)
    assert data["title"] == "Case 7" and data["amount"] == 20 and data["nothing"] is None
    assert data["reviewers"] == ["alice", "bob"]
    assert data["address"] == {"city": "Sion", "zip": "1950"}
    case.complete(task, {"verdict": "yes", "comment": "fine"})

    sub_task = case.only(iid, "Sub_Task")
    assert case.engine.task_data(sub_task.id)["limit"] == 11  # outer amount again
    case.complete(sub_task)
    after = case.engine.workflow_data(iid)
    assert after["decision"] is True and after["reviewedTitle"] == "Case 7"
    assert after["subResult"] == 110
    assert after["comment"] == "fine"  # a form value still reaches the process
    # locals are gone, hidden outer values are back
    assert after["amount"] == 10 and after["region"] == "outer-region"
    for local in ("title", "nothing", "reviewers", "address", "limit"):
        assert local not in after
    case.complete(case.only(iid, "After_Task"))
    assert case.engine.instance(iid).status == "completed"


def test_call_activity_passes_only_what_is_mapped(case: Case) -> None:
    case.deploy("call_caller.bpmn", "call_called.bpmn")
    started = case.engine.start("call_caller", "c-9",
                                {"caseNumber": "C9", "amount": 3, "secret": "x"})
    iid = started.instance.id
    called = case.only(iid, "Called_Task")
    seen = case.engine.task_data(called.id)
    assert seen == {"number": "C9", "cents": 300}
    case.complete(called, {"verdict": "granted", "internal": 1})
    back = case.engine.workflow_data(iid)
    assert back["calledVerdict"] == "granted" and back["label"] == "C9-done"
    assert "internal" not in back and "verdict" not in back and back["secret"] == "x"
    case.complete(case.only(iid, "After_Call"))
    assert case.engine.instance(iid).status == "completed"


def test_call_activity_with_all_variables(case: Case) -> None:
    case.deploy("call_all.bpmn", "call_called.bpmn")
    iid = case.engine.start("call_all", "c-1", {"a": 1}).instance.id
    called = case.only(iid, "Called_Task")
    assert case.engine.task_data(called.id)["a"] == 1
    case.complete(called, {"verdict": "ok"})
    instance = case.engine.instance(iid)
    assert instance.status == "completed"
