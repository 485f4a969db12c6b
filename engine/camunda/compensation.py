"""Compensation: a throw undoes the completed work of its scope by running its handlers.

Followed: BPMN 2.0 (10.5.6 and 10.7) and the Camunda 7 User Guide (BPMN 2.0 > Events >
Cancel and Compensation Events), which define, and ciiflow runs:

* A compensation boundary event on an activity, joined by an association to its
  handler (an activity with `isForCompensation="true"` and no sequence flow). It is
  no trigger while the activity runs: the activity runs as if nothing were attached.
  Each *completion* of the activity is one thing to compensate (a loop or a re-entered
  activity, once per pass; multi-instance, once per completed instance, and only once
  the multi-instance activity as a whole has ended).
* A throw (intermediate throw or end event with `compensateEventDefinition`) compensates
  the completed activities of its own scope (process or embedded subprocess) that have a
  handler, or only `activityRef`; in reverse order of completion; each completion once
  (a second throw does not undo it again). Activities not completed (running, cancelled,
  never reached) are skipped. Camunda 7 starts every handler at the throw, in that order,
  as concurrent executions, and so does ciiflow: automatic handlers (service tasks) run
  one after the other in that order, user-task handlers are all ready at once.
  The throw waits until every handler has ended, then completes: an intermediate event
  goes on, an end event ends its path. `waitForCompletion="false"` runs as true, as in
  Camunda 7, which does not support it either (the lint warns).
* Variables: Camunda 7 takes no snapshot for an activity (only for an embedded
  subprocess): a handler sees the scope's variables as they are when compensation is
  thrown. Each handler starts with them; what the handlers set flows on from the throw
  (changed names only, in the order the handlers were started).

Completion order is SpiffWorkflow's own completion timestamp of each task (kept in the
serialized state), deeper tasks after their ancestors on a tie; Camunda 7 likewise orders
by a timestamp. A throw in a parent scope compensates a completed embedded subprocess
through the subprocess's own handler, or else reaches inside it, or runs its
compensation event subprocess (`engine.camunda.compensation_reach`).

SpiffWorkflow 3.2 has none of this; it is built here by subclassing: the process parser
leaves compensation boundary events off the activity (no boundary split), the throw
event's parser records which handler undoes which activity of its scope and parses the
handlers (which no flow reaches), and the throw's spec adds the handler tasks to the task
tree as triggered children of the throw, waiting in WAITING until they have ended. All of
it is in the spec (its event definition) or in task `internal_data`, so it survives the
serialized state between steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.util.task import TaskState

from .compensation_reach import (
    COMPENSATE,
    DONE,
    all_handlers,
    handler_pairs,
    is_compensation,
    is_compensation_esp,
    reach,
    throw_scope,
    to_compensate,
)
from .event_mappings import EndEventParser
from .host import Host
from .links import LinkThrowEventParser
from .throws import CamundaEndEvent, CamundaThrowEvent

THROWN = "compensation_thrown"
COMPLETED = "compensation_completed"
_STATE = "compensation"  # the throw task's internal data: the handler tasks it started
_LOCALS = "compensation_locals"  # ... and, per handler task, the snapshot it was given
COMPENSATING = "compensating"  # a compensation event subprocess: the completion it undoes


# -- the spec side -----------------------------------------------------------
class CompensateEventDefinition(NoneEventDefinition):
    """What a compensation throw undoes: `handlers` maps each activity of the throw's
    scope that has a handler to it; `nested`, what it undoes inside the scope's completed
    subprocesses (`compensation_reach.reach`); `activity_ref` narrows it to one activity."""

    def __init__(self, handlers: dict[str, str] | None = None, activity_ref: str | None = None,
                 wait_for_completion: bool = True,
                 nested: dict[str, dict[str, Any]] | None = None, in_parent: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handlers = dict(handlers or {})
        self.nested = dict(nested or {})
        self.in_parent = in_parent  # thrown in a compensation event subprocess
        self.activity_ref = activity_ref
        self.wait_for_completion = wait_for_completion


class CompensateEventDefinitionConverter(EventDefinitionConverter):
    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct = super().to_dict(event_definition)
        dct["handlers"] = dict(event_definition.handlers)
        dct["nested"] = dict(event_definition.nested)
        dct["in_parent"] = event_definition.in_parent
        dct["activity_ref"] = event_definition.activity_ref
        dct["wait_for_completion"] = event_definition.wait_for_completion
        return dct


def _scope_workflow(my_task: Any, definition: CompensateEventDefinition) -> Any:
    """Where a throw finds what to undo: its own workflow, or for a throw in a compensation
    event subprocess, the completed subprocess that event subprocess compensates."""
    if not definition.in_parent:
        return my_task.workflow
    top = my_task.workflow.top_workflow
    holder = top.get_task_from_id(my_task.workflow.parent_task_id)
    target = holder.internal_data.get(COMPENSATING) if holder is not None else None
    found = top.subprocesses.get(UUID(target)) if target else None
    return found if found is not None else my_task.workflow


def _record(my_task: Any, kind: str, detail: dict[str, Any]) -> None:
    host = my_task.workflow.script_engine
    if isinstance(host, Host):
        host.record(my_task, kind, detail)


class CompensationThrowMixin:
    """A throw that starts its scope's handlers when reached and waits until they ended."""

    event_definition: CompensateEventDefinition

    def _update_hook(self, my_task: Any) -> bool:
        started = my_task.internal_data.get(_STATE)
        if started is None:
            if not super()._update_hook(my_task):  # type: ignore[misc]
                return False
            started = my_task.internal_data[_STATE] = self._start(my_task)
        children = [my_task.workflow.get_task_from_id(UUID(i)) for i in started]
        if not all(c.has_state(TaskState.FINISHED_MASK) for c in children):
            my_task._set_state(TaskState.WAITING)
            return False
        self._collect(my_task, children)
        return True

    def _start(self, my_task: Any) -> list[str]:
        definition = self.event_definition
        undo = to_compensate(_scope_workflow(my_task, definition), definition.handlers,
                             definition.nested, definition.activity_ref)
        _record(my_task, THROWN, {"activities": [u.activity for u in undo]})
        if not undo:
            return []
        my_task._set_state(TaskState.WAITING)
        # a copy, not the dict: handlers' data shares nested values with the throw's
        my_task.internal_data["compensation_base"] = deepcopy(my_task.data)
        specs = my_task.workflow.spec.task_specs
        started, snapshots = [], {}
        for u in undo:
            u.unit.internal_data[DONE] = True
            child = my_task._add_child(specs[u.handler], TaskState.FUTURE)
            child.triggered = True
            if u.compensating:
                child.internal_data[COMPENSATING] = u.compensating
            started.append(str(child.id))
            if u.snapshot:
                snapshots[str(child.id)] = u.snapshot
        my_task.internal_data[_LOCALS] = snapshots
        for i in started:  # all added before any runs: the tree keeps the order
            child = my_task.workflow.get_task_from_id(UUID(i))
            self._begin(my_task, child, snapshots.get(i))
        return started

    @staticmethod
    def _begin(my_task: Any, child: Any, snapshot: dict[str, Any] | None) -> None:
        """A handler takes its data from the throw; one inside a completed subprocess
        sees that subprocess's snapshot over it (its locals hide outer names)."""
        if not snapshot:
            child.task_spec._update(child)
            return
        data = my_task.data
        my_task.data = {**deepcopy(data), **deepcopy(snapshot)}
        try:
            child.task_spec._update(child)
        finally:
            my_task.data = data

    def _collect(self, my_task: Any, children: list[Any]) -> None:
        """The handlers' changes flow on from the throw, in the order they were started;
        a snapshot variable stays with its snapshot."""
        base = my_task.internal_data.pop("compensation_base", None)
        held = my_task.internal_data.pop(_LOCALS, {})
        if base is None:
            return
        for child in children:
            if child.state != TaskState.COMPLETED:
                continue
            local = set(held.get(str(child.id), ()))
            for key, value in child.data.items():
                if key not in local and (key not in base or base[key] != value):
                    my_task.data[key] = value
        _record(my_task, COMPLETED, {"handlers": [c.task_spec.bpmn_id for c in children]})


