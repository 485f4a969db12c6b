"""Transaction boundaries on events: intermediate throw events, end events, catch events.

Camunda 7 lets a modeller put a job before an end event (asyncBefore: the step
that reaches it commits, the job ends the scope, throwing its error, escalation,
signal or message if it has one) and before or after an intermediate throw event
(asyncAfter: the event throws in the step that reaches it, the job takes the flow
after it). A failure inside the job (a message nobody is bound to, an expression
in a mapping) opens an incident at the event once the tries are spent, and what
came before stays committed, as for activities (`engine.camunda.async_boundaries`).
On an intermediate catch event or a receive task, `asyncAfter`: the step that brings
the event (a message, a timer, a signal, a condition met, a trigger) commits it, the
job goes on.

An event's extensions are SpiffWorkflow's flat properties, so the boundaries are
kept on the spec itself (`boundaries`), as a start event's are
(`engine.camunda.async_start`). Only an event drawn with a boundary gets the
holding class; the others, and every definition deployed before, restore and run
as they did. What stays refused by name (asyncAfter on an end event, link events, a
catch event's asyncBefore) is `engine.camunda.async_lint.boundary_finding`.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import ReceiveTask

from .async_boundaries import AsyncBoundaryMixin, holding_class, parse_boundaries
from .compensation import CompensationEndEvent, CompensationThrowEvent
from .event_mappings import CamundaCatchEvent
from .namespaces import CAMUNDA
from .throws import CamundaEndEvent, CamundaThrowEvent


class HeldEventMixin(AsyncBoundaryMixin):
    """An event whose boundaries sit on the spec (`boundaries`), stored by its converter."""

    def __init__(self, wf_spec: Any, bpmn_id: str, event_definition: Any,
                 boundaries: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)  # type: ignore[call-arg]
        self.boundaries = dict(boundaries or {})


class AsyncEndEvent(HeldEventMixin, CamundaEndEvent):
    """An end event with asyncBefore."""


class AsyncCompensationEndEvent(HeldEventMixin, CompensationEndEvent):
    """A compensation end event with asyncBefore: the job starts the compensation."""


class AsyncThrowEvent(HeldEventMixin, CamundaThrowEvent):
    """An intermediate throw event with asyncBefore or asyncAfter."""


class AsyncCompensationThrowEvent(HeldEventMixin, CompensationThrowEvent):
    """An intermediate compensation throw event with asyncBefore or asyncAfter."""


class AsyncReceiveTask(HeldEventMixin, ReceiveTask):
    """A receive task with asyncAfter: the message (or trigger) is taken and committed,
    the job goes on."""


class AsyncCatchEvent(HeldEventMixin, CamundaCatchEvent):
    """An intermediate catch event with asyncAfter: the event is caught (the message's
    variables set, the timer gone) in the step that brings it, the job takes the flow."""


_ASYNC: dict[type, type] = {
    CamundaEndEvent: AsyncEndEvent,
    CompensationEndEvent: AsyncCompensationEndEvent,
    CamundaThrowEvent: AsyncThrowEvent,
    CompensationThrowEvent: AsyncCompensationThrowEvent,
    CamundaCatchEvent: AsyncCatchEvent,
    ReceiveTask: AsyncReceiveTask,
}


class HeldEventConverter(EventConverter):
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct["boundaries"] = dict(spec.boundaries)
        return dct


def with_async_event(parser_and_spec: tuple[type, type]) -> tuple[type, type]:
    """The (parser, spec class) pair of a throw or end event, its parser giving an event
    with a boundary its holding class (the boundary finding refuses the others)."""
    parser, spec = parser_and_spec

    def create_task(self: Any) -> Any:
        task = parser.create_task(self)
        boundaries = parse_boundaries(self.node, CAMUNDA)
        if boundaries:
            task.__class__ = holding_class(task, self, _ASYNC)
            task.boundaries = boundaries
        return task

    return type(f"Async{parser.__name__}", (parser,), {"create_task": create_task}), spec


CONVERTERS: dict[type, type] = {cls: HeldEventConverter for cls in _ASYNC.values()}
"""Registered with the activities' converters (`engine.camunda.activities`)."""
