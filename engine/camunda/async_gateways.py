"""Transaction boundaries on gateways (`<bpmn:exclusiveGateway camunda:asyncBefore="true">`).

Camunda 7 puts a job before a gateway (asyncBefore) or after it (asyncAfter) as
before or after any activity: with asyncBefore the step that reaches the gateway
commits there and the job evaluates the conditions, so a condition that fails
leaves the completion before it committed and opens an incident at the gateway
once the job's tries are spent; with asyncAfter the conditions are evaluated in
the step that reaches the gateway and the job takes the chosen flows.

SpiffWorkflow makes one task per token that reaches a gateway, so a merging
exclusive gateway gets a job per arriving token, as in Camunda, and so does a
parallel join with asyncBefore: `HeldJoinMixin` counts a token as arrived only when
its job has run, and the last job fires the join. An inclusive gateway that joins
(its reachability check is SpiffWorkflow's own) stays refused by name
(`boundary_finding`); inclusive forks run.

Only a gateway drawn with a boundary gets these classes, so every other gateway,
and every definition deployed before, restores and runs as it did.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    ConditionalGatewayConverter,
    ExclusiveGatewayConverter,
    ParallelGatewayConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.util.task import TaskState

from .async_boundaries import AsyncBoundaryMixin, held, holding_class, parse_boundaries
from .gateways import GatewayParser, RecordingExclusiveGateway, RecordingInclusiveGateway
from .namespaces import CAMUNDA


class AsyncExclusiveGateway(AsyncBoundaryMixin, RecordingExclusiveGateway):
    """An exclusive gateway with asyncBefore or asyncAfter: a job per arriving token."""


class AsyncInclusiveGateway(AsyncBoundaryMixin, RecordingInclusiveGateway):
    """An inclusive gateway that does not join, with asyncBefore or asyncAfter."""


class HeldJoinMixin:
    """A parallel join whose arriving tokens may each wait in a job (asyncBefore).

    Camunda 7 makes one job per token arriving at the join; a token counts as arrived
    when its job runs, and the job of the last one fires the join. SpiffWorkflow's
    join counts a branch as arrived once the task before the gateway completed and
    cancels the gateway's other waiting tasks: here a task still held for its job is
    neither counted nor cancelled.
    """

    name: str
    inputs: list[Any]

    def _update_hook(self, my_task: Any) -> bool:
        may_fire = self._check_threshold_unstructured(my_task)
        arrived = [task for task in my_task.workflow.tasks.values()
                   if task.task_spec == self and task != my_task
                   and task.state is TaskState.WAITING and held(task) is None]
        for task in arrived:
            task.cancel()  # an earlier token, arrived: this one goes on for it
        if not may_fire:
            my_task._set_state(TaskState.WAITING)
        else:
            my_task._inherit_data()
        return may_fire

    def _check_threshold_unstructured(self, my_task: Any) -> bool:
        waiting_inputs = set(self.inputs)

        def remove_ancestor(task: Any) -> None:
            if task.task_spec in waiting_inputs:
                waiting_inputs.remove(task.task_spec)
            elif task.parent is not None:
                remove_ancestor(task.parent)

        for task in my_task.workflow.get_tasks(spec_name=self.name):
            if held(task) is not None:
                continue  # its token arrives when its job runs
            if task.is_descendant_of(my_task):
                remove_ancestor(task)
            elif my_task.is_descendant_of(task):
                continue
            elif (task.parent.state == TaskState.COMPLETED
                  and task.parent.task_spec in waiting_inputs):
                waiting_inputs.remove(task.parent.task_spec)
        return len(waiting_inputs) == 0


class AsyncParallelGateway(AsyncBoundaryMixin, HeldJoinMixin, ParallelGateway):
    """A parallel gateway, fork or join, with asyncBefore or asyncAfter."""


_ASYNC = {RecordingExclusiveGateway: AsyncExclusiveGateway,
          RecordingInclusiveGateway: AsyncInclusiveGateway,
          ParallelGateway: AsyncParallelGateway}


class AsyncGatewayParser(GatewayParser):
    """The gateway parser (flows kept by `GatewayParser`) that keeps the boundaries too
    and gives a gateway that has one its holding class."""

    def create_task(self) -> Any:
        task = super().create_task()
        if parse_boundaries(self.node, CAMUNDA):
            task.__class__ = holding_class(task, self, _ASYNC)
        return task

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions = dict(super().parse_extensions(node))
        boundaries = parse_boundaries(self.node, CAMUNDA)
        if boundaries:
            extensions["camunda"] = boundaries
        return extensions


class ParallelGatewayParser(AsyncGatewayParser):
    """A parallel gateway's outgoing flows carry no conditions (Camunda ignores them)."""

    def connect_outgoing(self, outgoing_task: Any, sequence_flow_node: Any,
                         is_default: bool) -> None:
        self.task.connect(outgoing_task)


CONVERTERS: dict[type, type] = {
    AsyncExclusiveGateway: ExclusiveGatewayConverter,
    AsyncInclusiveGateway: ConditionalGatewayConverter,
    AsyncParallelGateway: ParallelGatewayConverter,
}
"""Registered with the activities' converters (`engine.camunda.activities`)."""
