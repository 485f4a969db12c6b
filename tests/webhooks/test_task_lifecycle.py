"""`task.cancelled`, reassignment and the starter's `instance.completed`, over real HTTP.

Each test runs real steps (a boundary timer, a termination, a reassignment, a
completion), lets the dispatcher send what the outbox wrote to real loopback
receivers, and checks what each institution received, signed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import Caller, Engine, ManualClock
from engine.store.models import History, Task, TaskCandidate
from tests.engine import processes
from tests.support.principals import add_principal
from webhooks.dispatcher import Dispatcher

from .conftest import add_endpoint
from .receivers import Receiver

ALL = ["task.ready", "task.completed", "task.cancelled", "instance.completed"]
COORDINATOR = Caller(name="coord", role="coordinator")


def ready(engine: Engine, instance_id: str) -> list[Task]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task).where(Task.instance_id == instance_id,
                                                 Task.state == "ready")))


def events(receiver: Receiver, secret: str) -> list[tuple[str, dict]]:
    found = []
    for record in receiver.received:
        payload = record.verify(secret)
        found.append((payload["type"], payload["data"]))
    return found


def listening(engine: Engine, receiver: Receiver, name: str, groups: list[str],
              types: list[str] | None = None) -> str:
    """An institution called `name` holding `groups`, with an endpoint at the receiver."""
    principal = add_principal(engine, name, "institution", groups).id
    _, secret = add_endpoint(engine, principal, f"{receiver.url}/{name}", types or ALL)
    return secret


def by_path(receiver: Receiver, name: str) -> Receiver:
    """The requests of one institution (one receiver serves several, by path)."""
    view = Receiver.__new__(Receiver)
    view.received = [r for r in receiver.received if r.path == f"/hook/{name}"]
    return view


def test_a_boundary_timer_interrupting_a_task_sends_task_cancelled(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"], ["task.cancelled"])
        cantonal = listening(wengine, receiver, "cantonal", ["cii-cantonal"], ["task.ready"])
        wengine.deploy({"b.bpmn": processes.boundary_timer()})
        started = wengine.start("boundary_timer", "AVS 756.1234.5678.97")
        [preavis] = ready(wengine, started.instance.id)
        clock.advance(timedelta(days=10, seconds=1))
        assert wengine.run_due_timers() == 1
        assert dispatcher.run_once() == 2
    [(kind, data)] = events(by_path(receiver, "sas"), sas)
    assert kind == "task.cancelled"
    assert data["task_id"] == preavis.id and data["activity"] == "preavis_task"
    assert data["state"] == "cancelled" and data["reason"] == "boundary"
    assert data["groups"] == ["sas"] and data["due_date"] is None
    assert "756.1234" not in by_path(receiver, "sas").received[0].body.decode()
    [(kind, data)] = events(by_path(receiver, "cantonal"), cantonal)
    assert (kind, data["activity"]) == ("task.ready", "escalation_task")


def test_terminating_a_case_sends_task_cancelled(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"])
        wengine.deploy({"b.bpmn": processes.boundary_timer()})
        started = wengine.start("boundary_timer", "c-1")
        [preavis] = ready(wengine, started.instance.id)
        dispatcher.run_once()  # the task.ready
        wengine.set_status(started.instance.id, "terminate", reason="announced twice",
                           actor="coord")
        assert dispatcher.run_once() == 1
    kinds = [(kind, data["task_id"], data.get("reason"))
             for kind, data in events(receiver, sas)]
    assert kinds == [("task.ready", preavis.id, None),
                     ("task.cancelled", preavis.id, "terminated")]
    assert "announced twice" not in receiver.received[-1].body.decode()


def test_a_reassigned_task_is_cancelled_for_who_loses_it_and_ready_for_who_gains_it(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        secrets = {name: listening(wengine, receiver, name, groups) for name, groups in (
            ("sas", ["sas"]), ("oai", ["oai"]), ("both", ["sas", "oai"]))}
        wengine.deploy({"b.bpmn": processes.boundary_timer()})
        started = wengine.start("boundary_timer", "c-1")
        [preavis] = ready(wengine, started.instance.id)
        wengine.claim(preavis.id, Caller(name="sas", role="institution", groups=("sas",)))
        dispatcher.run_once()  # task.ready to sas and both
        receiver.received.clear()
        row = wengine.reassign_task(preavis.id, ["oai"], reason="SAS on leave",
                                    caller=COORDINATOR)
        assert dispatcher.run_once() == 2
    assert row.candidate_groups == ["oai"] and row.assignee is None and row.state == "ready"
    [(kind, data)] = events(by_path(receiver, "sas"), secrets["sas"])
    assert (kind, data["reason"], data["groups"]) == ("task.cancelled", "reassigned", ["sas"])
    [(kind, data)] = events(by_path(receiver, "oai"), secrets["oai"])
    assert (kind, data["task_id"], data["groups"]) == ("task.ready", preavis.id, ["oai"])
    assert by_path(receiver, "both").received == []  # its work list did not change
    assert all(b"SAS on leave" not in r.body for r in receiver.received)
    with wengine.sessions() as s:
        groups = list(s.scalars(select(TaskCandidate.group_id)
                                .where(TaskCandidate.task_id == preavis.id)))
        entry = s.scalars(select(History).where(History.kind == "task_reassigned")).one()
    assert groups == ["oai"]
    assert (entry.actor, entry.task_id) == ("coord", preavis.id)
    assert entry.detail == {"from": ["sas"], "to": ["oai"], "reason": "SAS on leave",
                            "released": "sas"}


def test_the_starting_institution_receives_instance_completed(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        orp = listening(wengine, receiver, "orp", ["orp-valais"],
                        ["instance.completed", "task.ready"])
        add_principal(wengine, "sas", "institution", ["sas"])
        wengine.deploy({"b.bpmn": processes.boundary_timer()})
        started = wengine.start("boundary_timer", "c-1",
                                caller=Caller(name="orp", role="institution",
                                              groups=("orp-valais",)))
        other = wengine.start("boundary_timer", "c-2", actor="someone-else")
        for instance_id in (started.instance.id, other.instance.id):
            [task] = ready(wengine, instance_id)
            wengine.complete_task(task.id, actor="sas")
        assert dispatcher.run_once() == 1
    [(kind, data)] = events(receiver, orp)
    assert (kind, data["instance_id"], data["state"]) == (
        "instance.completed", started.instance.id, "completed")
