"""Transaction boundaries on a plain start event (`<bpmn:startEvent camunda:asyncAfter="true">`).

The most common boundary in Camunda 7 files: the start commits at once (the caller
gets its case id) and a job runs the case from its start event. A start event's
extensions are SpiffWorkflow's flat properties, so the boundaries are kept on the
spec itself (`boundaries`) and written by this module's converter. A start event
without an event definition gets both; a message or timer (date, duration) start
event of a process only `asyncAfter` (the message or timer starts the case and
commits, a job runs it on): it waits for its trigger in `_update_hook`, which a hold
before it would skip.
Lint refuses the others by name (`engine.camunda.async_lint.boundary_finding`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import StartEvent

from .async_boundaries import AsyncBoundaryMixin, parse_boundaries
from .async_events import CONVERTERS as EVENT_CONVERTERS
from .async_gateways import CONVERTERS as GATEWAY_CONVERTERS
from .async_wrapped import CONVERTERS as WRAPPED_CONVERTERS
from .namespaces import CAMUNDA


class AsyncStartEvent(AsyncBoundaryMixin, StartEvent):
    """A plain start event with asyncBefore or asyncAfter."""

    def __init__(self, wf_spec: Any, bpmn_id: str, event_definition: Any,
                 boundaries: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)
        self.boundaries = dict(boundaries or {})


class AsyncStartEventConverter(EventConverter):
    def to_dict(self, spec: AsyncStartEvent) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct["boundaries"] = dict(spec.boundaries)
        return dct


def is_plain_start(node: Any) -> bool:
    """A start event without an event definition, outside an event subprocess."""
    parent = node.getparent()
    return (not any(isinstance(c.tag, str) and c.tag.endswith("EventDefinition") for c in node)
            and (parent is None or parent.get("triggeredByEvent") != "true"))


def is_event_start(node: Any, boundaries: dict[str, Any]) -> bool:
    """A message or timer start event of a process, with asyncAfter only: the start
    commits when the message or timer starts the case, a job runs it on. Not a cycle
    timer: SpiffWorkflow fires one without completing its start event."""
    parent = node.getparent()
    definitions = {c.tag.rsplit("}", 1)[-1] for c in node if isinstance(c.tag, str)
                   and c.tag.endswith("EventDefinition")}
    cycle = node.find("./{*}timerEventDefinition/{*}timeCycle") is not None
    return (parent is not None and parent.tag.endswith("}process") and "asyncBefore" not in
            boundaries and len(definitions) == 1 and definitions <= EVENT_STARTS
            and not cycle)


EVENT_STARTS = frozenset({"messageEventDefinition", "timerEventDefinition"})
"""Start events that carry asyncAfter (`is_event_start`)."""


def with_async_start(parser_and_spec: tuple[type, type]) -> tuple[type, type]:
    """The (parser, spec class) pair of `bpmn:startEvent`, its parser giving a plain start
    event with a boundary the class `AsyncStartEvent`."""
    parser, spec = parser_and_spec

    def create_task(self: Any) -> Any:
        task = parser.create_task(self)
        boundaries = parse_boundaries(self.node, CAMUNDA)
        if (boundaries and type(task) is StartEvent
                and (is_plain_start(self.node) or is_event_start(self.node, boundaries))):
            task.__class__ = AsyncStartEvent
            task.boundaries = boundaries
        return task

    return type(f"AsyncStart{parser.__name__}", (parser,), {"create_task": create_task}), spec


CONVERTERS: dict[type, type] = {AsyncStartEvent: AsyncStartEventConverter,
                                **WRAPPED_CONVERTERS, **GATEWAY_CONVERTERS,
                                **EVENT_CONVERTERS}
"""Registered with the activities' converters (`engine.camunda.activities`)."""
