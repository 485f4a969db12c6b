"""Versions of one small process, for the migration tests: what process owners change."""

from __future__ import annotations

from tests.support.bpmn import Flow, Node, document, message, message_ref, timer, user_task

KEY = "intake"


def _chain(tasks: list[tuple[str, str]], *, extra: list[Node] | None = None) -> bytes:
    nodes = [Node("start_event", "startEvent"),
             *[user_task(tid, group) for tid, group in tasks], *(extra or []),
             Node("done_end", "endEvent")]
    ids = ["start_event", *[tid for tid, _ in tasks], "done_end"]
    flows = [Flow(a, b) for a, b in zip(ids, ids[1:], strict=False)]
    return document(KEY, nodes, flows)


def v1() -> bytes:
    """Review, then check."""
    return _chain([("review_task", "sas"), ("check_task", "commune-sion")])


def v2() -> bytes:
    """Review renamed assess (and routed to the OAI), check removed, approve added."""
    return _chain([("assess_task", "oai"), ("approve_task", "commune-sion")])


def v1_timer() -> bytes:
    """Review with a ten-day reminder on it."""
    nodes = [Node("start_event", "startEvent"), user_task("review_task", "sas"),
             Node("review_timeout", "boundaryEvent", attrs={"attachedToRef": "review_task"},
                  inner=timer("P10D")),
             Node("done_end", "endEvent"), user_task("late_task", "cii-cantonal"),
             Node("late_end", "endEvent")]
    flows = [Flow("start_event", "review_task"), Flow("review_task", "done_end"),
             Flow("review_timeout", "late_task"), Flow("late_task", "late_end")]
    return document(KEY, nodes, flows)


def v2_timer() -> bytes:
    """The same with an extra step after the review."""
    nodes = [Node("start_event", "startEvent"), user_task("review_task", "sas"),
             Node("review_timeout", "boundaryEvent", attrs={"attachedToRef": "review_task"},
                  inner=timer("P10D")),
             user_task("approve_task", "commune-sion"),
             Node("done_end", "endEvent"), user_task("late_task", "cii-cantonal"),
             Node("late_end", "endEvent")]
    flows = [Flow("start_event", "review_task"), Flow("review_task", "approve_task"),
             Flow("approve_task", "done_end"),
             Flow("review_timeout", "late_task"), Flow("late_task", "late_end")]
    return document(KEY, nodes, flows)


def gateway(gateway_id: str, *, default: bool = False) -> bytes:
    """Review, then a choice on `decision` (with a default flow when `default`)."""
    nodes = [Node("start_event", "startEvent"), user_task("review_task", "sas"),
             Node(gateway_id, "exclusiveGateway",
                  attrs={"default": "Flow_other"} if default else {}),
             Node("accepted_end", "endEvent"), Node("other_end", "endEvent")]
    flows = [Flow("start_event", "review_task"), Flow("review_task", gateway_id),
             Flow(gateway_id, "accepted_end", '${decision == "accept"}'),
             Flow(gateway_id, "other_end", None if default else '${decision == "refuse"}',
                  id="Flow_other")]
    return document(KEY, nodes, flows)


def multi(task_id: str = "review_task") -> bytes:
    """Two parallel reviews (a multi-instance user task)."""
    loop = ("<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2"
            "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>")
    nodes = [Node("start_event", "startEvent"), user_task(task_id, "sas", inner=loop),
             Node("done_end", "endEvent")]
    return document(KEY, nodes, [Flow("start_event", task_id), Flow(task_id, "done_end")])


def message_wait(catch_id: str) -> bytes:
    """Waits for the partner's decision message."""
    extra = message("Message_decision", "decision")
    nodes = [Node("start_event", "startEvent"),
             Node(catch_id, "intermediateCatchEvent", inner=message_ref("Message_decision")),
             user_task("after_task", "oai"), Node("done_end", "endEvent")]
    flows = [Flow("start_event", catch_id), Flow(catch_id, "after_task"),
             Flow("after_task", "done_end")]
    return document(KEY, nodes, flows, extra=extra)


def with_intake() -> bytes:
    """An intake before the review and the check."""
    return _chain([("intake_task", "orp-valais-central"), ("review_task", "sas"),
                   ("check_task", "commune-sion")])
