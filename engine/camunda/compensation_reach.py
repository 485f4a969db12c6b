"""Which completions a compensation throw undoes, down into completed embedded subprocesses.

Followed: the Camunda 7 User Guide (BPMN 2.0 > Events > Cancel and Compensation Events,
"Intermediate Throwing Compensation Event"):

* Compensation is triggered hierarchically: when an activity to compensate is an embedded
  subprocess without a compensation handler of its own, compensation is thrown inside it,
  for its own activities, recursively. It never goes up: a throw inside a subprocess stays
  there.
* A subprocess is reached only if it has *completed* when compensation is thrown; its
  inner activities are then compensated in reverse order of completion, each completion
  once, at the place of the subprocess's own completion among its siblings (Camunda 7
  keeps one subscription for the completed subprocess and starts its inner ones when it
  is triggered, so they come together, not interleaved with a parallel branch).
* Variables: the handlers of such inner activities see "the local process variables of
  the subprocess in the state they were in when the subprocess completed" (a snapshot),
  and the variables of the scopes above as they are at the throw. In ciiflow an embedded
  subprocess's local variables are its `camunda:inputParameter`s (everything else is
  shared with the process, as SpiffWorkflow and Camunda both share it); the snapshot is
  their value in the subprocess's final data, kept by SpiffWorkflow with the completed
  subprocess. A handler changing a snapshot variable changes the snapshot only: the name
  does not flow on from the throw (in Camunda 7 it is local to the compensating scope).
* A subprocess with a compensation boundary event of its own is compensated by that
  handler only (Camunda 7 triggers the subscription's handler, not the inner ones).
* Compensation event subprocess (Camunda 7, "Compensation Start Event"): an event
  subprocess in an embedded subprocess, started by a compensation start event, is the
  subprocess's compensation handler: when the completed subprocess is compensated, it
  runs *instead of* the inner activities' handlers, once per completion, with the same
  snapshot; a compensation throw inside it compensates the activities of the subprocess
  holding it (all of them latest first, or its `activityRef`), from that completion.
* Call activities are not entered (Camunda 7 does not propagate into called processes).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.util.task import TaskState

from .namespaces import BPMN, CAMUNDA, tag

COMPENSATE = tag(BPMN, "compensateEventDefinition")
BOUNDARY = tag(BPMN, "boundaryEvent")
ASSOCIATION = tag(BPMN, "association")
SUBPROCESS = tag(BPMN, "subProcess")
START = tag(BPMN, "startEvent")
_INPUT = tag(CAMUNDA, "inputParameter")
DONE = "compensated"  # a completed task's internal data: undone, not again


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


def is_compensation_esp(node: etree._Element | None) -> bool:
    """Whether `node` is a compensation event subprocess (a compensation start event)."""
    return (node is not None and node.tag == SUBPROCESS
            and (node.get("triggeredByEvent") or "").lower() == "true"
            and any(s.tag == START and is_compensation(s) for s in node.iterchildren()))


def compensation_esp(sub: etree._Element) -> etree._Element | None:
    return next((c for c in sub.iterchildren(SUBPROCESS) if is_compensation_esp(c)), None)


def throw_scope(event: etree._Element) -> tuple[etree._Element, bool]:
    """The scope a throw compensates, and whether it is not its own: a throw in a
    compensation event subprocess compensates the subprocess holding it."""
    scope = event.getparent()
    if is_compensation_esp(scope) and scope.getparent() is not None:
        return scope.getparent(), True
    return scope, False


def _local_names(sub: etree._Element) -> list[str]:
    """The subprocess's own variables: its input parameters (`camunda:inputOutput`) and,
    for a multi-instance, its element variable (local to each instance in Camunda 7)."""
    io = sub.find(f"{tag(BPMN, 'extensionElements')}/{tag(CAMUNDA, 'inputOutput')}")
    names = [] if io is None else [p.get("name") or "" for p in io.iterchildren(_INPUT)]
    loop = sub.find(tag(BPMN, "multiInstanceLoopCharacteristics"))
    element = loop.get(tag(CAMUNDA, "elementVariable")) if loop is not None else None
    return [*names, element] if element else names


def reach(scope: etree._Element) -> dict[str, dict[str, Any]]:
    """Subprocess id -> what a throw in `scope` undoes inside it, for each embedded
    subprocess directly in `scope` that has no handler of its own but handlers inside
    (at any depth): {"handlers": …, "nested": …, "locals": […]}; plain JSON, it is kept
    in the throw's spec."""
    own = handler_pairs(scope)
    found: dict[str, dict[str, Any]] = {}
    for sub in scope.iterchildren(SUBPROCESS):
        sid = sub.get("id") or ""
        if not sid or sid in own or (sub.get("triggeredByEvent") or "").lower() == "true":
            continue
        esp = compensation_esp(sub)
        if esp is not None:  # it handles the compensation, not the inner handlers
            found[sid] = {"handlers": {}, "nested": {}, "locals": _local_names(sub),
                          "esp": esp.get("id") or ""}
            continue
        inner, nested = handler_pairs(sub), reach(sub)
        if inner or nested:
            found[sid] = {"handlers": inner, "nested": nested, "locals": _local_names(sub)}
    return found


