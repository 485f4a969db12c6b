"""Message, error and escalation event subprocesses inside an embedded subprocess (and
in a process, which may run called, inside a caller's case).

SpiffWorkflow 3.2 starts a triggered event subprocess only from the case's own process
(`EventManager.update_collaboration` reads the top workflow's `trigger_specs`), and a
thrown error or escalation looks for catches in the thrower's workflow and its parents,
never in the event subprocesses those workflows hold. Camunda 7 instead keeps an event
subscription for each such start event while its scope (the embedded subprocess) runs,
and an error or escalation thrown inside the subprocess is caught by the innermost
handler: the subprocess's own event subprocess before a boundary event on the
subprocess, before the process's event subprocess.

So here:

* the process parser wires these event subprocesses to their scope's start, as the
  library wires a timer event subprocess: the start event waits in the scope (a message
  subscription the read model keeps, gone when the scope ends: `close_idle_event_subprocesses`);
* throws of errors and escalations (end and intermediate throw events, a handler's or
  worker's BPMN error) go through `catch_in_scopes`, which walks the scopes from the
  thrower outwards and gives the event to the first waiting start event of an event
  subprocess of that scope, unless a catch of the scope itself comes first;
* a non-interrupting one leaves a fresh copy of itself waiting each time it fires
  (`RearmingEventStart`), so a second message runs it again, as in Camunda.

A process is wired the same way, since a call activity (of its bundle, or of another,
resolved when a case reaches it) may run it inside a caller's case; started on its own,
the wiring runs its event subprocesses as the library's triggers would (a message wait
while the process runs, the process's work cancelled by an interrupting one, a copy
per event for a non-interrupting one). A signal event subprocess in an embedded
subprocess or a called process stays refused by lint.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent as StartEventMixin
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import (
    EventSubprocess as EventSubprocessMixin,
)
from SpiffWorkflow.util.task import TaskState

from .namespaces import BPMN, tag

_SUBPROCESS = tag(BPMN, "subProcess")
_PROCESS = tag(BPMN, "process")
SCOPED = (MessageEventDefinition, ErrorEventDefinition, EscalationEventDefinition)
"""Start-event triggers wired to an embedded subprocess's start here."""


def _scoped_starts(spec: Any) -> bool:
    return any(isinstance(s.event_definition, SCOPED)
               for s in getattr(spec, "bpmn_start_events", ()))


def wires_triggers(scope: Any) -> bool:
    """Whether the event subprocesses drawn in `scope` (a process or subprocess element)
    wait from its start: in an embedded subprocess, and in a process, which a call
    activity (of this bundle or, resolved when reached, of another) may run inside a
    caller's case, where the library's triggers never reach it."""
    if scope is None:
        return False
    if scope.tag == _SUBPROCESS:
        return scope.get("triggeredByEvent") != "true"
    return scope.tag == _PROCESS


class ScopedTriggerProcessParser(ProcessParser):
    """An embedded subprocess (or a called process) whose message, error and escalation
    event subprocesses wait from its start (another process keeps the library's triggers)."""

    def add_tasks(self) -> None:
        super().add_tasks()
        if not wires_triggers(self.node):
            return
        start = self.spec.start
        for name in list(getattr(start, "trigger_specs", ())):
            sub = self.parser.process_parsers.get(name)
            if sub is None or not _scoped_starts(sub.get_spec()):
                continue
            start.trigger_specs.remove(name)
            holder = self.spec.task_specs[name]
            start.connect(holder)
            holder.connect(self.spec.end)


def _holder(workflow: Any) -> Any:
    holder_id = getattr(workflow, "parent_task_id", None)
    return workflow.top_workflow.get_task_from_id(holder_id) if holder_id else None


def _scope_start_catching(scope: Any, waiting: list[Any], event: Any) -> Any:
    """The waiting start event of an event subprocess of `scope` that catches `event`."""
    for task in waiting:
        if not isinstance(task.task_spec, StartEventMixin) or task.workflow is scope:
            continue
        holder = _holder(task.workflow)
        if holder is not None and holder.workflow is scope and \
                isinstance(holder.task_spec, EventSubprocessMixin) and \
                task.task_spec.catches(task, event):
            return task
    return None


ROUTED = "ciiflow_routed_to_scope"
"""Attribute of an event `catch_in_scopes` hands to an event subprocess of its scope."""


class ScopedCatchMixin:
    """For the start events of event subprocesses: one of an embedded subprocess or of a
    called process takes an error or escalation only from `catch_in_scopes` (a throw
    inside its scope), never from the library's catch of last resort, which offers an
    event nobody caught on its way out to every waiting catch of the case."""

    def catches(self, my_task: Any, event: Any) -> bool:
        if isinstance(event.event_definition, ErrorEventDefinition | EscalationEventDefinition) \
                and not getattr(event, ROUTED, False):
            holder = _holder(my_task.workflow)
            if holder is not None and holder.workflow is not holder.workflow.top_workflow:
                return False
        return super().catches(my_task, event)  # type: ignore[misc]


def catch_in_scopes(workflow: Any, event: Any) -> bool:
    """Give `event`, thrown in `workflow`, to the innermost event subprocess waiting for it;
    False when a catch of the library comes first (or none waits): the caller throws."""
    waiting = [t for t in workflow.top_workflow.event_manager.tasks.values()
               if t.has_state(TaskState.WAITING)]
    scope = workflow
    while scope is not None and scope is not scope.top_workflow:
        if any(t.workflow is scope and t.task_spec.catches(t, event) for t in waiting):
            return False  # the library's targeted catch finds it at this level
        setattr(event, ROUTED, True)
        found = _scope_start_catching(scope, waiting, event)
        setattr(event, ROUTED, False)
        if found is not None:
            found.task_spec.catch(found, event)
            found.task_spec._update(found)
            return True
        scope = scope.parent_workflow
    return False


class ScopedThrowMixin:
    """For end and intermediate throw events: an error or escalation goes to the innermost
    event subprocess of the subprocesses holding the thrower, before the library's throw."""

    def _run_hook(self, my_task: Any) -> bool:
        definition = getattr(self, "event_definition", None)
        if isinstance(definition, ErrorEventDefinition | EscalationEventDefinition) and \
                my_task.workflow is not my_task.workflow.top_workflow:
            event = BpmnEvent(definition, payload=deepcopy(my_task.data),
                              target=my_task.workflow)
            if catch_in_scopes(my_task.workflow, event):
                # caught: the throw event's own work, without the library's throw
                return super(ThrowingEvent, self)._run_hook(my_task) or True  # type: ignore[misc]
        return super()._run_hook(my_task)  # type: ignore[misc]


class RearmingEventStart(ScopedCatchMixin, StartEvent):
    """The start of a non-interrupting message or escalation event subprocess wired to
    its scope's start: when it fires, a fresh copy waits for the next event."""

    def _run_hook(self, my_task: Any) -> bool:
        result = super()._run_hook(my_task)
        holder = _holder(my_task.workflow)
        if holder is None or holder.parent is None or \
                not holder.parent.has_state(TaskState.COMPLETED):
            return result
        fresh = holder.parent._add_child(holder.task_spec, TaskState.FUTURE)
        fresh.task_spec._update(fresh)
        return result
