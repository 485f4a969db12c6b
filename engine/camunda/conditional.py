"""Conditional events (intermediate catch, boundary), as Camunda 7 evaluates them.

SpiffWorkflow 3.2 evaluates a waiting condition against the data its own token carried
when it arrived, and only when a task of the same (sub)workflow completes, so a
condition on a variable set elsewhere in the case never became true. Camunda 7
evaluates it against the case's variables: when the event is reached (an intermediate
catch passes at once if the condition holds; a boundary event fires as its activity
starts) and whenever variables change afterwards, with two filters:

* `camunda:variableName`: only a change of that variable counts;
* `camunda:variableEvents` (`create`, `update`, `delete`, comma separated): only those
  kinds of change of it count.

A condition that reads a variable the case does not have yet is false, as Camunda's
`tryEvaluate` makes it (the event keeps waiting); any other failure is an incident.

`CamundaConditionalEventDefinition` evaluates the condition against the case's
variables as of now, and remembers a digest of what it watched, so a re-evaluation
without a change in them never fires (nor loops). `refresh_conditions` re-evaluates
every waiting conditional event of a workflow; the runtime calls it after every step
(`engine.runtime.step.run_engine`), so a change anywhere in the case is seen.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine.expressions.errors import MissingVariable

from .namespaces import CAMUNDA, tag

VARIABLE_EVENTS = ("create", "update", "delete")
_SEEN = "condition_seen"
REARMED = "condition_rearmed"
"""Internal data of an event subprocess a non-interrupting conditional start left waiting
(`engine.camunda.conditional_start`): what its condition watched when it was left there."""
_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.COMPLETED


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's variables as of now: the data of every token of the case (the process
    and its subprocesses), the most recently changed last."""
    top = workflow.top_workflow
    tasks = [t for wf in (top, *top.subprocesses.values())
             for t in TaskIterator(wf.task_tree, state=_CURRENT)]
    data: dict[str, Any] = dict(top.data)
    for task in sorted(tasks, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class CamundaConditionalEventDefinition(ConditionalEventDefinition):
    """A condition on the case's variables, with Camunda's variable filters."""

    def __init__(self, expression: str, variable_name: str | None = None,
                 variable_events: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(expression, **kwargs)
        self.variable_name = variable_name
        self.variable_events = tuple(variable_events)

    def watched(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.variable_name is None:
            return {"present": True, "digest": _digest(data)}
        present = self.variable_name in data
        return {"present": present,
                "digest": _digest(data.get(self.variable_name)) if present else None}

    def _changed(self, before: dict[str, Any] | None, now: dict[str, Any]) -> bool:
        if before is None:
            return True  # the event was just reached: Camunda evaluates the condition once
        if before == now:
            return False
        if self.variable_name is None or not self.variable_events:
            return True
        if not before["present"]:
            kind = "create"
        elif not now["present"]:
            kind = "delete"
        else:
            kind = "update"
        return kind in self.variable_events

    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("has_fired", False):
            return True
        data = case_data(my_task.workflow)
        now = self.watched(data)
        changed = self._changed(my_task.internal_data.get(_SEEN, _seed(my_task)), now)
        my_task.internal_data[_SEEN] = now
        if not changed:
            return False
        try:
            fired = bool(my_task.workflow.script_engine.evaluate(
                my_task, self.expression, external_context=data))
        except WorkflowTaskException as error:
            # Camunda 7's `tryEvaluate`: a variable that does not exist yet makes the
            # condition false (the event keeps waiting); any other failure is an incident
            if not isinstance(getattr(error, "cause", None), MissingVariable):
                raise
            fired = False
        if fired:
            my_task._set_internal_data(has_fired=True)
            my_task.data.update(data)  # the flow after the event goes on with the case's data
        return fired

    def reset(self, my_task: Any) -> None:
        my_task.internal_data.pop(_SEEN, None)
        my_task.internal_data.pop("has_fired", None)
        super().reset(my_task)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConditionalEventDefinition) and \
            getattr(other, "expression", None) == self.expression

    __hash__ = None  # type: ignore[assignment]


def _seed(my_task: Any) -> dict[str, Any] | None:
    """What a re-armed event subprocess's start watched when it was left waiting: a change
    since then, not the one that fired its predecessor, is what fires it."""
    if not isinstance(my_task.task_spec, StartEvent):
        return None
    holder_id = getattr(my_task.workflow, "parent_task_id", None)
    holder = my_task.workflow.top_workflow.get_task_from_id(holder_id) if holder_id else None
    return holder.internal_data.get(REARMED) if holder is not None else None


def refresh_conditions(wf: BpmnWorkflow) -> bool:
    """Re-evaluate every waiting conditional event of the case; True if one fired."""
    fired = False
    for task in list(wf.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, CamundaConditionalEventDefinition) and \
                task.state == TaskState.WAITING:
            task.task_spec._update(task)
            fired = fired or task.state == TaskState.READY
    return fired


class ConditionalParserMixin:
    """For a Camunda event parser: conditional definitions with Camunda's filters."""

    def parse_conditional_event(self, event: Any) -> CamundaConditionalEventDefinition:
        plain = super().parse_conditional_event(event)  # type: ignore[misc]
        events = (event.get(tag(CAMUNDA, "variableEvents")) or "").split(",")
        return CamundaConditionalEventDefinition(
            plain.expression, event.get(tag(CAMUNDA, "variableName")) or None,
            tuple(e.strip() for e in events if e.strip()), description=plain.description)


def with_conditions(parser_and_spec: tuple[type, type]) -> tuple[type, type]:
    """The (parser, spec class) pair of an event, its parser reading conditions as Camunda."""
    parser, spec = parser_and_spec
    return type(f"Conditional{parser.__name__}", (ConditionalParserMixin, parser), {}), spec


class ConditionalEventDefinitionConverter(TimerConditionalEventDefinitionConverter):
    """Stores the two filters beside the expression (the library keeps the expression)."""

    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct = super().to_dict(event_definition)
        dct.update(variable_name=event_definition.variable_name,
                   variable_events=list(event_definition.variable_events))
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        dct["variable_events"] = tuple(dct.get("variable_events", ()))
        return super().from_dict(dct)


CONVERTERS: dict[type, type] = {
    CamundaConditionalEventDefinition: ConditionalEventDefinitionConverter}
"""Registered by `engine.camunda.serializer.serializer()` (through `activities.CONVERTERS`)."""
