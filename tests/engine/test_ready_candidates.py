"""The candidate rows say which tasks are ready (`task_candidate.ready_at`): what an
institution's task list and the stuck reasons `no_holder` / `notification_failing` read
through their partial indexes. Every way a task opens, moves or closes keeps them right."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine import Caller, Engine, ManualClock
from engine.store.models import Task, TaskCandidate
from tests.engine import processes
from tests.support.bpmn import Flow, Node, document, user_task
from tests.support.principals import add_principal

ORP = Caller.operator("orp")


def _ready_candidates(engine: Engine, instance_id: str) -> dict[tuple[str, str], datetime | None]:
    """(activity, group) -> the candidate row's ready_at, for every task of the case."""
    with engine.sessions() as session:
        rows = session.execute(
            select(Task.activity_id, TaskCandidate.group_id, TaskCandidate.ready_at)
            .join(Task, Task.id == TaskCandidate.task_id)
            .where(Task.instance_id == instance_id))
        return {(a, g): at for a, g, at in rows}


def test_a_task_is_in_its_groups_ready_rows_while_ready(engine: Engine,
                                                        clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "rc-1", {"region": "sion"}, caller=ORP)
    first = started.ready_tasks[0]
    assert _ready_candidates(engine, started.instance.id) == {("first_task", "cii-team-sion"):
                                                    first.ready_at}
    clock.advance(days=2)
    engine.complete_task(first.id, {}, actor="team")
    rows = _ready_candidates(engine, started.instance.id)
    assert rows[("first_task", "cii-team-sion")] is None
    assert rows[("second_task", "sas")] == clock.now()

    [second] = engine.tasks(groups=["sas"]).items
    clock.advance(hours=1)
    engine.reassign_task(second.id, ["commune-sion", "sas-bis"], reason="workload",
                         caller=ORP)
    rows = _ready_candidates(engine, started.instance.id)
    assert ("second_task", "sas") not in rows
    assert rows[("second_task", "commune-sion")] == second.ready_at  # waits since it opened
    assert rows[("second_task", "sas-bis")] == second.ready_at

    engine.set_status(started.instance.id, "terminate", reason="withdrawn", actor="orp")
    assert set(_ready_candidates(engine, started.instance.id).values()) == {None}
    assert engine.tasks(groups=["commune-sion", "sas-bis"]).items == []


def test_a_list_of_several_groups_shows_a_task_of_two_of_them_once(
        engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    ids = []
    for n in range(3):
        started = engine.start("three_tasks", f"rc-{n}", {"region": "sion"}, caller=ORP)
        ids.append(started.ready_tasks[0].id)
        clock.advance(hours=1)
    engine.reassign_task(ids[1], ["cii-team-sion", "sas"], reason="second opinion",
                         caller=ORP)
    listed = engine.tasks(groups=["cii-team-sion", "sas"]).items
    assert [t.id for t in listed] == ids  # oldest first, each once
    assert [t.id for t in engine.tasks(groups=["sas"]).items] == [ids[1]]
    page = engine.tasks(groups=["sas", "cii-team-sion"], limit=2, offset=1)
    assert [t.id for t in page.items] == ids[1:]


def test_a_ready_task_without_any_group_has_no_holder(engine: Engine,
                                                      clock: ManualClock) -> None:
    nodes = [Node("begin_event", "startEvent"), user_task("Orphan_Task"),
             user_task("Held_Task", "sas"), Node("done_end", "endEvent")]
    flows = [Flow("begin_event", "Orphan_Task"), Flow("Orphan_Task", "Held_Task"),
             Flow("Held_Task", "done_end")]
    engine.deploy({"o.bpmn": document("orphan_case", nodes, flows)})
    add_principal(engine, "sas", "institution", ["sas"])
    started = engine.start("orphan_case", "rc-9", {}, caller=ORP)
    clock.advance(days=1)
    [nobody] = engine.stuck(reason="no_holder").items
    assert (nobody.activity_id, nobody.groups) == ("Orphan_Task", [])
    engine.complete_task(started.ready_tasks[0].id, {}, actor="orp")
    assert engine.stuck(reason="no_holder").items == []
