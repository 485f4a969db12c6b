"""Every stuck reason, with the injected clock: where the case waits, by its drawn name,
since when, and why in words; the filters and the paging of the one query."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Caller, Engine, ManualClock
from tests.engine import processes
from tests.support.bpmn import Flow, Node, document, message, message_ref, timer, user_task
from tests.support.principals import add_principal
from tests.workflows import processes as api_processes

ORP = Caller.operator("orp")


def receive_then_task(pid: str = "receive_case") -> bytes:
    """A receive task waits for the OAI's decision; a user task carries a boundary message
    (listened for beside the work, not a wait)."""
    nodes = [
        Node("begin_event", "startEvent"),
        Node("Wait_Decision", "receiveTask", "Décision OAI reçue",
             attrs={"messageRef": "decision_message"}),
        user_task("Review_Task", "oai"),
        Node("Withdrawn_Event", "boundaryEvent", "Withdrawn",
             attrs={"attachedToRef": "Review_Task"}, inner=message_ref("withdraw_message")),
        Node("done_end", "endEvent"),
        Node("withdrawn_end", "endEvent"),
    ]
    flows = [Flow("begin_event", "Wait_Decision"), Flow("Wait_Decision", "Review_Task"),
             Flow("Review_Task", "done_end"), Flow("Withdrawn_Event", "withdrawn_end")]
    return document(pid, nodes, flows, extra=message("decision_message", "oai_decision")
                    + message("withdraw_message", "withdrawn"))


def event_gateway(pid: str = "gateway_case") -> bytes:
    """An event-based gateway: the answer, or a reminder after 60 days."""
    nodes = [
        Node("begin_event", "startEvent"),
        Node("Gateway_1dec", "eventBasedGateway", "Réponse ou relance ?"),
        Node("Answer_Event", "intermediateCatchEvent", "Answer",
             inner=message_ref("answer_message")),
        Node("Reminder_Event", "intermediateCatchEvent", "Reminder", inner=timer("P60D")),
        Node("answered_end", "endEvent"),
        Node("reminded_end", "endEvent"),
    ]
    flows = [Flow("begin_event", "Gateway_1dec"), Flow("Gateway_1dec", "Answer_Event"),
             Flow("Gateway_1dec", "Reminder_Event"), Flow("Answer_Event", "answered_end"),
             Flow("Reminder_Event", "reminded_end")]
    return document(pid, nodes, flows, extra=message("answer_message", "answer"))


def caller(pid: str = "caller_case") -> bytes:
    nodes = [Node("begin_event", "startEvent"),
             Node("Call_Preavis", "callActivity", "Préavis SAS",
                  attrs={"calledElement": "preavis_child"}),
             Node("done_end", "endEvent")]
    return document(pid, nodes, [Flow("begin_event", "Call_Preavis"),
                                 Flow("Call_Preavis", "done_end")])


def child(pid: str = "preavis_child") -> bytes:
    nodes = [Node("child_start", "startEvent"),
             Node("Give_Preavis", "userTask", "Donner le préavis",
                  attrs={"camunda:candidateGroups": "sas"}),
             Node("child_end", "endEvent")]
    return document(pid, nodes, [Flow("child_start", "Give_Preavis"),
                                 Flow("Give_Preavis", "child_end")])


def test_a_message_wait_is_named_and_a_boundary_message_is_not_a_wait(
        engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"r.bpmn": receive_then_task()})
    started = engine.start("receive_case", "r-1", {}, caller=ORP)
    clock.advance(days=11)
    rows = engine.stuck(timedelta(days=10), reason="waiting").items
    assert [(r.wait, r.activity_id, r.activity_name, r.activity_kind, r.detail)
            for r in rows] == [("message", "Wait_Decision", "Décision OAI reçue",
                                "receive task", "oai_decision")]
    assert rows[0].since == started.instance.started_at
    assert rows[0].message == ("waiting 11 days for message 'oai_decision' at receive task "
                               "'Décision OAI reçue' (Wait_Decision)")

    engine.correlate("oai_decision", business_key="r-1", payload={}, caller=ORP)
    assert engine.stuck(timedelta(days=10), reason="waiting").items == []
    clock.advance(days=11)
    rows = engine.stuck(timedelta(days=10), reason="waiting").items
    # the user task waits; the withdrawal it listens for beside it is no wait of its own
    assert [(r.wait, r.activity_id) for r in rows] == [("user_task", "Review_Task")]


def test_a_message_wait_keeps_its_start_when_the_case_moves_elsewhere(
        engine: Engine, clock: ManualClock) -> None:
    parallel = document("parallel_case", [
        Node("begin_event", "startEvent"), Node("fork_gateway", "parallelGateway"),
        Node("Wait_Docs", "intermediateCatchEvent", "Documents reçus",
             inner=message_ref("docs_message")),
        user_task("Check_Task", "oai"), Node("join_gateway", "parallelGateway"),
        Node("done_end", "endEvent")],
        [Flow("begin_event", "fork_gateway"), Flow("fork_gateway", "Wait_Docs"),
         Flow("fork_gateway", "Check_Task"), Flow("Wait_Docs", "join_gateway"),
         Flow("Check_Task", "join_gateway"), Flow("join_gateway", "done_end")],
        extra=message("docs_message", "documents"))
    engine.deploy({"p.bpmn": parallel})
    started = engine.start("parallel_case", "p-1", {}, caller=ORP)
    clock.advance(days=3)
    engine.complete_task(engine.tasks(instance_id=started.instance.id)[0].id, {}, actor="oai")
    clock.advance(days=8)
    rows = engine.stuck(timedelta(days=10), reason="waiting").items
    assert [(r.activity_id, r.waiting_seconds) for r in rows] == [("Wait_Docs", 11 * 86400)]


def test_an_event_based_gateway_waits_by_its_drawn_name(engine: Engine,
                                                        clock: ManualClock) -> None:
    engine.deploy({"g.bpmn": event_gateway()})
    engine.start("gateway_case", "g-1", {}, caller=ORP)
    clock.advance(days=12)
    [row] = engine.stuck(timedelta(days=10)).items
    assert (row.reason, row.wait, row.activity_id, row.activity_kind) == (
        "waiting", "message", "Gateway_1dec", "event-based gateway")
    assert "at event-based gateway 'Réponse ou relance ?' (Gateway_1dec)" in row.message


def test_an_external_task_waits_for_its_worker(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"x.bpmn": api_processes.external(topic="register-case")})
    engine.start("external_case", "x-1", {}, caller=ORP)
    clock.advance(days=10, seconds=1)
    [row] = engine.stuck(timedelta(days=10)).items
    assert (row.wait, row.activity_id, row.activity_name, row.detail) == (
        "external_task", "register_service", "register", "register-case")
    assert row.external_task_id and row.task_id is None
    assert row.message.startswith("waiting 10 days for an external worker on topic "
                                  "'register-case' at external task 'register'")
    assert engine.stuck(timedelta(days=11)).items == []


def test_a_called_process_waits_at_its_call_activity(engine: Engine,
                                                     clock: ManualClock) -> None:
    engine.deploy({"caller.bpmn": caller(), "child.bpmn": child()})
    add_principal(engine, "sas", "institution", ["sas"])
    started = engine.start("caller_case", "c-1", {}, caller=ORP)
    clock.advance(days=15)
    [row] = engine.stuck(timedelta(days=10)).items
    assert (row.instance_id, row.activity_id, row.activity_name) == (
        started.instance.id, "Call_Preavis", "Préavis SAS")
    assert row.child is not None
    assert (row.child.process_key, row.child.activity_id, row.child.activity_name) == (
        "preavis_child", "Give_Preavis", "Donner le préavis")
    assert row.groups == ["sas"] and row.task_id
    assert "of called process preavis_child, through call activity 'Préavis SAS'" in row.message
    # the activity filter finds the wait by the call activity and by the called element
    assert len(engine.stuck(timedelta(days=10), activity="Call_Preavis").items) == 1
    assert len(engine.stuck(timedelta(days=10), activity="Give_Preavis").items) == 1
    assert engine.stuck(timedelta(days=10), activity="elsewhere").items == []


def test_an_incident_says_its_message(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"g.bpmn": processes.gateway()})
    started = engine.start("gateway", "i-1", {}, caller=ORP)
    engine.complete_task(started.ready_tasks[0].id, {}, actor="sas")
    clock.advance(hours=5)
    [row] = engine.stuck(reason="incident").items
    assert row.incident_id is not None and row.detail
    assert row.message.startswith("incident at ") and row.detail.splitlines()[0] in row.message
    assert "for 5 hours" in row.message


def test_an_idle_case_after_the_configured_time(engine: Engine, clock: ManualClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    engine.deploy({"g.bpmn": event_gateway()})
    started = engine.start("gateway_case", "idle-1", {}, caller=ORP)
    clock.advance(days=29)
    assert engine.stuck(reason="idle").items == []
    clock.advance(days=2)
    [row] = engine.stuck(reason="idle").items
    assert (row.instance_id, row.wait, row.activity_id) == (started.instance.id, "case", None)
    assert row.message.startswith("no step for 31 days (last change ")
    monkeypatch.setenv("CIIFLOW_STUCK_IDLE_DAYS", "45")
    assert engine.stuck(reason="idle").items == []
    assert len(engine.stuck(reason="idle", idle_after=timedelta(days=30)).items) == 1


def test_overdue_and_no_holder_name_the_task(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "o-1", {"region": "sion"}, caller=ORP)
    engine.complete_task(started.ready_tasks[0].id, {}, actor="team")
    clock.advance(days=30)
    overdue = engine.stuck(reason="overdue").items
    assert [r.activity_id for r in overdue] == ["second_task"]
    assert overdue[0].message.startswith("user task 'second task' (second_task) was due ")
    [nobody] = engine.stuck(reason="no_holder").items
    assert "no enabled principal holds group" in nobody.message
    add_principal(engine, "sas", "institution", nobody.groups)
    assert engine.stuck(reason="no_holder").items == []


def test_filters_by_institution_process_group_and_a_page_at_a_time(
        engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"one.bpmn": api_processes.one_task(group="oai"),
                   "two.bpmn": api_processes.one_task("two_task", group="sas"),
                   "r.bpmn": receive_then_task()})
    add_principal(engine, "office-ai", "institution", ["oai"])
    for n in range(3):
        engine.start("one_task", f"a-{n}", {}, caller=ORP)
        clock.advance(minutes=1)
    engine.start("two_task", "b-1", {}, caller=ORP)
    engine.start("receive_case", "m-1", {}, caller=ORP)
    clock.advance(days=11)
    old = timedelta(days=10)
    assert {r.process_key for r in engine.stuck(old, reason="waiting").items} == {
        "one_task", "two_task", "receive_case"}
    assert [r.process_key for r in engine.stuck(old, institution="office-ai").items] == [
        "one_task"] * 3
    assert {r.reason for r in engine.stuck(old, process="two_task").items} == {
        "waiting", "no_holder"}
    assert {r.process_key for r in engine.stuck(old, group="sas").items} == {"two_task"}
    first = engine.stuck(old, reason="waiting", limit=2)
    second = engine.stuck(old, reason="waiting", limit=2, offset=2)
    third = engine.stuck(old, reason="waiting", limit=2, offset=4)
    assert first.has_more and second.has_more and not third.has_more
    seen = [(r.instance_id, r.wait) for r in [*first, *second, *third]]
    assert len(seen) == len(set(seen)) == 5
    assert [r.since for r in [*first, *second, *third]] == sorted(
        r.since for r in [*first, *second, *third])


def test_counts_per_reason(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"one.bpmn": api_processes.one_task(group="nobody")})
    engine.start("one_task", "n-1", {}, caller=ORP)
    clock.advance(days=40)
    counts = engine.stuck_counts()
    assert counts == {"waiting": 1, "overdue": 0, "incident": 0, "no_holder": 1, "idle": 1}
