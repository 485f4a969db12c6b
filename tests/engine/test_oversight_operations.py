"""The facade's operations behind incidents, stuck cases, messages, external tasks and
principals: the rules the API and the CLI both rely on, checked once at the engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine import Caller, Conflict, Engine, InvalidInput, ManualClock, NoSubscriber, NotFound
from engine.store.principals import Principal
from tests.engine import processes
from tests.support.bpmn import Flow, Node, document, message, message_ref, user_task
from tests.workflows import processes as api_processes

ORP = Caller.operator("orp")


def _incident(engine: Engine, business_key: str) -> tuple[str, int]:
    started = engine.start("gateway", business_key, {}, caller=ORP)
    failed = engine.complete_task(started.ready_tasks[0].id, {}, actor="sas")
    assert failed.incident is not None
    return started.instance.id, failed.incident.id


def test_incidents_are_paged_and_filtered(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"g.bpmn": processes.gateway()})
    first_case, first = _incident(engine, "c-1")
    clock.advance(minutes=1)
    _, second = _incident(engine, "c-2")

    page = engine.incidents(limit=1)
    assert [i.id for i in page.items] == [first] and page.has_more
    assert [i.id for i in engine.incidents(limit=1, offset=1).items] == [second]
    assert [i.id for i in engine.incidents(instance_id=first_case).items] == [first]
    assert engine.incidents(activity="elsewhere").items == []
    engine.retry_incident(first, data={"decision": "accept"}, actor="coord")
    assert [i.id for i in engine.incidents().items] == [second]
    assert [i.id for i in engine.incidents(status="resolved").items] == [first]
    assert [i.id for i in engine.incidents(status=None).items] == [first, second]


def test_stuck_cases_are_a_page_with_their_waiting_time(engine: Engine,
                                                        clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    for n in range(3):
        engine.start("three_tasks", f"s-{n}", {"region": "bas-valais"})
    clock.advance(days=11)
    page = engine.stuck(timedelta(days=10), reason="waiting", limit=2)
    assert len(page.items) == 2 and page.has_more
    assert all(r.waiting_seconds == 11 * 86400 for r in page.items)
    assert engine.stuck(timedelta(days=12), reason="waiting").items == []
    with pytest.raises(InvalidInput) as refused:
        engine.stuck(reason="lost")
    assert "reason" in refused.value.errors


def triage_then_decision() -> bytes:
    """The regional team triages, then the case waits for the OAI's decision."""
    nodes = [Node("start_event", "startEvent"), user_task("triage_task", "cii-team-${region}"),
             Node("decision_received", "intermediateCatchEvent",
                  inner=message_ref("decision_message")),
             user_task("after_task", "oai"), Node("done_end", "endEvent")]
    flows = [Flow("start_event", "triage_task"), Flow("triage_task", "decision_received"),
             Flow("decision_received", "after_task"), Flow("after_task", "done_end")]
    return document("triage_then_decision", nodes, flows,
                    extra=message("decision_message", "oai_decision"))


def test_an_institution_messages_only_the_cases_it_took_part_in(engine: Engine) -> None:
    engine.deploy({"m.bpmn": triage_then_decision()})
    started = engine.start("triage_then_decision", "case-7", {"region": "bas-valais"},
                           caller=ORP)
    engine.complete_task(started.ready_tasks[0].id, {}, actor="team")
    outsider = Caller("orp", "institution", groups=("orp-valais-central",))
    worker = Caller("w", "worker", topics=("oai_decision",))
    for caller in (outsider, worker):
        with pytest.raises(NoSubscriber):
            engine.correlate("oai_decision", business_key="case-7", caller=caller)
    # No case waits: an institution learns nothing more than that, even where a
    # coordinator would get "several cases" or a started case.
    with pytest.raises(NoSubscriber):
        engine.correlate("nobody_waits", business_key="case-7", caller=outsider)

    member = Caller("team", "institution", groups=("cii-team-bas-valais",))
    took_part = engine.correlate("oai_decision", business_key="case-7",
                                 payload={"ai_decision": "granted"}, caller=member)
    assert took_part.instance.status == "running"
    assert engine.workflow_data(took_part.instance.id)["ai_decision"] == "granted"


def test_a_worker_reaches_only_the_tasks_of_its_topics(engine: Engine) -> None:
    engine.deploy({"e.bpmn": api_processes.external()})
    engine.start("external_case", "case-E", {})
    granted = Caller("w", "worker", topics=("register-case",))
    other = Caller("o", "worker", topics=("other",))
    topics = [("register-case", 60_000)]
    assert engine.fetch_and_lock(other, "o1", topics) == []
    [locked] = engine.fetch_and_lock(granted, "w1", topics)
    with pytest.raises(NotFound):
        engine.complete_external_task(other, locked["id"], "w1", {})
    with pytest.raises(NotFound):
        engine.report_external_failure(other, locked["id"], "w1", error_message="x", retries=0)
    with pytest.raises(Conflict):  # granted, but locked by another worker
        engine.complete_external_task(granted, locked["id"], "w2", {})
    failed = engine.report_external_failure(granted, locked["id"], "w1", error_message="down",
                                            retries=1)
    assert (failed.state, failed.instance_status) == ("available", "running")
    [again] = engine.fetch_and_lock(Caller.operator("admin"), "w1", topics)
    done = engine.complete_external_task(Caller.operator("admin"), again["id"], "w1",
                                         {"registered": True})
    assert (done.state, done.instance_status, done.incident_id) == (
        "completed", "running", None)


def test_a_failure_with_no_retries_left_answers_with_its_incident(engine: Engine) -> None:
    engine.deploy({"e.bpmn": api_processes.external()})
    engine.start("external_case", "case-F", {})
    granted = Caller("w", "worker", topics=("register-case",))
    [locked] = engine.fetch_and_lock(granted, "w1", [("register-case", 60_000)])
    failed = engine.report_external_failure(granted, locked["id"], "w1",
                                            error_message="down", retries=0)
    [incident] = engine.incidents()
    assert (failed.state, failed.instance_status, failed.incident_id) == (
        "failed", "incident", incident.id)


def test_principals_are_created_once_and_authenticated_while_enabled(engine: Engine) -> None:
    issued = engine.create_principal("sas", "institution", groups=["sas", "sas"])
    caller = engine.authenticate(issued.token)
    assert caller is not None
    assert (caller.name, caller.role, caller.groups) == ("sas", "institution", ("sas",))
    assert caller.principal_id is not None
    with pytest.raises(Conflict):
        engine.create_principal("sas", "admin")
    with pytest.raises(InvalidInput):
        engine.create_principal("x", "superuser")
    assert engine.authenticate("") is None and engine.authenticate(issued.token + "x") is None
    with engine.sessions.begin() as session:
        session.execute(update(Principal).values(disabled_at=engine.clock.now()))
    assert engine.authenticate(issued.token) is None


def test_demo_principals_only_on_an_empty_table(engine: Engine) -> None:
    issued = engine.demo_principals(["oai", "sas"], worker_topics=["register-case"])
    assert {(p.name, p.role) for p in issued} >= {
        ("demo-admin", "admin"), ("demo-worker", "worker"), ("oai", "institution")}
    worker = next(p for p in issued if p.role == "worker")
    assert engine.authenticate(worker.token).topics == ("register-case",)
    assert engine.demo_principals(["other"]) == []
