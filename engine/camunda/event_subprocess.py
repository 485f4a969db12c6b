"""Interrupting event subprocesses, as Camunda 7 runs them.

SpiffWorkflow 3.2 runs every event subprocess beside the flow it belongs to
(non-interrupting), and its start-event parser reads message, signal, timer and
conditional triggers only, so an error or escalation start event became a none
start (the event subprocess ran at once). Camunda 7 instead, when the start
event of an interrupting event subprocess (`isInterrupting="true"`, the BPMN
default; error start events always interrupt) fires:

1. cancels every active token of the enclosing scope (the process, or the
   embedded subprocess the event subprocess is drawn in): its user tasks,
   waits, subprocesses and the other event subprocesses of that scope;
2. runs the event subprocess with the scope's variables as they are now;
3. ends the scope when the event subprocess ends (for the process scope: the
   case completes; for an embedded subprocess: the flow goes on after it).

This module gives ciiflow's Camunda parser a start-event parser that also reads
error and escalation triggers inside event subprocesses, and builds the start
event of an interrupting one as `InterruptingStartEvent`, whose run does steps 1
and 2. Step 3 needs nothing: once the scope's other tokens are cancelled, the
event subprocess's own path to the scope's end join is the only one left.
The read model sees the cancelled user tasks leave and emits `TaskCancelled`.
Conditional starts (interrupting or not, and a process's own) are built with the specs of
`engine.camunda.conditional_start`, which waits for them from the scope's start.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import (
    EventSubprocess as EventSubprocessMixin,
)
from SpiffWorkflow.camunda.parser.event_parsers import CamundaStartEventParser
from SpiffWorkflow.util.task import TaskIterator, TaskState

from .conditional import ConditionalParserMixin
from .conditional_start import CONVERTERS as CONDITIONAL_START_CONVERTERS
from .conditional_start import ProcessStartEvent, RearmingStartEvent, has_conditional_start
from .event_subprocess_scope import RearmingEventStart, ScopedCatchMixin, wires_triggers
from .namespaces import BPMN, tag

EVENT_SUBPROCESS_TRIGGERS = (
    MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH, CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH,
)
"""What the start event of an event subprocess may wait for (error and escalation added)."""

INTERRUPTED = "interrupted_by_event_subprocess"
"""Internal data of a token an event subprocess cancelled (the read model's cancel reason)."""

_SUBPROCESS = tag(BPMN, "subProcess")
_ERROR = tag(BPMN, "errorEventDefinition")
_CONDITIONAL = tag(BPMN, "conditionalEventDefinition")
_REARMED_IN_SCOPE = (tag(BPMN, "messageEventDefinition"), tag(BPMN, "escalationEventDefinition"))
_DEFINITE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.FUTURE
_HOLDING = TaskState.READY | TaskState.WAITING | TaskState.COMPLETED


def in_event_subprocess(node: Any) -> bool:
    parent = node.getparent()
    return parent is not None and parent.tag == _SUBPROCESS and \
        parent.get("triggeredByEvent") == "true"


def is_interrupting(node: Any) -> bool:
    """Camunda's reading: `isInterrupting` defaults to true; an error start always interrupts."""
    return node.get("isInterrupting", "true") == "true" or node.find(_ERROR) is not None


def _within(workflow: Any, scope: Any) -> bool:
    while workflow is not None:
        if workflow is scope:
            return True
        workflow = getattr(workflow, "parent_workflow", None)
    return False


def scope_data(holder: Any) -> dict[str, Any]:
    """The enclosing scope's variables as of now: the data of its tokens, newest last (in
    the scope or in the subprocesses it runs), not of the event subprocess itself."""
    scope, top = holder.workflow, holder.workflow.top_workflow
    own = top.subprocesses.get(holder.id)
    workflows = [scope, *(sp for sp in top.subprocesses.values()
                          if sp is not own and _within(sp.parent_workflow, scope)
                          and not _within(sp, own))]
    # completed tokens too: a branch waiting at a join holds its data in the task before it
    touched = [t for wf in workflows for t in TaskIterator(wf.task_tree, state=_HOLDING)
               if t.id != holder.id]
    data: dict[str, Any] = {}
    for task in sorted(touched, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data


def interrupt_scope(holder: Any) -> None:
    """Cancel every active token of the workflow holding the event subprocess task `holder`,
    except `holder` itself and the path from it to the scope's end."""
    scope = holder.workflow
    ancestors, ancestor = set(), holder.parent
    while ancestor is not None:
        ancestors.add(ancestor.id)
        ancestor = ancestor.parent
    own = {holder.id}  # the event subprocess and its path to the scope's end
    doomed = []
    for task in TaskIterator(scope.task_tree, state=TaskState.NOT_FINISHED_MASK):
        if task.id in own or (task.parent is not None and task.parent.id in own):
            own.add(task.id)
        elif task.id not in ancestors:
            doomed.append(task)
    for task in doomed:
        if task.id in scope.tasks and not task.has_state(TaskState.FINISHED_MASK):
            task._set_internal_data(**{INTERRUPTED: holder.task_spec.bpmn_id})
            task.cancel()  # drops its predicted children; a subprocess cancels its workflow


def _untriggered(top: Any, holder: Any) -> bool:
    """An event subprocess whose start event has not fired (a timer still waiting)."""
    sub = top.subprocesses.get(holder.id)
    return sub is None or not any(
        isinstance(t.task_spec, StartEvent) and t.has_state(TaskState.COMPLETED)
        for t in sub.tasks.values())


def close_idle_event_subprocesses(end_task: Any) -> None:
    """When the last token of a scope reaches an end event, the scope's event subprocesses
    that have not started stop waiting (Camunda removes their subscriptions with the scope);
    otherwise a timer event subprocess would keep the case running, and fire later."""
    scope, top = end_task.workflow, end_task.workflow.top_workflow
    skip, idle = {end_task.id}, []
    for task in TaskIterator(scope.task_tree, state=TaskState.NOT_FINISHED_MASK):
        if task.id == end_task.id or (task.parent is not None and task.parent.id in skip):
            skip.add(task.id)
        elif isinstance(task.task_spec, EventSubprocessMixin) and _untriggered(top, task):
            idle.append(task)
            skip.add(task.id)
        elif task.task_spec.name in (scope.spec.end.name, "End"):
            continue  # a token already at the scope's end
        elif task.has_state(_DEFINITE):
            return  # other work (or a started event subprocess) is still under way
    for task in idle:
        task.cancel()


def event_subprocess_catches(wf: Any, event: Any) -> bool:
    """Whether an event subprocess of the process starts on `event` (SpiffWorkflow starts
    message, error and escalation event subprocesses from the process's start only)."""
    for name in getattr(wf.spec.start, "trigger_specs", ()):
        spec = wf.subprocess_specs.get(name)
        if spec is not None and any(start.event_definition == event.event_definition
                                    for start in spec.bpmn_start_events):
            return True
    return False


class ScopeEndMixin:
    """For end events: the scope's idle event subprocesses end with its last token (and
    with the last event subprocess that ran beside it: a re-armed conditional one waits)."""

    def _run_hook(self, my_task: Any) -> bool:
        result = super()._run_hook(my_task)  # type: ignore[misc]
        close_idle_event_subprocesses(my_task)
        holder_id = getattr(my_task.workflow, "parent_task_id", None)
        holder = my_task.workflow.top_workflow.get_task_from_id(holder_id) if holder_id else None
        if holder is not None and isinstance(holder.task_spec, EventSubprocessMixin):
            close_idle_event_subprocesses(holder)
        return result


class InterruptingStartEvent(ScopedCatchMixin, StartEvent):
    """The start event of an interrupting event subprocess: firing it ends the enclosing
    scope's other work first, and hands the event subprocess the scope's current data."""

    def _run_hook(self, my_task: Any) -> bool:
        workflow = my_task.workflow
        holder_id = getattr(workflow, "parent_task_id", None)
        holder = workflow.top_workflow.get_task_from_id(holder_id) if holder_id else None
        if holder is not None:
            current = scope_data(holder)
            interrupt_scope(holder)
            # the scope's variables now, under what the event itself carries (set by run)
            my_task.data = {**my_task.data, **current}
        return super()._run_hook(my_task)


class EventSubprocessStartEventParser(ConditionalParserMixin, CamundaStartEventParser):
    """Start events as the Camunda parser reads them (conditions with Camunda's filters);
    inside an event subprocess, error and escalation triggers are read too, an interrupting
    start is an `InterruptingStartEvent` and a non-interrupting conditional one re-arms.
    The start events of a process with a conditional start are `ProcessStartEvent`s."""

    def create_task(self) -> Any:
        if not in_event_subprocess(self.node):
            if has_conditional_start(self.node):
                self.spec_class = ProcessStartEvent
            return super().create_task()
        if is_interrupting(self.node):
            self.spec_class = InterruptingStartEvent
        elif self.node.find(_CONDITIONAL) is not None:
            self.spec_class = RearmingStartEvent
        elif any(self.node.find(kind) is not None for kind in _REARMED_IN_SCOPE) and \
                wires_triggers(self.node.getparent().getparent()):
            self.spec_class = RearmingEventStart  # engine.camunda.event_subprocess_scope
        event_definition = self.get_event_definition(list(EVENT_SUBPROCESS_TRIGGERS))
        task = self._create_task(event_definition)
        self.spec.start.connect(task)
        return task


CONVERTERS: dict[type, type] = {InterruptingStartEvent: EventConverter,
                                RearmingEventStart: EventConverter,
                                **CONDITIONAL_START_CONVERTERS}
"""Registered by `engine.camunda.serializer.serializer()` (through `activities.CONVERTERS`)."""

