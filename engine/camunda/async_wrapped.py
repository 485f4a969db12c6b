"""Transaction boundaries on activities SpiffWorkflow wraps: boundary events and multi-instance.

Camunda 7 puts an activity's `asyncBefore` job *before* the activity's scope:
its boundary events are not armed while the job waits, and a multi-instance
activity's job sits before the whole body (one job, not one per instance).
SpiffWorkflow wraps such an activity in specs of its own, so the hold of
`engine.camunda.async_boundaries` must sit on the wrapper, not on the activity:

- boundary events: the activity is the main child of a `BoundaryEventSplit`
  whose run arms the events (sets them WAITING; a timer counts from its first
  update after that). `AsyncBoundaryEventSplit` holds *there*, so the events are
  armed, and a timer's due time counted, only when the job runs the activity.
  `asyncAfter` stays on the activity, which first cancels its waiting boundary
  events, as the join after it would: in Camunda they are gone once the
  activity completed, before the job takes the outgoing flow.
- multi-instance: the activity's own `camunda:asyncBefore`/`asyncAfter` move to
  the loop's spec (one job before the body, one after the last instance); the
  ones written on `bpmn:multiInstanceLoopCharacteristics` go to the instances'
  spec (one job per instance). A per-instance `asyncAfter` job ends the instance
  in Camunda: the loop merges it (variables, completion condition, next instance)
  only when the job runs (`engine.camunda.async_boundaries.release`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent

from .async_boundaries import BOUNDARIES, RETRY_CYCLE, AsyncBoundaryMixin, parse_boundaries
from .namespaces import CAMUNDA


def main_activity(split: Any) -> Any:
    """The activity a boundary-event split wraps: its one output that is no boundary event."""
    return next((s for s in split.outputs if not isinstance(s, BoundaryEvent)), None)


def _camunda(spec: Any) -> dict[str, Any]:
    return ((getattr(spec, "extensions", None) or {}).get("camunda")) or {}


class AsyncBoundaryEventSplit(AsyncBoundaryMixin, BoundaryEventSplit):
    """The split before an activity with boundary events and `asyncBefore`: holds the job."""

    @property
    def boundaries(self) -> dict[str, Any]:
        """The activity's asyncBefore (and retry cycle): read from it, so nothing is stored
        twice; asyncAfter stays the activity's own."""
        settings = _camunda(main_activity(self))
        if not settings.get("asyncBefore"):
            return {}
        kept: dict[str, Any] = {"asyncBefore": True}
        if settings.get(RETRY_CYCLE):
            kept[RETRY_CYCLE] = settings[RETRY_CYCLE]
        return kept

    @property
    def held_activity(self) -> str | None:
        """The BPMN element the job and its incidents belong to."""
        activity = main_activity(self)
        return getattr(activity, "bpmn_id", None)


def async_split(split: Any, activity: Any) -> Any:
    """Parser side: the split `SpiffWorkflow` built before `activity`, as the holding
    class when the activity (or its multi-instance loop) has `asyncBefore`."""
    if _camunda(activity).get("asyncBefore") and type(split) is BoundaryEventSplit:
        split.__class__ = AsyncBoundaryEventSplit
    return split


def move_to_loop(loop_spec: Any, instance_spec: Any, loop_node: Any) -> None:
    """Parser side: the activity's boundaries go to the loop's spec (one job around the
    body); those written on the loop characteristics to the instances' spec."""
    inner = dict(_camunda(instance_spec))
    outer = {name: inner.pop(name) for name in (*sorted(BOUNDARIES), RETRY_CYCLE)
             if name in inner}
    inner.update(parse_boundaries(loop_node, CAMUNDA))
    if getattr(instance_spec, "extensions", None) is not None:
        instance_spec.extensions = {**instance_spec.extensions, "camunda": inner}
    loop_spec.extensions.setdefault("camunda", {}).update(outer)


CONVERTERS: dict[type, type] = {AsyncBoundaryEventSplit: BpmnTaskSpecConverter}
"""Registered with the activities' converters (`engine.camunda.activities`)."""
