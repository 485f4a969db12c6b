"""Throw events that tell the history when nobody caught what they threw.

SpiffWorkflow completes a workflow whose top-level error end event nobody
catches with `success=True`; the error only sits in `wf.bpmn_events`. Camunda 7
does the same (an uncaught BPMN error ends like a none end event). ciiflow
keeps that outcome, so a case is not stuck for a modelling choice, but never
silently: the step's history gets an `error_end_uncaught` row with the error
code (and `escalation_uncaught` for an escalation nobody catches), and the
instance ends `completed`. Stuck-case and reporting queries find such cases
by that history kind. The row is written by the workflow's host
(`engine.camunda.host.Host.record_uncaught`), the runtime's script engine.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)

from .event_subprocess import ScopeEndMixin
from .event_subprocess_scope import ScopedThrowMixin
from .host import Host
from .mappings import InputOutputMixin

UNCAUGHT_ERROR = "error_end_uncaught"
UNCAUGHT_ESCALATION = "escalation_uncaught"
#: a signal thrown: the runtime takes it to the other cases (`engine.runtime.signals`)
SIGNAL_THROWN = "signal_thrown"


def _record_signal(my_task: Any, before: int) -> None:
    """Tell the host a signal was thrown; it is not left among the workflow's uncaught
    events (kept in its state for ever), since the runtime carries it beyond the case."""
    definition = my_task.task_spec.event_definition
    top = my_task.workflow.top_workflow
    top.bpmn_events[before:] = [e for e in top.bpmn_events[before:]
                                if not isinstance(e.event_definition, SignalEventDefinition)]
    host = my_task.workflow.script_engine
    if isinstance(host, Host):
        host.record(my_task, SIGNAL_THROWN, {"signal": definition.name})


def _record_uncaught(my_task: Any, before: int) -> None:
    host = my_task.workflow.script_engine
    if not isinstance(host, Host):
        return  # nobody keeps a history of this workflow
    top = my_task.workflow.top_workflow
    for event in top.bpmn_events[before:]:
        definition = event.event_definition
        if isinstance(definition, ErrorEventDefinition):
            kind = UNCAUGHT_ERROR
        elif isinstance(definition, EscalationEventDefinition):
            kind = UNCAUGHT_ESCALATION
        else:
            continue
        host.record_uncaught(my_task, kind, {"code": definition.code, "name": definition.name})


class RecordingThrowMixin:
    def _run_hook(self, my_task: Any) -> bool:
        before = len(my_task.workflow.top_workflow.bpmn_events)
        result = super()._run_hook(my_task)  # type: ignore[misc]
        _record_uncaught(my_task, before)
        if isinstance(getattr(self, "event_definition", None), SignalEventDefinition):
            _record_signal(my_task, before)
        return result


class CamundaEndEvent(InputOutputMixin, ScopeEndMixin, RecordingThrowMixin, ScopedThrowMixin,
                      EndEvent):
    """An end event; an uncaught error or escalation it throws is put in the history, and
    the last one of a scope ends the scope's event subprocesses that have not started."""


class CamundaThrowEvent(InputOutputMixin, RecordingThrowMixin, ScopedThrowMixin,
                        IntermediateThrowEvent):
    """An intermediate throw event; an uncaught escalation is put in the history. Both
    apply their `camunda:inputOutput` (`engine.camunda.event_mappings`)."""


CONVERTERS: dict[type, type] = {
    CamundaEndEvent: EventConverter,
    CamundaThrowEvent: EventConverter,
}
