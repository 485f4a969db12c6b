"""A completion's next tasks: the rows the step wrote, or the query when the step cannot
tell, are the same answer as the database gives after the step (same rows, fields,
order and visibility), on every configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from engine import Engine, ManualClock
from engine.service.caller import Caller
from engine.store.models import Task
from tests.support.bpmn import Flow, Node, document, user_task

COLUMNS = [c.key for c in Task.__table__.columns]


def parallel() -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        user_task("first_task", "g1"),
        Node("split_gateway", "parallelGateway"),
        user_task("a_task", "g1", **{"camunda:dueDate": "P3D"}),
        user_task("b_task", "g2"),
        user_task("c_task", "g1,g2", **{"camunda:assignee": "someone"}),
        Node("join_gateway", "parallelGateway"),
        user_task("last_task", "g2"),
        Node("done_end", "endEvent"),
    ]
    flows = [Flow("start_event", "first_task"), Flow("first_task", "split_gateway"),
             Flow("split_gateway", "a_task"), Flow("split_gateway", "b_task"),
             Flow("split_gateway", "c_task"), Flow("a_task", "join_gateway"),
             Flow("b_task", "join_gateway"), Flow("c_task", "join_gateway"),
             Flow("join_gateway", "last_task"), Flow("last_task", "done_end")]
    return document("parallel", nodes, flows)


def fields(tasks: list[Task]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(t, c) for c in COLUMNS) for t in tasks]


def in_database(engine: Engine, instance_id: str) -> list[Task]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task).where(
            Task.instance_id == instance_id, Task.state == "ready")
            .order_by(Task.ready_at, Task.id)))


def by_activity(engine: Engine, instance_id: str, activity: str) -> str:
    return next(t.id for t in in_database(engine, instance_id) if t.activity_id == activity)


@contextmanager
def ready_reads(engine: Engine) -> Iterator[list[str]]:
    """The statements that read a case's ready tasks back (the list's order) meanwhile."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ready_at" in statement \
                and "ORDER BY" in statement.upper():
            seen.append(statement)

    bind = engine.sessions.kw["bind"]
    event.listen(bind, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", listen)


def test_next_tasks_equal_the_database_through_a_split_and_a_join(
        engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": parallel()})
    case = engine.start("parallel", "case-1", {}).instance.id
    g1 = Caller(name="inst-1", role="institution", groups=("g1",))

    # every ready task left: the step's own rows (three at once, ordered by id)
    first = by_activity(engine, case, "first_task")
    with ready_reads(engine) as reads:
        outcome = engine.complete_task(first, {}, caller=g1)
    assert reads == []
    ready = in_database(engine, case)
    assert sorted(t.activity_id for t in ready) == ["a_task", "b_task", "c_task"]
    assert fields(outcome.ready_tasks or []) == fields(
        [t for t in ready if g1.sees_groups(t.candidate_groups)])
    assert [t.activity_id for t in outcome.ready_tasks or []] != []
    assert all(t.activity_id != "b_task" for t in outcome.ready_tasks or [])

    # tasks ready from before stay: the answer is read, still the same
    clock.advance(seconds=5)
    a_task = by_activity(engine, case, "a_task")
    with ready_reads(engine) as reads:
        outcome = engine.complete_task(a_task, {}, with_ready=True)
    assert len(reads) == 1
    assert fields(outcome.ready_tasks or []) == fields(in_database(engine, case))
    assert sorted(t.activity_id for t in outcome.ready_tasks or []) == ["b_task", "c_task"]

    outcome = engine.complete_task(by_activity(engine, case, "b_task"), {},
                                   caller=Caller(name="c", role="coordinator"))
    assert [t.activity_id for t in outcome.ready_tasks or []] == ["c_task"]

    # the join passes: the new task alone, as the database has it
    clock.advance(seconds=5)
    last = by_activity(engine, case, "c_task")
    with ready_reads(engine) as reads:
        outcome = engine.complete_task(last, {}, actor="someone", with_ready=True)
    assert reads == []
    assert fields(outcome.ready_tasks or []) == fields(in_database(engine, case))
    assert [t.activity_id for t in outcome.ready_tasks or []] == ["last_task"]

    # an institution that does not see the next task gets none; the end leaves none
    outcome = engine.complete_task(by_activity(engine, case, "last_task"), {},
                                   caller=Caller(name="inst-2", role="institution",
                                                 groups=("g2",)))
    assert outcome.ready_tasks == [] and in_database(engine, case) == []
    assert engine.instance(case).status == "completed"
