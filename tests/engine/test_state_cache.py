"""The workflow a committed step left is the next step's, on this process, at its version
only: a step of another process, a rollback or an erase make the next step restore from
the database; with the check on (as in every test), an object that is not the stored
state fails loudly (engine.runtime.state_cache)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select

from engine import Engine, ManualClock
from engine.runtime.state_cache import StateCache
from engine.runtime.step import Step
from engine.store.models import History, Instance, Task
from tests.support.bpmn import Flow, Node, document, user_task


def three_tasks() -> bytes:
    nodes = [Node("start_event", "startEvent"), user_task("first_task", "g1"),
             user_task("second_task", "g1"), user_task("third_task", "g1"),
             Node("done_end", "endEvent")]
    flows = [Flow("start_event", "first_task"), Flow("first_task", "second_task"),
             Flow("second_task", "third_task"), Flow("third_task", "done_end")]
    return document("three", nodes, flows)


def ready(engine: Engine, instance_id: str) -> Task:
    with engine.sessions() as s:
        return s.scalars(select(Task).where(Task.instance_id == instance_id,
                                            Task.state == "ready")).one()


def version(engine: Engine, instance_id: str) -> int:
    with engine.sessions() as s:
        return s.get(Instance, instance_id).version


@pytest.fixture()
def started(engine: Engine) -> str:
    engine.deploy({"three.bpmn": three_tasks()})
    return engine.start("three", "case-1", {"n": 1}).instance.id


def test_consecutive_steps_take_the_kept_workflow(engine: Engine, started: str) -> None:
    states = engine.runtime.states
    hits = states.hits
    engine.complete_task(ready(engine, started).id, {"n": 2})
    engine.complete_task(ready(engine, started).id, {"n": 3})
    assert states.hits == hits + 2  # the start's and the first completion's objects
    assert engine.task_data(ready(engine, started).id)["n"] == 3
    assert states.hits == hits + 3  # the read borrowed it and gave it back
    engine.complete_task(ready(engine, started).id, {"n": 4})
    assert states.hits == hits + 4
    assert engine.instance(started).status == "completed"
    assert len(states) == 0  # a closed case is not kept


def test_a_step_of_another_process_makes_the_next_step_restore(
        db: SqlEngine, clock: ManualClock, engine: Engine, started: str) -> None:
    other = Engine(db, clock=clock)  # another gunicorn worker, its own cache
    engine.complete_task(ready(engine, started).id, {"n": 2})
    kept_at = version(engine, started)
    other.complete_task(ready(other, started).id, {"n": 3})
    misses = engine.runtime.states.misses
    engine.complete_task(ready(engine, started).id, {"n": 4})
    assert engine.runtime.states.misses == misses + 1
    assert version(engine, started) == kept_at + 2
    assert engine.instance(started).status == "completed"
    with engine.sessions() as s:
        completed = s.scalars(select(History.activity_id).where(
            History.instance_id == started, History.kind == "task_completed")
            .order_by(History.seq)).all()
    assert completed == ["first_task", "second_task", "third_task"]


def test_a_rolled_back_step_keeps_nothing(engine: Engine, started: str) -> None:
    states = engine.runtime.states
    task_id = ready(engine, started).id
    with pytest.raises(RuntimeError, match="rolled back"):
        with engine.sessions.begin() as session:
            instance = session.get(Instance, started)
            step = Step(engine.runtime, session, instance)
            wf = step.load()
            step.advance(wf, lambda w: w.get_tasks(manual=True)[0].run(), actor="test",
                         operation={"op": "test"})
            assert instance.version == 3
            raise RuntimeError("rolled back")
    assert len(states) == 0
    misses = states.misses
    engine.complete_task(task_id, {"n": 2})  # restored from the database, at version 2
    assert states.misses == misses + 1
    assert ready(engine, started).activity_id == "second_task"


def test_the_check_names_a_kept_workflow_that_is_not_the_stored_state(
        engine: Engine, started: str) -> None:
    states = engine.runtime.states
    at = version(engine, started)
    wf = states.take(started, at)
    assert wf is not None
    wf.get_tasks(manual=True)[0].data["n"] = 99  # changed behind the engine's back
    states.give_back(started, at, wf)
    with pytest.raises(RuntimeError, match=f"instance {started} at version {at}"):
        engine.task_data(ready(engine, started).id)


def test_an_erased_case_is_a_new_version(engine: Engine, clock: ManualClock,
                                         started: str) -> None:
    for n in (2, 3, 4):
        engine.complete_task(ready(engine, started).id, {"n": n})
    assert engine.workflow_data(started)["n"] == 4  # the read keeps the closed case's object
    assert len(engine.runtime.states) == 1
    before = version(engine, started)
    clock.advance(days=181)  # the documents' historyTimeToLive is 180 days
    assert [e.instance_id for e in engine.purge()] == [started]
    assert version(engine, started) == before + 1
    assert "n" not in engine.workflow_data(started)  # restored: the erased state


def test_the_cache_is_bounded_and_can_be_off() -> None:
    cache = StateCache(size=2)

    class Wf:
        script_engine = object()

    a, b, c = Wf(), Wf(), Wf()
    cache.give_back("a", 1, a)
    cache.give_back("b", 1, b)
    cache.give_back("c", 1, c)
    assert len(cache) == 2 and cache.take("a", 1) is None
    assert cache.take("b", 2) is None  # another version: not used, and dropped
    assert cache.take("b", 1) is None
    assert cache.take("c", 1) is c and c.script_engine is None
    cache.give_back("c", 2, c)
    cache.give_back("c", 1, Wf())  # an older read's object does not replace a newer one
    assert cache.take("c", 1) is None
    off = StateCache(size=0)
    off.give_back("a", 1, a)
    assert len(off) == 0 and off.take("a", 1) is None
