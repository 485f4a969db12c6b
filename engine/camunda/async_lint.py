"""What lint says about Camunda 7 transaction boundaries: which run, which are refused.

A boundary runs where `engine.camunda.async_boundaries` and its companions
(`async_wrapped`, `async_start`, `async_gateways`, `async_events`) hold the task as
Camunda 7 would; anywhere else it is refused by name, with the reason, rather than
run differently.
"""

from __future__ import annotations

from typing import Any

from .async_boundaries import (
    ASYNC_ACTIVITIES,
    BOUNDARIES,
    RETRY_CYCLE,
    check_retry_cycle,
    is_boundary,
)
from .namespaces import CAMUNDA

THROW_EVENTS = frozenset({"intermediateThrowEvent", "endEvent"})
EVENTS = THROW_EVENTS | {"intermediateCatchEvent"}
"""Events held by `engine.camunda.async_events` (but a link throw, an end event's asyncAfter)."""

JOINING_GATEWAYS = frozenset({"inclusiveGateway"})
"""Gateways whose boundary runs only when they do not join (`engine.camunda.async_gateways`)."""


def boundary_finding(attribute: str, value: str | None, tag: str, *,
                     plain_start: bool = False, loop_owner: str | None = None,
                     joins: bool = False, definition: str | None = None,
                     process_start: bool = False) -> str | None:
    """The lint error for a boundary ciiflow cannot run as Camunda does, or None.

    A boundary on one of `ASYNC_ACTIVITIES` (with boundary events or multi-instance
    too: `engine.camunda.async_wrapped`), an `asyncBefore` on the multi-instance loop
    characteristics of one (a job per instance), on a plain start event or asyncAfter
    on a message or date/duration timer start (`engine.camunda.async_start`), on an
    exclusive or parallel gateway or a non-joining inclusive one
    (`engine.camunda.async_gateways`), on a throw event, asyncAfter on a catch event
    (`engine.camunda.async_events`) runs as in Camunda 7; elsewhere it is refused by
    name rather than run differently.
    """
    if attribute not in BOUNDARIES or not is_boundary(value):
        return None
    prefix = f"camunda:{attribute}=\"true\" on a bpmn:{tag}"
    if tag == "startEvent" and plain_start:
        return None
    if (tag == "startEvent" and process_start and attribute == "asyncAfter"
            and definition in ("messageEventDefinition", "timerEventDefinition")):
        return None  # the trigger starts the case and commits (engine.camunda.async_start)
    if tag == "multiInstanceLoopCharacteristics" and loop_owner in ASYNC_ACTIVITIES:
        return None  # a job per instance (engine.camunda.async_wrapped)
    if tag in ("exclusiveGateway", "parallelGateway"):
        return None  # a job per arriving token (engine.camunda.async_gateways)
    if tag in EVENTS and definition == "linkEventDefinition":
        return (f"{prefix} refused: a link throw event jumps to its catch event in the "
                "same step; ciiflow does not hold a link")
    if tag in ("intermediateCatchEvent", "receiveTask"):
        if attribute == "asyncAfter":
            return None  # engine.camunda.async_events
        return (f"{prefix} refused: ciiflow runs asyncAfter on a catch event or receive "
                "task, not yet asyncBefore (the held element would already take a message "
                "or signal arriving while its job waits)")
    if tag == "endEvent" and attribute == "asyncAfter":
        return (f"{prefix} refused: nothing follows an end event in its scope; ciiflow "
                "runs asyncBefore on an end event (a job ends the scope), not asyncAfter")
    if tag in THROW_EVENTS:
        return None  # engine.camunda.async_events
    if tag in JOINING_GATEWAYS:
        if not joins:
            return None
        return (f"{prefix} refused: this inclusive gateway joins several incoming flows; "
                "ciiflow runs a boundary on an inclusive gateway that does not join (one "
                "incoming flow), not yet on an inclusive join")
    if tag not in ASYNC_ACTIVITIES:
        return (f"{prefix} refused: ciiflow runs transaction boundaries on activities "
                "(user, service, send, business rule, manual and plain tasks, subprocesses, "
                "call activities, their multi-instance loops), exclusive and parallel "
                "gateways, inclusive gateways that do not join, intermediate throw and end events, "
                "catch events and receive tasks (asyncAfter), start events without an event "
                "definition and "
                "message and timer (date, duration) start events of a process (asyncAfter); "
                "not yet on other start events (cycle timers included) or event-based "
                "gateways")
    return None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def lint_boundary(element: Any, attribute: str) -> str | None:
    """The refusal of a boundary attribute on an lxml `element`, or None when it runs."""
    value = element.get(f"{{{CAMUNDA}}}{attribute}")
    parent = element.getparent()
    plain_start = (not any(_local(c.tag).endswith("EventDefinition") for c in element)
                   and (parent is None or parent.get("triggeredByEvent") != "true"))
    definition = next((_local(c.tag) for c in element
                       if _local(c.tag).endswith("EventDefinition")), None)
    if element.find("./{*}timerEventDefinition/{*}timeCycle") is not None:
        definition = "timeCycle"  # SpiffWorkflow fires a cycle start without completing it
    return boundary_finding(attribute, value, _local(element.tag), plain_start=plain_start,
                            loop_owner=_local(parent.tag) if parent is not None else None,
                            joins=_incoming(element) > 1, definition=definition,
                            process_start=parent is not None and _local(parent.tag) == "process"
                            and sum(_local(c.tag).endswith("EventDefinition")
                                    for c in element) == 1)


def _incoming(element: Any) -> int:
    """How many sequence flows lead to `element` in its process or subprocess."""
    parent, element_id = element.getparent(), element.get("id")
    if parent is None:
        return 0
    return sum(1 for flow in parent if _local(flow.tag) == "sequenceFlow"
               and flow.get("targetRef") == element_id)


def lint_retry_cycle(cycle: Any) -> tuple[str, str] | None:
    """(severity, message) for a `camunda:failedJobRetryTimeCycle` element, or None."""
    extensions = cycle.getparent()
    owner = extensions.getparent() if extensions is not None else None
    if owner is None or not any(is_boundary(owner.get(f"{{{CAMUNDA}}}{b}")) for b in BOUNDARIES):
        return ("warning", f"camunda:{RETRY_CYCLE} is ignored (no camunda:asyncBefore or "
                           "asyncAfter on this element, so no job to retry); remove it")
    why = check_retry_cycle(cycle.text)
    if why is not None:
        return ("error", f"camunda:{RETRY_CYCLE} {why}")
    return None
