"""Conditional start events, as Camunda 7 runs them.

Two places draw a conditional start event, and Camunda 7 treats them apart:

* **The start event of an event subprocess** waits while its scope (the process, or the
  embedded subprocess it is drawn in) runs: the condition is evaluated when the scope
  starts and after every change of the case's variables, with the `camunda:variableName`
  / `camunda:variableEvents` filters of the conditional boundary event
  (`engine.camunda.conditional`). SpiffWorkflow 3.2 starts such an event subprocess only
  when an event is thrown at the top level, which a condition never is; so the process
  parser here wires it to its scope's start as the library wires a timer event
  subprocess, and the start event waits in the scope like a boundary condition.
  Interrupting: `engine.camunda.event_subprocess.InterruptingStartEvent`. Non-interrupting:
  `RearmingStartEvent`, which leaves a fresh copy of the event subprocess waiting each time
  it fires, so every later change that satisfies the condition runs it again, as in Camunda.
* **A process-level conditional start event** never starts a case by itself: Camunda 7
  starts the process only when asked to evaluate start conditions for some variables
  (`RuntimeService.createConditionEvaluation()`, REST `POST /condition`). A start of
  such a process is marked with the start event chosen (`choose_start`); every top-level
  start event of a process that has a conditional one is a `ProcessStartEvent`, which runs
  only the chosen one. Unmarked (a plain start), the none start event runs as always, and
  a conditional start event that is the process's only start event runs as its initial
  event (Camunda's `startProcessInstanceByKey`); any other one is left to the start join,
  and a process whose start events are all conditional (several) refuses a plain start
  with an incident naming the way to start it.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent as StartEventMixin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .conditional import REARMED, case_data
from .namespaces import BPMN, tag

CHOSEN_START = "ciiflow_start_by_condition"
"""Internal data of a workflow's root task: the conditional start event that starts it."""

_PROCESS = tag(BPMN, "process")
_START = tag(BPMN, "startEvent")
_CONDITIONAL = tag(BPMN, "conditionalEventDefinition")


def _conditional_starts(spec: Any) -> list[Any]:
    return [s for s in getattr(spec, "bpmn_start_events", ())
            if isinstance(s.event_definition, ConditionalEventDefinition)]


class ConditionalScopeProcessParser(ProcessParser):
    """A process (or embedded subprocess) whose conditional event subprocesses wait from the
    scope's start, as its timer event subprocesses do, instead of waiting for a thrown event."""

    def add_tasks(self) -> None:
        super().add_tasks()
        start = self.spec.start
        for name in list(getattr(start, "trigger_specs", ())):
            sub = self.parser.process_parsers.get(name)
            if sub is None or not _conditional_starts(sub.get_spec()):
                continue
            start.trigger_specs.remove(name)
            holder = self.spec.task_specs[name]
            start.connect(holder)
            holder.connect(self.spec.end)


def has_conditional_start(node: Any) -> bool:
    """Whether the start event `node` belongs to a process with a conditional start event."""
    process = node.getparent()
    return process is not None and process.tag == _PROCESS and any(
        child.tag == _START and child.find(_CONDITIONAL) is not None for child in process)


def choose_start(wf: BpmnWorkflow, activity_id: str) -> None:
    """Mark a new workflow, before it runs, as started by this conditional start event."""
    wf.task_tree._set_internal_data(**{CHOSEN_START: activity_id})


class ProcessStartEvent(StartEvent):
    """A top-level start event of a process that has a conditional start event."""

    def _update_hook(self, my_task: Any) -> Any:
        chosen = my_task.workflow.task_tree.internal_data.get(CHOSEN_START)
        conditional = isinstance(self.event_definition, ConditionalEventDefinition)
        if chosen is None and not conditional:
            return super()._update_hook(my_task)
        starts = self._starts(my_task)
        if chosen == self.bpmn_id or (chosen is None and starts == [self]):
            my_task._set_internal_data(has_fired=True)
            return super()._update_hook(my_task)
        if chosen is None and all(isinstance(s.event_definition, ConditionalEventDefinition)
                                  for s in starts):
            # nothing else would ever start it: a plain start of such a process is refused
            raise WorkflowTaskException(
                f"process '{my_task.workflow.spec.name}' starts on one of its conditional "
                "start events only: start it by evaluating conditions (POST "
                "/api/v1/conditions, ciiflow conditions evaluate)", task=my_task)
        # not this way in: wait, unsubscribed, until the start join cancels it
        BpmnTaskSpec._update_hook(self, my_task)
        if my_task.state != TaskState.WAITING:
            my_task._set_state(TaskState.WAITING)
        return False

    @staticmethod
    def _starts(my_task: Any) -> list[Any]:
        return [s for s in my_task.workflow.spec.task_specs.values()
                if isinstance(s, StartEventMixin)]


class RearmingStartEvent(StartEvent):
    """The conditional start of a non-interrupting event subprocess: when it fires, a fresh
    copy of the event subprocess waits in the scope for the next change that satisfies the
    condition (seeded with the variables as they are now, so this change does not count)."""

    def _run_hook(self, my_task: Any) -> bool:
        result = super()._run_hook(my_task)
        top = my_task.workflow.top_workflow
        holder_id = getattr(my_task.workflow, "parent_task_id", None)
        holder = top.get_task_from_id(holder_id) if holder_id else None
        if holder is None or holder.parent is None or \
                not holder.parent.has_state(TaskState.COMPLETED):
            return result
        current = case_data(my_task.workflow)
        scope_start = holder.parent
        kept, scope_start.data = scope_start.data, current  # the copy starts from now
        try:
            fresh = scope_start._add_child(holder.task_spec, TaskState.FUTURE)
            fresh._set_internal_data(**{REARMED: self.event_definition.watched(current)})
            fresh.task_spec._update(fresh)
        finally:
            scope_start.data = kept
        return result


CONVERTERS: dict[type, type] = {ProcessStartEvent: EventConverter,
                                RearmingStartEvent: EventConverter}
"""Registered by `engine.camunda.serializer.serializer()` (through `activities.CONVERTERS`)."""
