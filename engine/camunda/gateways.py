"""Exclusive and inclusive gateways that tell the history which branch they took.

An appeal against a decision asks "why did the case go this way": the answer is
the branch a gateway took, named by its sequence flow as drawn. SpiffWorkflow
keeps no sequence flows on its specs (a gateway knows only the task specs after
it), so the parser keeps each outgoing flow's id by target
(`extensions["flows"]`, serialized with the spec as every extension is), and
the gateway, once it has chosen, hands the flows it took to the workflow's
`Host` (`gateway_taken` row: `flow_id`, or `flow_ids` for an inclusive
gateway). This costs one dict lookup when a gateway runs and nothing on any
other task; names are looked up from the spec when the history is read.

A definition deployed before these classes existed restores as SpiffWorkflow's
own gateways and records no branch.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    ConditionalGatewayConverter,
    ExclusiveGatewayConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway, InclusiveGateway

from .host import GATEWAY_TAKEN, Host

FLOWS = "flows"


class GatewayParser(ConditionalGatewayParser):
    """Keeps each outgoing sequence flow's id and name, by the task spec it leads to."""

    def connect_outgoing(self, outgoing_task: Any, sequence_flow_node: Any,
                         is_default: bool) -> None:
        super().connect_outgoing(outgoing_task, sequence_flow_node, is_default)
        flows = self.task.extensions.setdefault(FLOWS, {})
        flows[outgoing_task.name] = {"id": sequence_flow_node.get("id"),
                                     "name": sequence_flow_node.get("name")}


def _taken(my_task: Any) -> list[str]:
    flows = getattr(my_task.task_spec, "extensions", {}).get(FLOWS) or {}
    return [flows[child.task_spec.name]["id"] for child in my_task.children
            if child.task_spec.name in flows]


def _host(my_task: Any) -> Host | None:
    host = my_task.workflow.script_engine
    return host if isinstance(host, Host) else None


class RecordingExclusiveGateway(ExclusiveGateway):
    """An exclusive gateway; the flow it took goes into the history."""

    def _run_hook(self, my_task: Any) -> bool:
        result = super()._run_hook(my_task)
        host = _host(my_task)
        if host is not None and len(my_task.task_spec.outputs) > 1:
            taken = _taken(my_task)
            if taken:
                host.record(my_task, GATEWAY_TAKEN, {"flow_id": taken[0]})
        return result


class RecordingInclusiveGateway(InclusiveGateway):
    """An inclusive gateway; the flows it took go into the history."""

    def _run_hook(self, my_task: Any) -> bool:
        result = super()._run_hook(my_task)
        host = _host(my_task)
        if host is not None and len(my_task.task_spec.outputs) > 1:
            taken = _taken(my_task)
            if taken:
                host.record(my_task, GATEWAY_TAKEN, {"flow_ids": taken})
        return result


def flow_names(spec: Any) -> dict[str, str | None]:
    """Sequence flow id -> drawn name, for the gateways of one process spec."""
    names: dict[str, str | None] = {}
    for task_spec in spec.task_specs.values():
        for flow in (getattr(task_spec, "extensions", None) or {}).get(FLOWS, {}).values():
            names[flow["id"]] = flow["name"]
    return names


CONVERTERS: dict[type, type] = {
    RecordingExclusiveGateway: ExclusiveGatewayConverter,
    RecordingInclusiveGateway: ConditionalGatewayConverter,
}
