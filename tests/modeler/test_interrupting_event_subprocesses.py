"""Interrupting event subprocesses run as Camunda 7 runs them, from Modeler files.

Camunda 7 (User Guide, BPMN 2.0 > Subprocesses > Event Subprocess): when the start event
of an interrupting event subprocess fires, the scope it is drawn in (the process, or an
embedded subprocess) cancels its active work, the event subprocess runs with the scope's
variables, and when it ends the scope ends. A non-interrupting one runs beside the work.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import DefinitionRefused, ManualClock, NoSubscriber
from engine.camunda.handlers import BpmnError, HandlerContext, HandlerRegistry
from tests.modeler.conftest import Case, corpus


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def test_interrupting_message_cancels_the_process_work_and_ends_the_case(case: Case) -> None:
    case.deploy("esp_message.bpmn")
    iid = case.engine.start("esp_message", "M-1", {"canton": "VS"}).instance.id
    assert ready(case, iid) == ["Check", "Review"]
    # a non-interrupting event subprocess still runs beside the work
    case.engine.correlate("documents-received", business_key="M-1")
    assert ready(case, iid) == ["Check", "Read_Docs", "Review"]
    case.complete(case.only(iid, "Check"), {"checked": True})
    case.engine.correlate("withdrawn", business_key="M-1", payload={"why": "moved"})
    assert ready(case, iid) == ["Archive"]
    rows = case.rows(iid)
    assert ("Review", "cancelled") in rows and ("Read_Docs", "cancelled") in rows
    assert ("Check", "completed") in rows
    # the event subprocess sees the variables as they are now, and the message's
    data = case.engine.task_data(case.only(iid, "Archive").id)
    assert (data["canton"], data["checked"], data["why"]) == ("VS", True, "moved")
    case.complete(case.only(iid, "Archive"))
    assert case.engine.instance(iid).status == "completed"
    assert ready(case, iid) == []


def test_interrupting_timer_cancels_the_work_and_the_running_event_subprocess(
        case: Case, clock: ManualClock) -> None:
    case.deploy("esp_timer.bpmn")
    iid = case.engine.start("esp_timer", "T-1").instance.id
    clock.advance(timedelta(days=5, seconds=1))
    case.engine.run_due_timers()
    assert ready(case, iid) == ["Remind", "Review"]  # non-interrupting: beside the work
    clock.advance(timedelta(days=5))
    case.engine.run_due_timers()
    assert ready(case, iid) == ["Decide_Late"]
    assert {("Review", "cancelled"), ("Remind", "cancelled")} <= set(case.rows(iid))
    case.complete(case.only(iid, "Decide_Late"))
    assert case.engine.instance(iid).status == "completed"


def test_timer_not_due_leaves_the_case_to_its_flow(case: Case, clock: ManualClock) -> None:
    case.deploy("esp_timer.bpmn")
    iid = case.engine.start("esp_timer", "T-2").instance.id
    case.complete(case.only(iid, "Review"))
    assert case.engine.instance(iid).status == "completed"
    clock.advance(timedelta(days=11))
    case.engine.run_due_timers()
    assert case.rows(iid) == [("Review", "completed")]


def test_error_start_interrupts_and_the_case_ends_with_the_event_subprocess(
        case: Case) -> None:
    case.deploy("error_event_subprocess.bpmn")
    bad = case.engine.start("error_event_subprocess", "E-1", {"valid": False}).instance.id
    assert ready(case, bad) == ["Repair"]
    case.complete(case.only(bad, "Repair"))
    assert case.engine.instance(bad).status == "completed"
    assert [a for a, _ in case.rows(bad)] == ["Repair"]  # Next never ran
    good = case.engine.start("error_event_subprocess", "E-2", {"valid": True}).instance.id
    assert ready(case, good) == ["Next"]


def test_escalation_from_a_subprocess_interrupts_the_process_and_the_subprocess(
        case: Case) -> None:
    case.deploy("esp_escalation.bpmn")
    late = case.engine.start("esp_escalation", "X-1").instance.id
    assert ready(case, late) == ["Assess_Risk", "Inner_Work"]
    case.complete(case.only(late, "Assess_Risk"), {"late": True})
    assert ready(case, late) == ["Handle_Late"]
    assert ("Inner_Work", "cancelled") in case.rows(late)
    case.complete(case.only(late, "Handle_Late"))
    assert case.engine.instance(late).status == "completed"
    assert "After" not in [a for a, _ in case.rows(late)]
    on_time = case.engine.start("esp_escalation", "X-2").instance.id
    case.complete(case.only(on_time, "Assess_Risk"), {"late": False})
    case.complete(case.only(on_time, "Inner_Work"))
    assert ready(case, on_time) == ["After"]


def test_interrupting_event_subprocess_in_a_subprocess_cancels_only_that_scope(
        case: Case, clock: ManualClock) -> None:
    case.deploy("esp_embedded.bpmn")
    iid = case.engine.start("esp_embedded", "S-1").instance.id
    assert ready(case, iid) == ["Inner_Work", "Outer_Work"]
    clock.advance(timedelta(days=5, seconds=1))
    case.engine.run_due_timers()
    assert ready(case, iid) == ["Inner_Timeout", "Outer_Work"]
    assert ("Inner_Work", "cancelled") in case.rows(iid)
    case.complete(case.only(iid, "Inner_Timeout"))
    # the subprocess ended; the process waits for its other branch
    assert ready(case, iid) == ["Outer_Work"]
    assert case.engine.instance(iid).status == "running"
    case.complete(case.only(iid, "Outer_Work"))
    assert case.engine.instance(iid).status == "completed"


@pytest.fixture
def check_register(handlers: HandlerRegistry) -> None:
    def check(ctx: HandlerContext) -> dict:
        if not ctx.variables.get("complete"):
            raise BpmnError("INCOMPLETE", "documents missing")
        return {}
    handlers.register("delegateExpression", "checkRegister", check)


@pytest.mark.usefixtures("check_register")
def test_a_handlers_bpmn_error_starts_the_error_event_subprocess(case: Case) -> None:
    case.deploy("esp_service_error.bpmn")
    iid = case.engine.start("esp_service_error", "R-1").instance.id
    case.complete(case.only(iid, "Collect"), {"complete": False})
    assert ready(case, iid) == ["Repair"]
    assert ("Review", "cancelled") in case.rows(iid)
    case.complete(case.only(iid, "Repair"))
    assert case.engine.instance(iid).status == "completed"
    ok = case.engine.start("esp_service_error", "R-2").instance.id
    case.complete(case.only(ok, "Collect"), {"complete": True})
    assert ready(case, ok) == ["Review"]


def test_in_a_called_process_message_event_subprocesses_run(case: Case) -> None:
    """They wait from the called process's start (engine.camunda.event_subprocess_scope):
    the interrupting one cancels the called process's work only, then the caller goes on."""
    files = corpus("call_caller.bpmn", "esp_message.bpmn")
    files["call_caller.bpmn"] = files["call_caller.bpmn"].replace(
        b'calledElement="called_review"', b'calledElement="esp_message"')
    case.engine.deploy(files)
    iid = case.engine.start("call_caller", "CM-1", {"caseNumber": "N-1",
                                                    "amount": 2}).instance.id
    assert ready(case, iid) == ["Check", "Review"]
    case.engine.correlate("documents-received", business_key="CM-1")
    case.engine.correlate("documents-received", business_key="CM-1")
    assert ready(case, iid) == ["Check", "Read_Docs", "Read_Docs", "Review"]
    case.engine.correlate("withdrawn", business_key="CM-1")
    assert ready(case, iid) == ["Archive"]
    assert {("Check", "cancelled"), ("Review", "cancelled"), ("Read_Docs", "cancelled")} \
        <= set(case.rows(iid))
    case.complete(case.only(iid, "Archive"), {"verdict": "withdrawn"})
    assert ready(case, iid) == ["After_Call"]
    assert case.engine.task_data(case.only(iid, "After_Call").id)["calledVerdict"] == \
        "withdrawn"
    with pytest.raises(NoSubscriber):  # the called process ended: nobody listens
        case.engine.correlate("documents-received", business_key="CM-1")


