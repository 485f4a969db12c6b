"""Transaction boundaries on gateways (`<bpmn:exclusiveGateway camunda:asyncBefore="true">`).

Camunda 7 puts a job before a gateway (asyncBefore) or after it (asyncAfter) as
before or after any activity: with asyncBefore the step that reaches the gateway
commits there and the job evaluates the conditions, so a condition that fails
leaves the completion before it committed and opens an incident at the gateway
once the job's tries are spent; with asyncAfter the conditions are evaluated in
the step that reaches the gateway and the job takes the chosen flows.

SpiffWorkflow makes one task per token that reaches an exclusive gateway, so a
merging exclusive gateway gets a job per arriving token, as in Camunda. A
parallel or inclusive gateway that *joins* is one task that waits for the other
branches (`UnstructuredJoin`), which a held token would be counted by: those are
refused by name (`boundary_finding`), forks and single-flow ones run.

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

from .async_boundaries import AsyncBoundaryMixin, holding_class, parse_boundaries
from .gateways import GatewayParser, RecordingExclusiveGateway, RecordingInclusiveGateway
from .namespaces import CAMUNDA


class AsyncExclusiveGateway(AsyncBoundaryMixin, RecordingExclusiveGateway):
    """An exclusive gateway with asyncBefore or asyncAfter: a job per arriving token."""


class AsyncInclusiveGateway(AsyncBoundaryMixin, RecordingInclusiveGateway):
    """An inclusive gateway that does not join, with asyncBefore or asyncAfter."""


class AsyncParallelGateway(AsyncBoundaryMixin, ParallelGateway):
    """A parallel gateway that does not join (a fork), with asyncBefore or asyncAfter."""


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
