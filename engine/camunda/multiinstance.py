"""Camunda 7 multi-instance, run without touching the shared spec.

SpiffWorkflow's Camunda flavour decides at run time whether `loopCardinality`
is a number or a collection and *rewrites the task spec* to match
(`update_task_spec` sets `cardinality = None`, swaps data references). Specs
are deserialized once per definition and shared by every instance, so the
second instance of a definition ran on a spec the first had changed and failed.
These classes keep everything decided at parse time on the spec
and everything decided at run time in the task's `internal_data`.

Semantics implemented (Camunda 7's):

* `loopCardinality` (number or `${…}`) gives the number of instances;
  `camunda:collection` (a variable name or `${…}`) gives one instance per
  element, the element in `camunda:elementVariable`.
* Each instance gets `loopCounter` (0-based) and its element variable as
  *local* variables: they never reach the process scope, and an outer variable
  with the same name is hidden while the loop runs and restored after it.
* `completionCondition` is evaluated after each instance completes, with the
  instance's variables plus `nrOfInstances`, `nrOfCompletedInstances`,
  `nrOfActiveInstances` and `loopCounter`; when true, the instances still
  running are cancelled (their task rows become `cancelled`).
* Variables an instance writes propagate to the process scope when the instance
  completes (last write wins), except its local variables. An instance that
  leaves a variable unchanged does not overwrite what a sibling wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.defaults import (
    ParallelMultiInstanceTask as BpmnParallelMI,
)
from SpiffWorkflow.bpmn.specs.defaults import (
    SequentialMultiInstanceTask as BpmnSequentialMI,
)
from SpiffWorkflow.util.task import TaskState

from engine.expressions import ExpressionError, evaluate_condition, evaluate_text

from .async_boundaries import AsyncBoundaryMixin, awaits_job
from .async_wrapped import move_to_loop

LOOP_COUNTER = "loopCounter"
_HIDDEN = "mi_hidden"  # outer values of the local names, restored at the end
_BASE = "mi_base"  # parallel: the data every instance started from
_ITEMS = "mi_items"  # sequential: the elements still to run


class CamundaMultiInstanceMixin:
    """Shared by the parallel and sequential classes; `extensions["camunda"]` holds
    `collection` and `elementVariable`, `cardinality`/`condition` are the spec's own."""

    task_spec: str
    cardinality: str | None
    condition: str | None
    extensions: dict[str, Any]

    # -- what the spec says --------------------------------------------------
    @property
    def camunda(self) -> dict[str, Any]:
        return (self.extensions or {}).get("camunda", {})

    @property
    def element_variable(self) -> str | None:
        return self.camunda.get("elementVariable")

    def local_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.element_variable, LOOP_COUNTER) if n)

    # -- starting ------------------------------------------------------------
    def elements(self, my_task: Any) -> list[Any]:
        """The elements to run, from the collection or the cardinality."""
        collection = self.camunda.get("collection")
        try:
            if collection:
                if "${" in collection or "#{" in collection:
                    value = evaluate_text(collection, my_task.data)
                elif collection in my_task.data:
                    value = my_task.data[collection]
                else:
                    raise WorkflowTaskException(
                        f"multi-instance collection variable {collection!r} is not defined",
                        task=my_task)
                if isinstance(value, Mapping) or not isinstance(value, (list, tuple)):
                    raise WorkflowTaskException(
                        f"multi-instance collection {collection!r} must be a list, "
                        f"got {type(value).__name__}", task=my_task)
                return list(value)
            count = my_task.workflow.script_engine.evaluate(my_task, self.cardinality)
        except ExpressionError as error:
            raise WorkflowTaskException(str(error), task=my_task, exception=error) from error
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise WorkflowTaskException(
                f"loopCardinality {self.cardinality!r} must give a whole number >= 0, "
                f"got {count!r}", task=my_task)
        return list(range(count))

    def hide_locals(self, my_task: Any) -> None:
        hidden = {n: my_task.data.pop(n) for n in self.local_names() if n in my_task.data}
        my_task.internal_data[_HIDDEN] = hidden

    def create_instance(self, my_task: Any, index: int, element: Any) -> None:
        spec = my_task.workflow.spec.task_specs[self.task_spec]
        if not spec.completed_event.is_connected(self.merge_child):
            spec.completed_event.connect(self.merge_child)
        child = my_task._add_child(spec, TaskState.WAITING)
        child.triggered = True
        child.internal_data["key_or_index"] = index
        child.data = deepcopy(my_task.data)
        child.data[LOOP_COUNTER] = index
        if self.element_variable:
            child.data[self.element_variable] = deepcopy(element)
        spec._update(child)

    # -- ending --------------------------------------------------------------
    def instances(self, my_task: Any) -> list[Any]:
        return [c for c in my_task.children if c.task_spec.name == self.task_spec]

    def propagate(self, my_task: Any, child: Any, base: Mapping[str, Any]) -> None:
        """Copy what the instance wrote to the loop's data, its local names excepted."""
        local = self.local_names()
        for key, value in child.data.items():
            if key in local:
                continue
            if key in base and base[key] == value:
                continue
            my_task.data[key] = deepcopy(value)
        my_task.internal_data["merged"].append(str(child.id))

    def condition_met(self, my_task: Any, child: Any) -> bool:
        if not self.condition:
            return False
        children = self.instances(my_task)
        done = len(my_task.internal_data["merged"])
        total = my_task.internal_data.get("mi_total", len(children))
        context = {**child.data, "nrOfInstances": total, "nrOfCompletedInstances": done,
                   "nrOfActiveInstances": sum(
                       1 for c in children if not c.has_state(TaskState.FINISHED_MASK))}
        try:
            return bool(evaluate_condition(self.condition, context))
        except ExpressionError as error:
            raise WorkflowTaskException(
                f"completionCondition {self.condition!r}: {error}", task=child,
                exception=error) from error

    def _on_cancel(self, my_task: Any) -> None:
        """`Task.cancel` drops the instances from the tree without cancelling them, so the
        subprocess of an instance (a sequential one started while the loop was being
        cancelled by a caught error) would keep running without a parent task. Cancel and
        forget every such orphan."""
        super()._on_cancel(my_task)  # type: ignore[misc]
        top = my_task.workflow.top_workflow
        while True:
            known = set(top.tasks)
            for sub in top.subprocesses.values():
                known.update(sub.tasks)
            orphans = [task_id for task_id in top.subprocesses if task_id not in known]
            if not orphans:
                return
            for task_id in orphans:
                top.subprocesses.pop(task_id).cancel()

    def finish(self, my_task: Any) -> None:
        for name, value in my_task.internal_data.pop(_HIDDEN, {}).items():
            my_task.data.setdefault(name, value)
        my_task.internal_data.pop(_BASE, None)
        my_task.internal_data.pop(_ITEMS, None)
        my_task._set_state(TaskState.READY)


