"""Compensation runs as Camunda 7 runs it, on files drawn as Camunda Modeler 5 draws them.

Camunda 7 (User Guide, BPMN 2.0 > Events > Cancel and Compensation Events): a throw
compensates the completed activities of its scope that have a handler (or only its
`activityRef`), latest completion first, once per completion; activities not completed
are not compensated; the throw waits for the handlers, then goes on (an end event ends
its path). Handlers see the scope's variables as they are at the throw.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Caller
from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.errors import DefinitionRefused
from engine.runtime.external import complete, fetch_and_lock
from tests.modeler.conftest import Case, corpus

COORDINATOR = Caller(name="coord", role="coordinator")
BOOKING_TOPICS = ("book-hotel", "cancel-hotel", "refund-card", "notify-customer",
                  "retract-notice")


def recorder(handlers: HandlerRegistry, *topics: str,
             result: Callable[[str, HandlerContext], dict | None] | None = None) -> list[str]:
    """Register a handler per topic that notes, in order, which ran."""
    ran: list[str] = []
    for topic in topics:
        def run(ctx: HandlerContext, topic: str = topic) -> dict | None:
            ran.append(topic)
            return result(topic, ctx) if result else {topic.replace("-", "_"): True}
        handlers.topic(topic)(run)
    return ran


def kinds(case: Case, iid: str, *wanted: str) -> list[tuple[str, str | None, dict | None]]:
    return [(h.kind, h.activity_id, h.detail) for h in case.history(iid) if h.kind in wanted]


def test_a_throw_undoes_every_completed_activity_latest_first_then_goes_on(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, *BOOKING_TOPICS)
    case.deploy("compensation_throw.bpmn")
    iid = case.engine.start("compensation_throw", "C-1", {"amount": 120}).instance.id
    assert ran == ["book-hotel"]

    case.complete(case.only(iid, "Charge_Card"), {"charged": 120})

    # Charge_Card completed last: its handler first, then the hotel's; then the flow goes on
    assert ran == ["book-hotel", "refund-card", "cancel-hotel", "notify-customer"]
    assert [t.activity_id for t in case.ready(iid)] == ["Review"]
    assert kinds(case, iid, "compensation_thrown", "compensation_completed") == [
        ("compensation_thrown", "Throw_Compensate", {"activities": ["Charge_Card",
                                                                    "Book_Hotel"]}),
        ("compensation_completed", "Throw_Compensate", {"handlers": ["Refund_Card",
                                                                     "Cancel_Hotel"]})]
    data = case.engine.workflow_data(iid)
    assert data["refund_card"] is True and data["cancel_hotel"] is True  # what handlers set
    assert data["charged"] == 120
    case.complete(case.only(iid, "Review"))
    assert case.engine.instance(iid).status == "completed"


def test_an_activity_not_completed_at_the_throw_is_not_compensated(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, *BOOKING_TOPICS)
    case.deploy("compensation_throw.bpmn")
    iid = case.engine.start("compensation_throw", "C-2").instance.id
    case.complete(case.only(iid, "Charge_Card"))
    case.complete(case.only(iid, "Review"))

    # Notify_Customer has a handler but ran after the throw: Retract_Notice never runs
    assert "retract-notice" not in ran
    assert ran.count("notify-customer") == 1
    assert case.engine.instance(iid).status == "completed"
    assert [a for a, _ in case.rows(iid)] == ["Charge_Card", "Review"]


def test_activity_ref_undoes_only_that_activity(case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, *BOOKING_TOPICS)
    case.deploy("compensation_ref.bpmn")
    iid = case.engine.start("compensation_ref", "C-3").instance.id
    case.complete(case.only(iid, "Charge_Card"))

    assert ran == ["book-hotel", "cancel-hotel", "notify-customer"]
    assert kinds(case, iid, "compensation_thrown") == [
        ("compensation_thrown", "Throw_Compensate", {"activities": ["Book_Hotel"]})]
    assert [t.activity_id for t in case.ready(iid)] == ["Review"]


def test_an_end_event_throw_undoes_then_ends_its_path(case: Case,
                                                      handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, "pay-allowance", "recover-allowance")
    case.deploy("compensation_end.bpmn")
    iid = case.engine.start("compensation_end", "C-4").instance.id
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Check_Payment", "Review_File"]

    case.complete(case.only(iid, "Check_Payment"))

    assert ran == ["pay-allowance", "recover-allowance"]
    # the compensation path ended; the parallel review still holds the case open
    assert [t.activity_id for t in case.ready(iid)] == ["Review_File"]
    assert case.engine.instance(iid).status == "running"
    case.complete(case.only(iid, "Review_File"))
    assert case.engine.instance(iid).status == "completed"
    assert kinds(case, iid, "compensation_completed") == [
        ("compensation_completed", "End_Compensate", {"handlers": ["Recover_Allowance"]})]


def test_an_external_task_handler_waits_for_its_worker_then_the_path_ends(
        case: Case, handlers: HandlerRegistry) -> None:
    recorder(handlers, "pay-allowance")  # recover-allowance: no handler, a worker's topic
    case.deploy("compensation_end.bpmn")
    iid = case.engine.start("compensation_end", "C-10", {"amount": 80}).instance.id
    case.complete(case.only(iid, "Review_File"))
    case.complete(case.only(iid, "Check_Payment"))
    assert case.engine.instance(iid).status == "running"  # the end event waits

    [locked] = fetch_and_lock(case.engine, "finance", [("recover-allowance", 60_000)])
    assert locked["activity_id"] == "Recover_Allowance"
    assert locked["variables"]["amount"] == 80  # the variables as they are at the throw
    complete(case.engine, locked["id"], "finance", {"recovered": 80})

    assert case.engine.instance(iid).status == "completed"
    assert case.engine.workflow_data(iid)["recovered"] == 80

def test_a_loop_and_a_multi_instance_are_undone_once_per_completion(
        case: Case, handlers: HandlerRegistry) -> None:
    def result(topic: str, ctx: HandlerContext) -> dict | None:
        if topic == "pay-month":
            return {"paid": ctx.variables.get("paid", 0) + 1}
        return None

    ran = recorder(handlers, "pay-month", "transfer", "recover-month", "recall-transfer",
                   result=result)
    case.deploy("compensation_loop.bpmn")
    iid = case.engine.start("compensation_loop", "C-5",
                            {"institutions": ["oai", "orp"]}).instance.id

    # paid three months (the gateway re-entered Pay_Month), transferred twice, then
    # undone latest first: the two transfers, then the three months
    assert ran == ["pay-month"] * 3 + ["transfer"] * 2 + ["recall-transfer"] * 2 + [
        "recover-month"] * 3
    assert case.engine.instance(iid).status == "completed"
    [thrown] = kinds(case, iid, "compensation_thrown")
    assert thrown[2] == {"activities": ["Transfer", "Transfer", "Pay_Month", "Pay_Month",
                                        "Pay_Month"]}


def test_a_completion_is_compensated_once_even_when_thrown_twice(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, "pay", "unpay", "book", "unbook")
    case.deploy("compensation_twice.bpmn")
    iid = case.engine.start("compensation_twice", "C-9").instance.id

    # the second throw finds Pay already undone (Camunda 7 removes the subscription)
    assert ran == ["pay", "unpay", "book", "unbook"]
    assert [d["activities"] for _, _, d in kinds(case, iid, "compensation_thrown")] == [
        ["Pay"], ["Book"]]
    assert case.engine.instance(iid).status == "completed"

def test_a_user_task_handler_is_the_institutions_task_and_ends_the_compensation(
        case: Case) -> None:
    case.deploy("compensation_user.bpmn")
    iid = case.engine.start("compensation_user", "C-6").instance.id
    case.complete(case.only(iid, "Pay_Allowance"), {"amount": 300})

    refund = case.only(iid, "Refund")  # the handler is a task of the SAS, as drawn
    assert refund.candidate_groups == ["sas"]
    assert ("task_ready", "Refund", None) in kinds(case, iid, "task_ready")
    assert [t.activity_id for t in case.ready(iid)] == ["Refund"]  # the throw waits
    # where the case stands: at its handler's task (the throw is no wait of its own)
    assert [(w.activity_id, w.kind) for w in case.engine.case(iid, COORDINATOR).waiting_at
            ] == [("Refund", "user_task")]
    assert case.engine.instance(iid).status == "running"

    case.complete(refund, {"refunded": 300})

    assert [t.activity_id for t in case.ready(iid)] == ["Archive"]
    assert case.engine.workflow_data(iid)["refunded"] == 300  # flows on from the throw
    assert case.rows(iid) == [("Archive", "ready"), ("Pay_Allowance", "completed"),
                              ("Refund", "completed")]


def test_a_throw_in_a_subprocess_stays_inside_and_the_parent_undoes_it_as_a_whole(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, "open-file", "book-room", "cancel-room", "close-file",
                   "cancel-booking")
    case.deploy("compensation_subprocess.bpmn")
    iid = case.engine.start("compensation_subprocess", "C-7").instance.id

    # inside: only the room (Open_File is outside the subprocess's scope); outside: the
    # completed subprocess by its own handler (not its room again), then the file
    assert ran == ["open-file", "book-room", "cancel-room", "cancel-booking", "close-file"]
    assert case.engine.instance(iid).status == "completed"


def test_a_subprocess_handler_runs_its_own_tasks_before_the_throw_goes_on(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = recorder(handlers, "pay")
    case.deploy("compensation_handler_sub.bpmn")
    iid = case.engine.start("compensation_handler_sub", "C-8").instance.id
    assert ran == ["pay"]

    recover = case.only(iid, "Recover")  # inside the handler subprocess
    assert recover.candidate_groups == ["sas"]
    case.complete(recover, {"recovered": True})

    assert [t.activity_id for t in case.ready(iid)] == ["Archive"]
    assert case.engine.workflow_data(iid)["recovered"] is True
    assert kinds(case, iid, "compensation_completed") == [
        ("compensation_completed", "Throw_Compensate", {"handlers": ["Undo_Payment"]})]

def test_malformed_compensation_is_refused_by_name(case: Case) -> None:
    findings = case.engine.lint(corpus("compensation_malformed.bpmn"))
    errors = {(f.element_id, f.message.split(":")[0]) for f in findings
              if f.severity == "error" and "compensat" in f.message}
    assert errors == {
        ("Event_Onward", "compensation boundary event with an outgoing sequence flow"),
        ("Event_Onward", "compensation boundary event associated with 'Follow_Up', which is "
                         "not marked for compensation (isForCompensation=\"true\")"),
        ("Unbook", "compensation handler with a sequence flow"),
        ("Orphan", "compensation handler without an association from a compensation "
                   "boundary event"),
        ("Throw_Ref_Nothing", "compensation activityRef 'Unknown_Task' is not an activity "
                              "of this throw's process or subprocess (Camunda 7 refuses it); "
                              "choose one of its activities"),
        ("Event_Compensation_Start", "compensation event subprocess outside an embedded "
                                     "subprocess"),
    }
    [warning] = [f for f in findings if f.severity == "warning" and "waitForCompletion" in
                 f.message]
    assert warning.element_id == "Throw_No_Wait"
    assert "the throw waits until every handler has ended" in warning.message
    with pytest.raises(DefinitionRefused):
        case.engine.deploy(corpus("compensation_malformed.bpmn"))
    assert [d.key for d in case.engine.definitions()] == []  # nothing was stored


def test_runnable_compensation_files_lint_without_findings_on_compensation(
        case: Case) -> None:
    for name in ("compensation_throw.bpmn", "compensation_ref.bpmn", "compensation_end.bpmn",
                 "compensation_loop.bpmn", "compensation_user.bpmn",
                 "compensation_subprocess.bpmn", "compensation_handler_sub.bpmn",
                 "compensation_twice.bpmn"):
        findings = case.engine.lint(corpus(name))
        assert [f for f in findings if f.severity == "error"] == [], name
        ours = [f for f in findings
                if "compensat" in f.message.replace("process 'compensation_", "")]
        assert ours == [], name
