"""The elements of a deployed definition as people drew them: name, kind, calling activity.

The read models keep BPMN ids (`Gateway_1dec`); a coordinator reads the names the
process owner drew ("Préavis SAS reçu ?"). Each definition version is immutable,
so its map of bpmn id → element is built once from the cached spec and kept as
long as the spec is (a weak key on the spec object).

A call activity runs its process inside the same case (SpiffWorkflow's
subprocess), so a wait inside it is stored with the called element's id; the map
says which call activity of the case's own process leads there. Ids are unique
in a file as the Modeler writes them; if a called process reuses an id of the
calling one, the calling process's element wins.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from engine.camunda.serializer import SpecPair

#: the kinds people read, by SpiffWorkflow spec class (first match in the class's MRO)
_KINDS = (
    ("UserTask", "user task"),
    ("ReceiveTask", "receive task"),
    ("EventBasedGateway", "event-based gateway"),
    ("BoundaryEvent", "boundary event"),
    ("IntermediateCatchEvent", "catch event"),
    ("StartEvent", "start event"),
    ("CallActivity", "call activity"),
    ("BusinessRuleTask", "business rule task"),
    ("ServiceTask", "service task"),
    ("SubWorkflowTask", "subprocess"),
    ("Gateway", "gateway"),
)


@dataclass(frozen=True)
class Element:
    id: str
    name: str | None
    kind: str
    #: the process the element is drawn in
    process: str
    #: the call activity of the case's own process that leads to it (None at top level)
    call_activity: Element | None = None

    @property
    def label(self) -> str:
        """`'Drawn name' (Id)`, or the id alone when nothing was drawn."""
        return f"'{self.name}' ({self.id})" if self.name else self.id


def _kind(spec: Any) -> str:
    names = [c.__name__ for c in type(spec).__mro__]
    if getattr(spec, "external_topic", None):
        return "external task"
    for cls_name, kind in _KINDS:
        if cls_name in names:
            return kind
    return "element"


def _is_call(spec: Any) -> bool:
    return any(c.__name__ == "CallActivity" for c in type(spec).__mro__)


_maps: weakref.WeakKeyDictionary[Any, dict[str, Element]] = weakref.WeakKeyDictionary()


def elements_of(specs: SpecPair) -> dict[str, Element]:
    """Every drawn element of a definition (its process and those it runs), by BPMN id."""
    top, subs = specs
    found = _maps.get(top)
    if found is None:
        found = _build(top, subs)
        _maps[top] = found
    return found


def _build(top: Any, subs: dict[str, Any]) -> dict[str, Element]:
    # which task spec runs each subprocess spec, and in which process
    runner: dict[str, tuple[Any, str]] = {}
    for process_name, spec in [(top.name, top), *subs.items()]:
        for task_spec in spec.task_specs.values():
            called = getattr(task_spec, "spec", None)
            if isinstance(called, str) and called in subs:
                runner.setdefault(called, (task_spec, process_name))
    elements: dict[str, Element] = {}
    top_elements = _elements(top, top.name, None)
    for process_name, spec in subs.items():
        via = _outermost_call(process_name, runner, top.name)
        for element in _elements(spec, process_name, via).values():
            elements.setdefault(element.id, element)
    elements.update(top_elements)  # the case's own process wins a clash of ids
    return elements


def _elements(spec: Any, process: str, via: Element | None) -> dict[str, Element]:
    return {t.bpmn_id: Element(t.bpmn_id, t.bpmn_name, _kind(t), process, via)
            for t in spec.task_specs.values() if getattr(t, "bpmn_id", None)}


def _outermost_call(process: str, runner: dict[str, tuple[Any, str]],
                    top: str) -> Element | None:
    """The call activity of the top process through which `process` runs, if any."""
    found: Element | None = None
    seen = set()
    while process in runner and process not in seen:
        seen.add(process)
        task_spec, parent = runner[process]
        if _is_call(task_spec) and parent == top:
            found = Element(task_spec.bpmn_id, task_spec.bpmn_name, "call activity", parent)
        process = parent
    return found
