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
by a timestamp. A throw in a parent scope compensates an embedded subprocess only as a
whole, through the subprocess's own handler; compensation that would have to reach into
a completed subprocess (Camunda 7 propagates it) is refused by the lint
(`engine.lint.compensation`), as are compensation event subprocesses.

SpiffWorkflow 3.2 has none of this; it is built here by subclassing: the process parser
leaves compensation boundary events off the activity (no boundary split), the throw
event's parser records which handler undoes which activity of its scope and parses the
handlers (which no flow reaches), and the throw's spec adds the handler tasks to the task
tree as triggered children of the throw, waiting in WAITING until they have ended. All of
it is in the spec (its event definition) or in task `internal_data`, so it survives the
serialized state between steps.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.util.task import TaskState

from .event_mappings import EndEventParser
from .host import Host
from .links import LinkThrowEventParser
from .namespaces import BPMN, tag
from .throws import CamundaEndEvent, CamundaThrowEvent

COMPENSATE = tag(BPMN, "compensateEventDefinition")
BOUNDARY = tag(BPMN, "boundaryEvent")
ASSOCIATION = tag(BPMN, "association")
THROWN = "compensation_thrown"
COMPLETED = "compensation_completed"
_STATE = "compensation"  # the throw task's internal data: the handler tasks it started
_DONE = "compensated"  # a completed task's internal data: undone, not again


# -- reading the XML ---------------------------------------------------------
def is_compensation(event: etree._Element) -> bool:
    return event.find(COMPENSATE) is not None


def handler_pairs(scope: etree._Element) -> dict[str, str]:
    """Activity id -> handler id, for the compensation boundary events directly in `scope`.

    The association may point either way (Camunda's parser accepts both); a boundary
    event without one is left out here and refused by the lint.
    """
    targets: dict[str, str] = {}
    for association in scope.iter(ASSOCIATION):
        source, target = association.get("sourceRef"), association.get("targetRef")
        if source and target:
            targets.setdefault(source, target)
            targets.setdefault(target, source)
    pairs = {}
    for event in scope.iterchildren(BOUNDARY):
        activity, handler = event.get("attachedToRef"), targets.get(event.get("id") or "")
        if is_compensation(event) and activity and handler:
            pairs[activity] = handler
    return pairs


# -- the spec side -----------------------------------------------------------
class CompensateEventDefinition(NoneEventDefinition):
    """What a compensation throw undoes: `handlers` maps each activity of the throw's
    scope that has a handler to it; `activity_ref` narrows the throw to one activity."""

    def __init__(self, handlers: dict[str, str] | None = None, activity_ref: str | None = None,
                 wait_for_completion: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handlers = dict(handlers or {})
        self.activity_ref = activity_ref
        self.wait_for_completion = wait_for_completion


class CompensateEventDefinitionConverter(EventDefinitionConverter):
    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct = super().to_dict(event_definition)
        dct["handlers"] = dict(event_definition.handlers)
        dct["activity_ref"] = event_definition.activity_ref
        dct["wait_for_completion"] = event_definition.wait_for_completion
        return dct


def _units(task: Any) -> list[Any]:
    """The completions `task` stands for: itself, or a multi-instance's completed instances."""
    child_spec = getattr(task.task_spec, "task_spec", None)
    if isinstance(child_spec, str) and child_spec:
        return [c for c in task.children
                if c.task_spec.name == child_spec and c.state == TaskState.COMPLETED]
    return [task]


def to_compensate(my_task: Any, definition: CompensateEventDefinition) -> list[tuple[Any, str]]:
    """(completed task, its activity) still to undo in the throw's scope, latest first."""
    wanted = definition.handlers
    if definition.activity_ref is not None:
        wanted = {k: v for k, v in wanted.items() if k == definition.activity_ref}
    found = []
    for task in my_task.workflow.tasks.values():
        name = task.task_spec.name
        if name in wanted and task.state == TaskState.COMPLETED:
            found += [(unit, name) for unit in _units(task)
                      if not unit.internal_data.get(_DONE)]
    found.sort(key=lambda pair: (pair[0].last_state_change, pair[0].depth), reverse=True)
    return found


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
        undo = to_compensate(my_task, self.event_definition)
        _record(my_task, THROWN, {"activities": [name for _, name in undo]})
        if not undo:
            return []
        my_task._set_state(TaskState.WAITING)
        # a copy, not the dict: handlers' data shares nested values with the throw's
        my_task.internal_data["compensation_base"] = deepcopy(my_task.data)
        specs = my_task.workflow.spec.task_specs
        started = []
        for unit, name in undo:
            unit.internal_data[_DONE] = True
            child = my_task._add_child(specs[self.event_definition.handlers[name]],
                                       TaskState.FUTURE)
            child.triggered = True
            started.append(str(child.id))
        for i in started:  # all added before any runs: the tree keeps the order
            child = my_task.workflow.get_task_from_id(UUID(i))
            child.task_spec._update(child)
        return started

    def _collect(self, my_task: Any, children: list[Any]) -> None:
        """The handlers' changes flow on from the throw, in the order they were started."""
        base = my_task.internal_data.pop("compensation_base", None)
        if base is None:
            return
        for child in children:
            if child.state != TaskState.COMPLETED:
                continue
            for key, value in child.data.items():
                if key not in base or base[key] != value:
                    my_task.data[key] = value
        _record(my_task, COMPLETED, {"handlers": [c.task_spec.bpmn_id for c in children]})


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
        event = CompensateEventDefinition(
            handlers=handler_pairs(self.node.getparent()),
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
        for handler_id in definition.handlers.values():
            node = self.process_parser.get_node_by_id(handler_id)
            if node is None:
                raise ValidationException(
                    f"compensation handler {handler_id!r} is not in this scope",
                    node=self.node, file_name=self.process_parser.filename)
            handler = self.process_parser.parse_node(node)
            if spec.name not in handler._inputs:
                handler._inputs.append(spec.name)  # started by this throw, not by a flow
        return spec


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
