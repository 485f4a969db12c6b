"""The small processes the engine tests run."""

from __future__ import annotations

from tests.support.bpmn import Flow, Node, document, message, message_ref, timer, user_task


def three_tasks(pid: str = "three_tasks", label: str = "") -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        user_task("first_task", "cii-team-${region}"),
        user_task("second_task", "sas", **{"camunda:dueDate": "P10D"}),
        user_task("third_task", "commune-sion"),
        Node("done_end", "endEvent", label or None),
    ]
    flows = [Flow("start_event", "first_task"), Flow("first_task", "second_task"),
             Flow("second_task", "third_task"), Flow("third_task", "done_end")]
    return document(pid, nodes, flows)


def gateway(pid: str = "gateway") -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        user_task("decide_task", "sas"),
        Node("decision_gateway", "exclusiveGateway"),
        user_task("accepted_task", "commune-sion"),
        Node("accepted_end", "endEvent"),
        Node("refused_end", "endEvent"),
    ]
    flows = [
        Flow("start_event", "decide_task"), Flow("decide_task", "decision_gateway"),
        Flow("decision_gateway", "accepted_task", '${decision == "accept"}'),
        Flow("decision_gateway", "refused_end", '${decision == "refuse"}'),
        Flow("accepted_task", "accepted_end"),
    ]
    return document(pid, nodes, flows)


def boundary_timer(pid: str = "boundary_timer", duration: str = "P10D") -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        user_task("preavis_task", "sas"),
        Node("preavis_timeout", "boundaryEvent",
             attrs={"attachedToRef": "preavis_task"}, inner=timer(duration)),
        Node("preavis_done_end", "endEvent"),
        user_task("escalation_task", "cii-cantonal"),
        Node("escalated_end", "endEvent"),
    ]
    flows = [Flow("start_event", "preavis_task"), Flow("preavis_task", "preavis_done_end"),
             Flow("preavis_timeout", "escalation_task"), Flow("escalation_task", "escalated_end")]
    return document(pid, nodes, flows)


def message_wait(pid: str = "message_wait") -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        Node("decision_received", "intermediateCatchEvent",
             inner=message_ref("decision_message")),
        user_task("after_task", "oai"),
        Node("done_end", "endEvent"),
    ]
    flows = [Flow("start_event", "decision_received"), Flow("decision_received", "after_task"),
             Flow("after_task", "done_end")]
    return document(pid, nodes, flows, extra=message("decision_message", "oai_decision"))