@contextmanager
def waits_kept(workflow: Any) -> Iterator[None]:
    """Around SpiffWorkflow's migration of `workflow`: a throw waiting for its handlers is
    not reset and re-entered (it would find its activities undone already and go on
    without its handlers, which the reset cancels); it keeps waiting with what it started.
    The handlers themselves are reset as any waiting task is, then given their snapshot."""
    held = [t for t in workflow.tasks.values() if t.state == TaskState.WAITING
            and isinstance(t.task_spec, CompensationThrowMixin) and _STATE in t.internal_data]
    for task in held:
        task._state = TaskState.STARTED  # out of the reset mask (READY | WAITING)
    try:
        yield
    finally:
        for task in held:
            task._state = TaskState.WAITING
    for task in held:
        if not isinstance(task.task_spec, CompensationThrowMixin):
            raise ValueError(f"compensation throw {task.task_spec.bpmn_id!r} waits for its "
                             "handlers and is no compensation throw in the new version")
        for i, snapshot in task.internal_data.get(_LOCALS, {}).items():
            child = workflow.get_task_from_id(UUID(i))
            if child is not None and child.state == TaskState.READY:
                child.data.update(deepcopy(snapshot))


class CompensationThrowEvent(CompensationThrowMixin, CamundaThrowEvent):
    """An intermediate compensation throw: goes on once its handlers have ended."""


