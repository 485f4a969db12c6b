"""Acceptance of the engine core: versions, a full run, restart safety, races,
incidents, timers and messages, on every configured database."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import ConcurrentUpdate, Engine, ManualClock, NoSubscriber, TaskNotReady
from engine.store.models import History, Incident, Instance, Task, TaskCandidate
from tests.engine import processes


def ready_tasks(engine: Engine, instance_id: str) -> list[Task]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task).where(
            Task.instance_id == instance_id, Task.state == "ready").order_by(Task.ready_at)))


def history_kinds(engine: Engine, instance_id: str) -> list[str]:
    with engine.sessions() as s:
        return list(s.scalars(select(History.kind).where(
            History.instance_id == instance_id).order_by(History.seq)))


def test_same_bytes_deploy_once_changed_bytes_make_version_two(engine: Engine) -> None:
    first = engine.deploy({"p.bpmn": processes.three_tasks()})
    again = engine.deploy({"p.bpmn": processes.three_tasks()})
    assert [(d.key, d.version, d.created) for d in first.definitions] == [("three_tasks", 1, True)]
    assert [(d.version, d.created) for d in again.definitions] == [(1, False)]
    old = engine.start("three_tasks", "case-1", {"region": "sion"})

    changed = engine.deploy({"p.bpmn": processes.three_tasks(label="Closed")})
    assert [(d.version, d.created) for d in changed.definitions] == [(2, True)]
    new = engine.start("three_tasks", "case-2", {"region": "sion"})
    assert engine.instance(new.instance.id).definition_version == 2

    # the instance started before keeps running on version 1, to its end
    for _ in range(3):
        engine.complete_task(ready_tasks(engine, old.instance.id)[0].id, {}, actor="u")
    finished = engine.instance(old.instance.id)
    assert (finished.status, finished.definition_version) == ("completed", 1)


def test_three_tasks_run_to_the_end_and_survive_a_restart(db, clock: ManualClock) -> None:
    engine = Engine(db, clock=clock)
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "case-1", {"region": "sion"}, actor="orp-sion")
    first = ready_tasks(engine, started.instance.id)
    assert [(t.activity_id, t.candidate_groups) for t in first] == [
        ("first_task", ["cii-team-sion"])]
    engine.complete_task(first[0].id, {"note_count": 1}, actor="team")

    restarted = Engine(db, clock=clock)  # a new engine object, same database
    second = ready_tasks(restarted, started.instance.id)
    assert [t.activity_id for t in second] == ["second_task"]
    assert second[0].due_at == clock.now() + timedelta(days=10)
    restarted.complete_task(second[0].id, {}, actor="sas-user")
    third = ready_tasks(restarted, started.instance.id)
    restarted.complete_task(third[0].id, {"approved": True}, actor="commune-user")

    instance = restarted.instance(started.instance.id)
    assert instance.status == "completed" and instance.ended_at == clock.now()
    assert restarted.workflow_data(instance.id)["approved"] is True
    with restarted.sessions() as s:
        rows = s.execute(select(Task.activity_id, Task.state, Task.completed_by).where(
            Task.instance_id == instance.id).order_by(Task.ready_at, Task.activity_id)).all()
        groups = set(s.scalars(select(TaskCandidate.group_id)))
    assert sorted(rows) == [("first_task", "completed", "team"),
                            ("second_task", "completed", "sas-user"),
                            ("third_task", "completed", "commune-user")]
    assert groups == {"cii-team-sion", "sas", "commune-sion"}
    kinds = history_kinds(restarted, instance.id)
    assert kinds[0] == "started" and kinds[-1] == "completed"
    assert kinds.count("task_completed") == 3 and kinds.count("task_ready") == 3


def test_state_is_stored_without_the_spec(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "case-1", {"region": "sion"})
    with engine.sessions() as s:
        state = s.scalar(select(Instance.state).where(Instance.id == started.instance.id))
    assert '"task_specs"' not in state and len(state) < 8000


def test_two_threads_complete_the_same_task_one_wins(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "case-1", {"region": "sion"})
    task_id = ready_tasks(engine, started.instance.id)[0].id
    barrier = threading.Barrier(2)
    results: list[str] = []

    def complete(actor: str) -> None:
        barrier.wait()
        try:
            engine.complete_task(task_id, {"by": actor}, actor=actor)
            results.append("ok")
        except ConcurrentUpdate:
            results.append("conflict")
        except TaskNotReady:  # the loser came after the winner's commit
            results.append("conflict")

    threads = [threading.Thread(target=complete, args=(a,)) for a in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    with engine.sessions() as s:
        completions = s.scalar(select(func.count()).select_from(History).where(
            History.instance_id == started.instance.id, History.kind == "task_completed"))
        version = s.scalar(select(Instance.version).where(Instance.id == started.instance.id))
    assert completions == 1 and version == 3  # started, advanced to the first task, completed


def test_a_stale_version_gets_concurrent_update_and_changes_nothing(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "case-1", {"region": "sion"})
    task_id = ready_tasks(engine, started.instance.id)[0].id
    from sqlalchemy import update

    from engine.runtime.step import Step, run_engine

    with pytest.raises(ConcurrentUpdate):
        with engine.sessions.begin() as s:
            instance = s.get(Instance, started.instance.id)
            step = Step(engine.runtime, s, instance)
            wf = step.load()
            # someone else saved a newer version after we loaded ours
            s.execute(update(Instance).where(Instance.id == instance.id)
                      .values(version=Instance.version + 1)
                      .execution_options(synchronize_session=False))
            spiff = [t for t in wf.get_tasks() if str(t.id) == task_id][0]

            def action(w):  # noqa: ANN001, ANN202
                spiff.run()
                run_engine(w)

            step.advance(wf, action, actor="loser", operation={})
    row = engine.task(task_id)
    assert (row.state, row.completed_by) == ("ready", None)
    assert "task_completed" not in history_kinds(engine, started.instance.id)
    assert engine.instance(started.instance.id).version == 2


def test_failing_gateway_opens_an_incident_and_retry_completes(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.gateway()})
    started = engine.start("gateway", "case-1", {})
    task = ready_tasks(engine, started.instance.id)[0]
    before = engine.instance(started.instance.id)

    outcome = engine.complete_task(task.id, {"comment": "no decision field"}, actor="sas")
    assert outcome.incident is not None
    assert outcome.incident.activity_id == "decision_gateway"
    assert "decision" in outcome.incident.message
    after = engine.instance(started.instance.id)
    assert after.status == "incident"
    assert after.state == before.state  # last good state kept
    assert [t.id for t in ready_tasks(engine, started.instance.id)] == [task.id]

    fixed = engine.retry_incident(outcome.incident.id, data={"decision": "accept"},
                                  actor="coordinator")
    assert fixed.incident is None
    assert engine.instance(started.instance.id).status == "running"
    assert [t.activity_id for t in ready_tasks(engine, started.instance.id)] == ["accepted_task"]
    with engine.sessions() as s:
        incident = s.get(Incident, outcome.incident.id)
        assert (incident.status, incident.resolved_by) == ("resolved", "coordinator")
    kinds = history_kinds(engine, started.instance.id)
    assert "incident_opened" in kinds and "incident_resolved" in kinds


def test_boundary_timer_fires_after_its_due_time_and_not_before(engine: Engine,
                                                               clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.boundary_timer()})
    started = engine.start("boundary_timer", "case-1", {})
    due = engine.instance(started.instance.id).next_timer_at
    assert due == clock.now() + timedelta(days=10)

    clock.advance(days=9, hours=23)
    assert engine.run_due_timers() == 0
    assert [t.activity_id for t in ready_tasks(engine, started.instance.id)] == ["preavis_task"]

    clock.advance(hours=1, seconds=1)
    assert engine.run_due_timers() == 1
    assert [t.activity_id for t in ready_tasks(engine, started.instance.id)] == [
        "escalation_task"]
    with engine.sessions() as s:
        states = dict(s.execute(select(Task.activity_id, Task.state).where(
            Task.instance_id == started.instance.id)).all())
    assert states["preavis_task"] == "cancelled"
    assert "timer_fired" in history_kinds(engine, started.instance.id)
    assert engine.instance(started.instance.id).next_timer_at is None


def test_message_by_business_key_reaches_the_waiting_instance(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.message_wait()})
    waiting = engine.start("message_wait", "case-7", {})
    engine.start("message_wait", "case-8", {})
    engine.correlate("oai_decision", business_key="case-7", payload={"ai_decision": "granted"})
    assert [t.activity_id for t in ready_tasks(engine, waiting.instance.id)] == ["after_task"]
    assert engine.workflow_data(waiting.instance.id)["ai_decision"] == "granted"
    assert "message_received" in history_kinds(engine, waiting.instance.id)

    with pytest.raises(NoSubscriber):
        engine.correlate("oai_decision", business_key="case-7", payload={})
    with pytest.raises(NoSubscriber):
        engine.correlate("unknown_message", business_key="case-8", payload={})


def test_lists_filter_from_the_read_models(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    a = engine.start("three_tasks", "case-a", {"region": "sion"})
    clock.advance(days=1)
    b = engine.start("three_tasks", "case-b", {"region": "brig"})
    engine.complete_task(ready_tasks(engine, b.instance.id)[0].id, {}, actor="team")

    assert [i.business_key for i in engine.instances(waiting_at="second_task")] == ["case-b"]
    assert [i.business_key for i in engine.instances(started_after=clock.now())] == ["case-b"]
    assert [i.business_key for i in engine.instances(business_key="case-a")] == ["case-a"]
    assert [i.business_key for i in engine.instances()] == ["case-b", "case-a"]  # newest first
    first = engine.instances(limit=1)
    assert len(first) == 1 and first.has_more
    mine = engine.tasks(groups=["cii-team-sion"])
    assert [t.instance_id for t in mine] == [a.instance.id]
    assert engine.tasks(groups=[]).items == []
    assert [t.activity_id for t in engine.tasks(business_key="case-b")] == ["second_task"]
    due = clock.now() + timedelta(days=11)
    assert [t.activity_id for t in engine.tasks(due_before=due)] == ["second_task"]
    assert [t.activity_id for t in engine.tasks(state="completed")] == ["first_task"]


def test_overlapping_conditions_take_the_first_flow_in_the_file(engine: Engine) -> None:
    """Camunda 7 evaluates a gateway's flows in XML order, whatever the drawing's layout."""
    from tests.support.bpmn import Flow, Node, document, user_task

    xml = document("overlap", [
        Node("start_event", "startEvent"), Node("route_gateway", "exclusiveGateway"),
        user_task("low_task", "oai"), user_task("high_task", "oai"),
        Node("low_end", "endEvent"), Node("high_end", "endEvent"),
    ], [Flow("start_event", "route_gateway"),
        Flow("route_gateway", "high_task", "${amount > 10}"),  # first in the file
        Flow("route_gateway", "low_task", "${amount > 0}"),
        Flow("low_task", "low_end"), Flow("high_task", "high_end")]).decode()
    # draw the second flow's target above the first one's
    xml = re.sub(r'(bpmnElement="low_task"><dc:Bounds x="\d+") y="\d+"', r'\1 y="-300"', xml)
    assert 'y="-300"' in xml
    engine.deploy({"o.bpmn": xml.encode()})
    started = engine.start("overlap", "c", {"amount": 50})
    assert [t.activity_id for t in ready_tasks(engine, started.instance.id)] == ["high_task"]
