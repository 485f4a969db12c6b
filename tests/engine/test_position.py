"""Where a case stands: what the starting institution sees of it (ids, names, kinds)."""

from __future__ import annotations

from engine import Caller, Engine
from tests.engine import processes
from tests.support.bpmn import Flow, Node, document, timer
from tests.workflows import processes as workflow_processes

COORDINATOR = Caller(name="coord", role="coordinator")


def timer_wait() -> bytes:
    nodes = [Node("start_event", "startEvent"),
             Node("ten_days", "intermediateCatchEvent", "Ten days", inner=timer("P10D")),
             Node("done_end", "endEvent")]
    return document("timer_wait", nodes, [Flow("start_event", "ten_days"),
                                          Flow("ten_days", "done_end")])


def test_waiting_at_names_each_kind_of_wait(engine: Engine) -> None:
    engine.deploy({"b.bpmn": processes.boundary_timer(), "m.bpmn": processes.message_wait(),
                   "e.bpmn": workflow_processes.external(), "t.bpmn": timer_wait()})

    def where(key: str) -> list[tuple[str, str | None, str]]:
        instance_id = engine.start(key, "c-1").instance.id
        return [(w.activity_id, w.name, w.kind)
                for w in engine.case(instance_id, COORDINATOR).waiting_at]

    # the boundary timer waiting on the task is not a place of its own
    assert where("boundary_timer") == [("preavis_task", "preavis task", "user_task")]
    assert where("message_wait") == [("decision_received", None, "message")]
    assert where("external_case") == [("register_service", "register", "external_task")]
    assert where("timer_wait") == [("ten_days", "Ten days", "timer")]