class CompensationEndEvent(CompensationThrowMixin, CamundaEndEvent):
    """A compensation end event: its path ends once its handlers have ended."""


# -- the parser side ---------------------------------------------------------
class CompensationBoundaryMixin:
    """For the process parser: a compensation boundary event is no trigger on its
    activity; it is left off, so the activity is parsed without a boundary split (its
    handler is reached from the throws)."""

    def get_boundary_events(self, attached_to_ref: str) -> list[Any]:
        return [event for event in super().get_boundary_events(attached_to_ref)  # type: ignore[misc]
                if not is_compensation(event)]

    def xpath(self, xpath: str) -> list[Any]:
        """SpiffWorkflow wires each event subprocess of a scope to the scope's start (it
        asks for them with this query); a compensation event subprocess is no trigger
        there: it is started by the throw that compensates the completed scope."""
        found = super().xpath(xpath)  # type: ignore[misc]
        if xpath == "./bpmn:subProcess[@triggeredByEvent='true']":
            found = [node for node in found if not is_compensation_esp(node)]
        return found


class CompensationThrowParserMixin:
    """Throw and end events: a compensation throw knows its scope's handlers, parsed here."""

    node: Any
    spec_class: type
    process_parser: Any
    compensation_class: type = CompensationThrowEvent

    def create_task(self) -> Any:
        definition = self.node.find(COMPENSATE)
        if definition is None:
            return super().create_task()  # type: ignore[misc]
        self.spec_class = self.compensation_class
        wait = (definition.get("waitForCompletion") or "true").strip().lower() != "false"
        scope, in_parent = throw_scope(self.node)
        event = CompensateEventDefinition(
            handlers=handler_pairs(scope), nested=reach(scope), in_parent=in_parent,
            activity_ref=definition.get("activityRef") or None, wait_for_completion=wait,
            description="Compensation")
        task = self._create_task(event)  # type: ignore[attr-defined]
        if self.compensation_class is CompensationEndEvent:
            task.connect(self.process_parser.spec.end)
        return task

    def parse_node(self) -> Any:
        spec = super().parse_node()  # type: ignore[misc]
        definition = getattr(spec, "event_definition", None)
        if not isinstance(definition, CompensateEventDefinition):
            return spec
        for handler_id in all_handlers(definition.handlers, definition.nested):
            node = self.process_parser.get_node_by_id(handler_id)
            if node is None and definition.in_parent:  # beside the event subprocess
                node = next(self.node.getroottree().getroot().iterfind(
                    f".//*[@id='{handler_id}']"), None)
            if node is None:
                raise ValidationException(
                    f"compensation handler {handler_id!r} is not in this scope",
                    node=self.node, file_name=self.process_parser.filename)
            handler = self.process_parser.parse_node(node)
            if spec.name not in handler._inputs:
                handler._inputs.append(spec.name)  # started by this throw, not by a flow
        return spec


def with_compensation_start(parser_and_spec: tuple[type, type]) -> tuple[type, type]:
    """The (parser, spec class) pair of `bpmn:startEvent`, its parser giving the start event
    of a compensation event subprocess a plain start: the throw that compensates the
    completed subprocess starts the event subprocess (it is no interrupting trigger in its
    scope, which has ended already)."""
    parser, spec = parser_and_spec

    def create_task(self: Any) -> Any:
        if not (is_compensation(self.node) and is_compensation_esp(self.node.getparent())):
            return parser.create_task(self)
        self.spec_class = StartEvent
        task = self._create_task(NoneEventDefinition())
        self.spec.start.connect(task)
        return task

    return type(f"Compensation{parser.__name__}", (parser,), {"create_task": create_task}), spec


class CompensationThrowEventParser(CompensationThrowParserMixin, LinkThrowEventParser):
    pass


class CompensationEndEventParser(CompensationThrowParserMixin, EndEventParser):
    compensation_class = CompensationEndEvent


CONVERTERS: dict[type, type] = {
    CompensateEventDefinition: CompensateEventDefinitionConverter,
    CompensationThrowEvent: EventConverter,
    CompensationEndEvent: EventConverter,
}
"""Registered by `engine.camunda.serializer.serializer()`."""
