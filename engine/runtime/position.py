"""Where a case stands: the activities it waits at, by BPMN id and name, without data.

The institution that started a case may follow it without seeing its data
(another institution's answers are not its business): what it is told is the
model's own vocabulary, the activities the workflow waits at now and what
kind of wait each is. Nothing here reads a task's or the case's variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.camunda.async_boundaries import held
from engine.camunda.compensation import CompensationThrowMixin

from .readmodel import caught_definitions


@dataclass(frozen=True)
class Waiting:
    """One activity the case waits at."""

    activity_id: str
    name: str | None
    #: user_task | external_task | timer | message | event (an event-based gateway) |
    #: job (held at a transaction boundary, asyncBefore/asyncAfter, for a worker)
    kind: str


def waiting_at(wf: BpmnWorkflow) -> list[Waiting]:
    """The activities the workflow waits at, in the order of the model's tasks.

    A boundary event waiting on its task is not a place of its own (the task is),
    nor is an event subprocess's start event; an activity waited at by several
    branches (a multi-instance) is listed once.
    """
    found: dict[tuple[str, str], Waiting] = {}
    for workflow in (wf, *wf.subprocesses.values()):
        for task in workflow.tasks.values():
            kind = _kind(task)
            bpmn_id = (getattr(task.task_spec, "held_activity", None)  # a wrapper's job
                       or getattr(task.task_spec, "bpmn_id", None))
            if kind is None or bpmn_id is None:
                continue
            found.setdefault((bpmn_id, kind), Waiting(bpmn_id, task.task_spec.bpmn_name, kind))
    return list(found.values())


def _kind(task: Any) -> str | None:
    spec = task.task_spec
    state = task._state
    if state & (TaskState.WAITING | TaskState.COMPLETED) and held(task):
        return "job"
    if state == TaskState.READY and spec.manual:
        return "message" if _is_message(getattr(spec, "event_definition", None)) else "user_task"
    if state == TaskState.STARTED and getattr(spec, "external_topic", None):
        return "external_task"
    # a compensation throw waits for its handlers, which are the places themselves
    if state == TaskState.WAITING and not isinstance(
            spec, BoundaryEvent | StartEvent | CompensationThrowMixin):
        definitions = caught_definitions(task)
        if len(definitions) > 1:
            return "event"
        if definitions:
            if isinstance(definitions[0], TimerEventDefinition):
                return "timer"
            return "message" if _is_message(definitions[0]) else "event"
    return None


def _is_message(definition: Any) -> bool:
    return type(definition).__name__ == "MessageEventDefinition"