def test_a_called_process_with_a_signal_event_subprocess_is_refused(case: Case) -> None:
    """In a called process SpiffWorkflow never starts a signal event subprocess."""
    files = corpus("call_caller.bpmn", "esp_message.bpmn")
    files["call_caller.bpmn"] = files["call_caller.bpmn"].replace(
        b'calledElement="called_review"', b'calledElement="esp_message"')
    files["esp_message.bpmn"] = files["esp_message.bpmn"].replace(
        b"bpmn:messageEventDefinition", b"bpmn:signalEventDefinition").replace(
        b"messageRef=", b"signalRef=").replace(b"<bpmn:message ", b"<bpmn:signal ")
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(files)
    named = {f.element_id for f in refused.value.findings
             if f.severity == "error" and "call activity" in f.message}
    assert named == {"Event_WithdrawnStart", "Event_DocsStart"}


def test_a_process_called_from_another_bundle_runs_its_message_event_subprocess(
        case: Case) -> None:
    """The call is resolved when the case reaches it: the wiring is the process's own."""
    case.deploy("esp_message.bpmn")
    caller = corpus("call_caller.bpmn")["call_caller.bpmn"].replace(
        b'calledElement="called_review"', b'calledElement="esp_message"')
    case.engine.deploy({"call_caller.bpmn": caller})
    iid = case.engine.start("call_caller", "CM-2", {"caseNumber": "N-2",
                                                    "amount": 1}).instance.id
    assert ready(case, iid) == ["Check", "Review"]
    case.engine.correlate("withdrawn", business_key="CM-2")
    assert ready(case, iid) == ["Archive"]
    case.complete(case.only(iid, "Archive"), {"verdict": "withdrawn"})
    assert ready(case, iid) == ["After_Call"]