class _ParallelLoop(CamundaMultiInstanceMixin, BpmnParallelMI):
    def _update_hook(self, my_task: Any) -> bool | None:
        BpmnTaskSpec._update_hook(self, my_task)
        my_task.internal_data["merged"] = []
        elements = self.elements(my_task)
        self.hide_locals(my_task)
        my_task.internal_data[_BASE] = deepcopy(my_task.data)
        my_task.internal_data["mi_total"] = len(elements)
        if not elements:
            self.finish(my_task)
            return True
        my_task._set_state(TaskState.STARTED)
        for index, element in enumerate(elements):
            self.create_instance(my_task, index, element)
        return None

    def merge_child(self, workflow: Any, child: Any) -> None:
        if awaits_job(child):  # asyncAfter per instance: merged when its job runs
            return
        my_task = child.parent
        self.propagate(my_task, child, my_task.internal_data.get(_BASE, {}))
        if self.condition_met(my_task, child):
            for other in self.instances(my_task):
                if not other.has_state(TaskState.FINISHED_MASK):
                    other.cancel()
            self.finish(my_task)
        elif all(str(c.id) in my_task.internal_data["merged"] for c in self.instances(my_task)):
            self.finish(my_task)


class _SequentialLoop(CamundaMultiInstanceMixin, BpmnSequentialMI):
    def _update_hook(self, my_task: Any) -> bool | None:
        BpmnTaskSpec._update_hook(self, my_task)
        my_task.internal_data["merged"] = []
        elements = self.elements(my_task)
        self.hide_locals(my_task)
        my_task.internal_data["mi_total"] = len(elements)
        my_task.internal_data[_ITEMS] = elements
        if not elements:
            self.finish(my_task)
            return True
        my_task._set_state(TaskState.STARTED)
        self.next_instance(my_task)
        return None

    def next_instance(self, my_task: Any) -> None:
        items = my_task.internal_data[_ITEMS]
        index = len(my_task.internal_data["merged"])
        self.create_instance(my_task, index, items[index])

    def merge_child(self, workflow: Any, child: Any) -> None:
        if awaits_job(child):  # asyncAfter per instance: merged when its job runs
            return
        my_task = child.parent
        # one instance at a time: it started from the loop's data as it is now
        self.propagate(my_task, child, my_task.data)
        done = len(my_task.internal_data["merged"])
        if self.condition_met(my_task, child) or done >= my_task.internal_data["mi_total"]:
            self.finish(my_task)
        else:
            self.next_instance(my_task)


class ParallelMultiInstance(AsyncBoundaryMixin, _ParallelLoop):
    """The loop, held before or after its whole body (`engine.camunda.async_wrapped`)."""


class SequentialMultiInstance(AsyncBoundaryMixin, _SequentialLoop):
    """The loop, held before or after its whole body (`engine.camunda.async_wrapped`)."""


def add_multiinstance(parser: Any, loop: Any) -> None:
    """Parser side: replace `parser.task` by the loop around it (mirrors SpiffWorkflow's
    `_add_multiinstance_task`, with the run-time decisions moved out of the spec)."""
    prefix = "./bpmn:multiInstanceLoopCharacteristics"
    cardinality = parser.xpath(f"{prefix}/bpmn:loopCardinality")
    cardinality = (cardinality[0].text or "").strip() if cardinality else None
    collection = parser.attribute("collection", "camunda", loop)
    element = parser.attribute("elementVariable", "camunda", loop)
    condition = parser.xpath(f"{prefix}/bpmn:completionCondition")
    condition = (condition[0].text or "").strip() or None if condition else None
    if not cardinality and not collection:
        parser.raise_validation_exception(
            "a multi-instance activity needs a loopCardinality or a camunda:collection")
    if cardinality and collection:
        parser.raise_validation_exception(
            "give either loopCardinality or camunda:collection, not both")
    original = parser.spec.task_specs.pop(parser.task.name)
    cls = SequentialMultiInstance if loop.get("isSequential") == "true" else ParallelMultiInstance
    parser.task = cls(parser.spec, original.name, task_spec="", cardinality=cardinality or None,
                      condition=condition, lane=original.lane, bpmn_name=original.bpmn_name,
                      description="Multi-instance")
    parser._copy_task_attrs(original, loop)
    parser.task.extensions = {"camunda": {"collection": collection, "elementVariable": element}}
    move_to_loop(parser.task, original, loop)  # asyncBefore/After: engine.camunda.async_wrapped