def all_handlers(handlers: dict[str, str], nested: dict[str, dict[str, Any]]) -> list[str]:
    """Every handler id a throw may start, its scope's and those inside subprocesses."""
    found = list(handlers.values())
    for inner in nested.values():
        found += [inner["esp"]] if inner.get("esp") else []
        found += all_handlers(inner["handlers"], inner["nested"])
    return found


# -- the run-time side ---------------------------------------------------------
@dataclass
class Undo:
    """One completion to undo: the completed task, its activity, the handler that undoes
    it and, inside a completed subprocess, the snapshot of that subprocess's locals; for
    a compensation event subprocess, the id of the subprocess completion it compensates."""

    unit: Any
    activity: str
    handler: str
    snapshot: dict[str, Any] | None = None
    compensating: str | None = None


def _units(task: Any) -> list[Any]:
    """The completions `task` stands for: itself, or a multi-instance's completed instances."""
    child_spec = getattr(task.task_spec, "task_spec", None)
    if isinstance(child_spec, str) and child_spec:
        return [c for c in task.children
                if c.task_spec.name == child_spec and c.state == TaskState.COMPLETED]
    return [task]


def to_compensate(workflow: Any, handlers: dict[str, str], nested: dict[str, dict[str, Any]],
                  activity_ref: str | None = None,
                  snapshot: dict[str, Any] | None = None) -> list[Undo]:
    """What a throw in `workflow`'s scope undoes, in the order the handlers start."""
    wanted = set(handlers) | set(nested)
    if activity_ref is not None:
        wanted &= {activity_ref}
    found = []
    for task in workflow.tasks.values():
        name = task.task_spec.name
        if name in wanted and task.state == TaskState.COMPLETED:
            found += [(unit, name) for unit in _units(task) if not unit.internal_data.get(DONE)]
    found.sort(key=lambda pair: (pair[0].last_state_change, pair[0].depth), reverse=True)
    undo: list[Undo] = []
    for unit, name in found:
        if name in handlers:
            undo.append(Undo(unit, name, handlers[name], snapshot))
            continue
        sub = workflow.top_workflow.subprocesses.get(unit.id)
        if sub is None:
            continue
        inner = nested[name]
        final = sub.data  # the End task's data, kept by SpiffWorkflow at completion
        local = dict(snapshot or {})
        local.update({n: deepcopy(final[n]) for n in inner["locals"] if n in final})
        if inner.get("esp"):
            undo.append(Undo(unit, name, inner["esp"], local, str(unit.id)))
        else:
            undo += to_compensate(sub, inner["handlers"], inner["nested"], None, local)
    return undo
