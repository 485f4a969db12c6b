"""Keeping the task rows, subscriptions and timer column in step with the workflow.

A step compares what the workflow waits for before and after it ran: user
tasks that became ready get a row, those that left the ready set are marked
completed or cancelled, message subscriptions and the next timer are
recomputed. All of it is written in the step's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

TIMER_EVENT_TYPES = {
    "DurationTimerEventDefinition",
    "TimeDateEventDefinition",
    "CycleTimerEventDefinition",
}
MESSAGE_EVENT_TYPES = {"MessageEventDefinition"}


@dataclass
class Snapshot:
    """What a workflow waits for at one moment."""

    ready: dict[UUID, Any]
    timers: set[UUID]
    messages: set[tuple[str, str]]  # (message name, activity id)

    @classmethod
    def of(cls, wf: BpmnWorkflow) -> Snapshot:
        ready = {t.id: t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
        timers: set[UUID] = set()
        messages: set[tuple[str, str]] = set()
        for task in wf.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition):
                timers.add(task.id)
            elif type(definition).__name__ in MESSAGE_EVENT_TYPES:
                messages.add((definition.name, task.task_spec.bpmn_id))
        for task in ready.values():
            definition = getattr(task.task_spec, "event_definition", None)
            if type(definition).__name__ in MESSAGE_EVENT_TYPES:  # receive tasks
                messages.add((definition.name, task.task_spec.bpmn_id))
        return cls(ready, timers, messages)


def next_timer_at(wf: BpmnWorkflow) -> datetime | None:
    """The earliest due time among the timers the workflow waits on."""
    earliest: datetime | None = None
    for pending in wf.waiting_events():
        if pending.event_type not in TIMER_EVENT_TYPES or pending.value is None:
            continue
        value = pending.value
        due = (
            value
            if isinstance(value, datetime)
            else TimerEventDefinition.get_datetime(str(value))
        )
        if earliest is None or due < earliest:
            earliest = due
    return earliest


def is_user_task(task: Any) -> bool:
    return bool(getattr(task.task_spec, "manual", False))
