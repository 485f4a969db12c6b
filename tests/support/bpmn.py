"""Small Camunda-Modeler-style BPMN documents for tests, with diagram interchange.

Tests need many tiny processes; writing each with full DI by hand would hide
what the test is about. This module only lays nodes out left to right; how a
Modeler file is spelled (namespaces, sizes, shapes, edges, escaping) comes from
the product's writer, ``bpmn/tools/writer.py``, so test documents cannot drift
from the files process owners upload. Each node and flow stays on one line
because tests edit the bytes (``.replace(...)``) to build broken variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpmn.tools import writer
from bpmn.tools.writer import Tag

# The order in which these documents have always declared their namespaces.
PREFIXES = ("bpmn", "bpmndi", "dc", "di", "xsi", "camunda", "modeler")

Box = tuple[int, int, int, int]


@dataclass
class Node:
    id: str
    kind: str
    name: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    inner: str = ""


@dataclass
class Flow:
    source: str
    target: str
    condition: str | None = None
    id: str | None = None


def user_task(id: str, groups: str | None = None, inner: str = "", **attrs: str) -> Node:
    if groups:
        attrs["camunda:candidateGroups"] = groups
    return Node(id, "userTask", id.replace("_", " "), attrs, inner)


def _layout(nodes: list[Node]) -> dict[str, Box]:
    """One row, left to right; boundary events on the bottom edge of their host."""
    positions: dict[str, Box] = {}
    x = 160
    hosts: dict[str, int] = {}
    for node in nodes:
        w, h = writer.size(node.kind)
        if node.kind == "boundaryEvent":
            host = positions[node.attrs["attachedToRef"]]
            offset = hosts.get(node.attrs["attachedToRef"], 0)
            hosts[node.attrs["attachedToRef"]] = offset + 1
            positions[node.id] = (host[0] + 10 + 40 * offset, host[1] + host[3] - 18, w, h)
            continue
        positions[node.id] = (x, 200 - h // 2, w, h)
        x += w + 80
    return positions


def _process(pid: str, name: str | None, nodes: list[Node], flows: list[Flow]) -> Tag:
    proc = Tag("bpmn:process", [("id", pid)]).keep_open()
    if name:
        proc.set("name", name)
    proc.set("camunda:historyTimeToLive", "180")  # retention, as the Modeler's template sets
    proc.set("isExecutable", "true")
    for node in nodes:
        attrs = [("id", node.id), *([("name", node.name)] if node.name else [])]
        tag = Tag(f"bpmn:{node.kind}", [*attrs, *node.attrs.items()], inline=True)
        proc.add(tag.raw(node.inner))  # open/close even without inner XML
    for flow in flows:
        tag = writer.sequence_flow(flow.id or "", flow.source, flow.target,
                                   condition=flow.condition)
        tag.inline = True
        if flow.condition is None:
            tag.text = ""  # open/close pair, as these documents have always been written
        proc.add(tag)
    return proc


def _diagram(pid: str, positions: dict[str, Box], flows: list[Flow]) -> Tag:
    dia, plane = writer.diagram(pid, pid)
    for node_id, box in positions.items():
        plane.add(writer.shape(node_id, box)).inline = True
    for flow in flows:
        sx, sy, sw, sh = positions[flow.source]
        tx, ty, _, th = positions[flow.target]
        line = [(sx + sw, sy + sh // 2), (tx, ty + th // 2)]
        plane.add(writer.edge(flow.id or "", line)).inline = True
    return dia


def document(pid: str, nodes: list[Node], flows: list[Flow], *, extra: str = "",
             name: str | None = None) -> bytes:
    positions = _layout(nodes)
    for i, flow in enumerate(flows):
        flow.id = flow.id or f"Flow_{i + 1}"
    root = writer.bpmn_definitions(f"Definitions_{pid}", PREFIXES)
    root.raw(extra, verbatim=True)
    root.add(_process(pid, name, nodes, flows))
    root.add(_diagram(pid, positions, flows))
    return writer.document(root).encode()


def timer(duration: str) -> str:
    definition = Tag("bpmn:timerEventDefinition")
    definition.add(writer.formal_expression("bpmn:timeDuration", duration))
    return definition.one_line()


def message_ref(message_id: str) -> str:
    return Tag("bpmn:messageEventDefinition", [("messageRef", message_id)]).one_line()


def message(message_id: str, name: str) -> str:
    return f"  {Tag('bpmn:message', [('id', message_id), ('name', name)]).one_line()}\n"
