"""Message, timer, error and escalation events and event subprocesses, from Modeler files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine import DefinitionRefused, ManualClock, NoSubscriber
from engine.camunda.handlers import HandlerRegistry
from engine.store.models import Instance
from tests.modeler.conftest import Case, corpus


def kinds(case: Case, iid: str) -> list[str]:
    return [h.kind for h in case.history(iid)]


def test_message_start_event_starts_an_instance_with_the_business_key(case: Case) -> None:
    case.deploy("message_start.bpmn")
    outcome = case.engine.correlate("cii-request", business_key="AVS-1",
                                    payload={"canton": "VS"})
    instance = case.engine.instance(outcome.instance.id)
    assert (instance.business_key, instance.status) == ("AVS-1", "running")
    [task] = case.ready(instance.id)
    assert task.activity_id == "Triage"
    assert case.engine.workflow_data(instance.id)["canton"] == "VS"
    with pytest.raises(NoSubscriber):
        case.engine.correlate("nobody-catches-this", business_key="AVS-1")


def test_intermediate_message_receive_task_and_boundary(case: Case) -> None:
    case.deploy("message_events.bpmn")
    iid = case.engine.start("message_events", "K-1").instance.id
    case.engine.correlate("documents-received", business_key="K-1", payload={"docs": 2})
    case.engine.correlate("answer", business_key="K-1", payload={"answer": "yes"})
    assert case.only(iid, "Assess")
    data = case.engine.workflow_data(iid)
    assert (data["docs"], data["answer"]) == (2, "yes")
    case.engine.correlate("withdrawn", business_key="K-1")
    assert case.engine.instance(iid).status == "completed"
    assert ("Assess", "cancelled") in case.rows(iid)


def test_timer_start_cycle_starts_one_instance_per_occurrence(case: Case,
                                                              clock: ManualClock) -> None:
    case.deploy("timer_start_cycle.bpmn")

    def count() -> int:
        with case.engine.sessions() as s:
            return len(list(s.scalars(select(Instance.id).where(
                Instance.process_key == "timer_start_cycle"))))

    assert case.engine.run_due_timers() == 0 and count() == 0
    clock.advance(hours=10, seconds=1)
    case.engine.run_due_timers()
    assert count() == 1
    clock.advance(hours=25)  # two more occurrences were due; then the cycle is over
    case.engine.run_due_timers()
    assert count() == 3
    clock.advance(days=5)
    case.engine.run_due_timers()
    assert count() == 3
    with case.engine.sessions() as s:
        ids = list(s.scalars(select(Instance.id)))
    assert all([t.activity_id for t in case.ready(i)] == ["Periodic_Check"] for i in ids)


def test_timer_start_date_and_new_version_replaces_the_schedule(case: Case,
                                                                clock: ManualClock) -> None:
    case.deploy("timer_start_date.bpmn")
    case.engine.run_due_timers()
    clock.set(datetime(2026, 2, 1, 9, 0, 1, tzinfo=UTC))
    case.engine.run_due_timers()
    case.engine.run_due_timers()
    with case.engine.sessions() as s:
        assert len(list(s.scalars(select(Instance.id)))) == 1



def test_timer_start_duration_starts_one_case_that_long_after_the_deployment(
        case: Case, clock: ManualClock) -> None:
    """A `timeDuration` start timer fires once, its duration after the deployment (it used to
    crash the deployment: the duration's parts were added to a datetime)."""
    case.deploy("timer_start_duration.bpmn")
    clock.advance(hours=1, minutes=59)
    assert case.engine.run_due_timers() == 0
    clock.advance(minutes=1, seconds=1)
    case.engine.run_due_timers()
    clock.advance(days=3)
    case.engine.run_due_timers()
    with case.engine.sessions() as s:
        [iid] = s.scalars(select(Instance.id).where(
            Instance.process_key == "timer_start_duration"))
    assert [t.activity_id for t in case.ready(iid)] == ["First_Check"]

@pytest.fixture
def sent(handlers: HandlerRegistry) -> list[str]:
    calls: list[str] = []
    handlers.register("delegateExpression", "modelerReminder",
                      lambda ctx: calls.append(ctx.activity_id) or {})
    return calls


def test_timer_date_and_repeating_non_interrupting_boundary(
        case: Case, clock: ManualClock, sent: list[str]) -> None:
    case.deploy("timer_events.bpmn")
    iid = case.engine.start("timer_events", "T-1").instance.id
    assert case.ready(iid) == []
    clock.set(datetime(2026, 1, 10, 8, 0, 1, tzinfo=UTC))
    case.engine.run_due_timers()
    task = case.only(iid, "Long_Task")
    for month in range(1, 4):
        clock.advance(days=30, seconds=1)
        case.engine.run_due_timers()
        assert len(sent) == month
        assert case.only(iid, "Long_Task").id == task.id  # still the same task
    case.complete(task)
    assert case.engine.instance(iid).status == "completed"


def test_error_end_in_subprocess_is_caught_by_the_boundary(case: Case) -> None:
    case.deploy("error_subprocess.bpmn")
    bad = case.engine.start("error_subprocess", "E-1", {"complete": False}).instance.id
    assert [t.activity_id for t in case.ready(bad)] == ["Ask_Docs"]
    # camunda:errorCodeVariable keeps the caught error's code
    assert case.engine.workflow_data(bad)["errorCode"] == "INCOMPLETE"
    good = case.engine.start("error_subprocess", "E-2", {"complete": True}).instance.id
    assert [t.activity_id for t in case.ready(good)] == ["Proceed"]
    assert "error_end_uncaught" not in kinds(case, bad)


def test_uncaught_error_end_completes_with_the_code_in_history(case: Case) -> None:
    case.deploy("error_uncaught.bpmn")
    iid = case.engine.start("error_uncaught", "U-1").instance.id
    assert case.engine.instance(iid).status == "completed"
    [row] = [h for h in case.history(iid) if h.kind == "error_end_uncaught"]
    assert row.activity_id == "Event_Fail" and row.detail["code"] == "INCOMPLETE"


def test_escalation_non_interrupting_and_interrupting(case: Case) -> None:
    case.deploy("escalation.bpmn")
    iid = case.engine.start("escalation", "X-1", {"abort": True}).instance.id
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Inner_Work", "Notify_Lead"]
    case.complete(case.only(iid, "Inner_Work"))
    # the abort escalation end event interrupts the subprocess
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Aborted_Task", "Notify_Lead"]
    assert ("Inner_Work", "completed") in case.rows(iid)
    for task in case.ready(iid):
        case.complete(task)
    assert case.engine.instance(iid).status == "completed"


def test_non_interrupting_message_event_subprocess(case: Case) -> None:
    case.deploy("event_subprocess.bpmn")
    iid = case.engine.start("event_subprocess", "S-1").instance.id
    case.engine.correlate("documents-received", business_key="S-1", payload={"info": 1})
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Main_Work", "Read_Info"]
    assert case.engine.task_data(case.only(iid, "Read_Info").id)["info"] == 1


def test_non_interrupting_timer_event_subprocess_runs_beside_the_main_flow(
        case: Case, clock: ManualClock) -> None:
    case.deploy("event_subprocess.bpmn")
    iid = case.engine.start("event_subprocess", "S-1").instance.id
    clock.advance(days=20, seconds=1)
    case.engine.run_due_timers()
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Main_Work", "Timed_Out"]


def test_unsupported_interrupting_event_subprocess_is_refused_at_deploy(case: Case) -> None:
    """An interrupting signal start inside an embedded subprocess would never fire
    (SpiffWorkflow starts signal event subprocesses from the process only)."""
    name = "esp_embedded.bpmn"
    files = corpus(name)
    for old, new in [(b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P5D'
                      b"</bpmn:timeDuration>", b""),
                     (b"timerEventDefinition", b"signalEventDefinition")]:
        assert old in files[name]
        files[name] = files[name].replace(old, new)
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(files)
    errors = [f for f in refused.value.findings if f.severity == "error"]
    assert any("interrupting" in f.message and f.element_id == "Event_TimeoutStart"
               for f in errors)


def test_deploy_time_is_the_cycle_origin(case: Case, clock: ManualClock) -> None:
    case.deploy("timer_start_cycle.bpmn")
    clock.advance(timedelta(hours=31))  # the worker was down: three occurrences were due
    case.engine.run_due_timers()
    with case.engine.sessions() as s:
        assert len(list(s.scalars(select(Instance.id)))) == 3
