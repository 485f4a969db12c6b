"""Versions of one small process, for the migration tests: what process owners change."""

from __future__ import annotations

from tests.support.bpmn import Flow, Node, document, timer, user_task

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
