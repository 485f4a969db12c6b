"""Why a ready task left without completion, as `task.cancelled` tells it.

The reason travels with `TaskCancelled` into the webhook; here it is read from
the outbox's messages (what an institution will receive), for each way the
engine closes a task.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import webhooks
from engine import Engine, ManualClock
from engine.store.models import Task
from tests.engine import processes
from tests.modeler.corpus import El, Fl, chain, end, start, timer, user
from tests.modeler.modeler import definitions
from tests.support.bpmn import Flow, Node, document, user_task
from tests.support.principals import add_principal
from webhooks import endpoints
from webhooks.config import WebhookSettings
from webhooks.models import WebhookMessage


@pytest.fixture
def hooked(engine: Engine) -> Engine:
    """The engine with the outbox, and one institution listening for `task.cancelled`
    on each group the processes below use (nothing is sent: the messages are read)."""
    webhooks.install(engine)
    principal = add_principal(engine, "listener", "institution", ["sas", "oai"]).id
    with engine.sessions.begin() as s:
        endpoints.create_endpoint(
            s, principal_id=principal, url="http://127.0.0.1:9/hook", now=engine.clock.now(),
            event_types=["task.cancelled"],
            settings=WebhookSettings(allow_hosts=frozenset({"127.0.0.1"})))
    return engine


def cancelled(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.sessions() as s:
        bodies = s.scalars(select(WebhookMessage.body)
                           .where(WebhookMessage.event_type == "task.cancelled"))
        return [(b["data"]["activity"], b["data"]["reason"]) for b in map(json.loads, bodies)]


def ready(engine: Engine, instance_id: str, activity: str) -> Task:
    with engine.sessions() as s:
        return s.scalars(select(Task).where(Task.instance_id == instance_id,
                                            Task.activity_id == activity,
                                            Task.state == "ready")).one()


def subprocess_with_deadline() -> bytes:
    """A subprocess holding a SAS task, interrupted by a one-day timer on its border."""
    sub = El("subProcess", "Handle_Sub", "Handle", children=[
        start("Event_HStart"), user("Inner_Work", "Inner work", candidateGroups="sas"),
        end("Event_HEnd")], flows=chain("Event_HStart", "Inner_Work", "Event_HEnd",
                                        prefix="Flow_H"))
    late = El("boundaryEvent", "On_Late", "Late", {"attachedToRef": "Handle_Sub"},
              tail=timer("timeDuration", "P1D"))
    nodes = [start(), sub, end("Event_Done"), late,
             user("Escalate", "Escalate", candidateGroups="lead"), end("Event_Escalated")]
    flows = chain("StartEvent_1", "Handle_Sub", "Event_Done") + [
        Fl("Flow_L1", "On_Late", "Escalate"), Fl("Flow_L2", "Escalate", "Event_Escalated")]
    return definitions("subprocess_deadline", nodes, flows).encode()


def terminate_end() -> bytes:
    """Two parallel tasks; completing the OAI one reaches a terminate end event."""
    nodes = [Node("start_event", "startEvent"), Node("fork", "parallelGateway"),
             user_task("sas_task", "sas"), user_task("oai_task", "oai"),
             Node("sas_end", "endEvent"),
             Node("kill_end", "endEvent",
                  inner='<bpmn:terminateEventDefinition id="TerminateEventDefinition_1"/>')]
    flows = [Flow("start_event", "fork"), Flow("fork", "sas_task"), Flow("fork", "oai_task"),
             Flow("sas_task", "sas_end"), Flow("oai_task", "kill_end")]
    return document("terminate_end", nodes, flows)


def test_a_boundary_timer_on_the_task_gives_boundary(hooked: Engine,
                                                      clock: ManualClock) -> None:
    hooked.deploy({"b.bpmn": processes.boundary_timer()})
    hooked.start("boundary_timer", "c-1")
    clock.advance(timedelta(days=10, seconds=1))
    assert hooked.run_due_timers() == 1
    assert cancelled(hooked) == [("preavis_task", "boundary")]


def test_a_boundary_timer_on_the_enclosing_subprocess_gives_boundary(
        hooked: Engine, clock: ManualClock) -> None:
    hooked.deploy({"s.bpmn": subprocess_with_deadline()})
    started = hooked.start("subprocess_deadline", "c-1").instance.id
    clock.advance(timedelta(days=1, seconds=1))
    assert hooked.run_due_timers() == 1
    assert cancelled(hooked) == [("Inner_Work", "boundary")]
    assert ready(hooked, started, "Escalate").candidate_groups == ["lead"]


def test_a_terminate_end_event_gives_closed(hooked: Engine) -> None:
    hooked.deploy({"t.bpmn": terminate_end()})
    started = hooked.start("terminate_end", "c-1").instance.id
    hooked.complete_task(ready(hooked, started, "oai_task").id, actor="oai")
    assert hooked.instance(started).status == "completed"
    assert cancelled(hooked) == [("sas_task", "closed")]


def test_a_terminated_case_gives_terminated(hooked: Engine) -> None:
    hooked.deploy({"t.bpmn": terminate_end()})
    started = hooked.start("terminate_end", "c-1").instance.id
    hooked.set_status(started, "terminate", reason="duplicate", actor="coord")
    assert sorted(cancelled(hooked)) == [("oai_task", "terminated"),
                                         ("sas_task", "terminated")]
