"""Small Camunda-Modeler-style BPMN documents for tests, with diagram interchange.

Tests need many tiny processes; writing each with full DI by hand would hide
what the test is about. This writer lays nodes out left to right and emits the
same namespaces and attributes Camunda Modeler 5 writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
    'id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn" '
    'exporter="Camunda Modeler" exporterVersion="5.28.0" '
    'modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.21.0">\n'
)

SIZES = {
    "startEvent": (36, 36), "endEvent": (36, 36), "intermediateCatchEvent": (36, 36),
    "intermediateThrowEvent": (36, 36), "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50), "parallelGateway": (50, 50), "eventBasedGateway": (50, 50),
    "inclusiveGateway": (50, 50),
}


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


def document(pid: str, nodes: list[Node], flows: list[Flow], *, extra: str = "",
             name: str | None = None) -> bytes:
    positions: dict[str, tuple[int, int, int, int]] = {}
    x = 160
    hosts: dict[str, int] = {}
    for node in nodes:
        w, h = SIZES.get(node.kind, (100, 80))
        if node.kind == "boundaryEvent":
            host = positions[node.attrs["attachedToRef"]]
            offset = hosts.get(node.attrs["attachedToRef"], 0)
            hosts[node.attrs["attachedToRef"]] = offset + 1
            positions[node.id] = (host[0] + 10 + 40 * offset, host[1] + host[3] - 18, w, h)
            continue
        y = 200 - h // 2
        positions[node.id] = (x, y, w, h)
        x += w + 80
    for i, flow in enumerate(flows):
        flow.id = flow.id or f"Flow_{i + 1}"
    out = [HEADER.format(pid=pid), extra]
    name_attr = f" name={quoteattr(name)}" if name else ""
    out.append(f'  <bpmn:process id="{pid}"{name_attr} isExecutable="true">\n')
    for node in nodes:
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
        label = f" name={quoteattr(node.name)}" if node.name else ""
        out.append(f'    <bpmn:{node.kind} id="{node.id}"{label}{attrs}>{node.inner}'
                   f"</bpmn:{node.kind}>\n")
    for flow in flows:
        cond = ""
        if flow.condition is not None:
            cond = ('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                    f"{escape(flow.condition)}</bpmn:conditionExpression>")
        out.append(f'    <bpmn:sequenceFlow id="{flow.id}" sourceRef="{flow.source}" '
                   f'targetRef="{flow.target}">{cond}</bpmn:sequenceFlow>\n')
    out.append("  </bpmn:process>\n")
    out.append(f'  <bpmndi:BPMNDiagram id="BPMNDiagram_{pid}">\n'
               f'    <bpmndi:BPMNPlane id="BPMNPlane_{pid}" bpmnElement="{pid}">\n')
    for node_id, (nx, ny, w, h) in positions.items():
        out.append(f'      <bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
                   f'<dc:Bounds x="{nx}" y="{ny}" width="{w}" height="{h}" />'
                   "</bpmndi:BPMNShape>\n")
    for flow in flows:
        sx, sy, sw, sh = positions[flow.source]
        tx, ty, tw, th = positions[flow.target]
        out.append(f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">'
                   f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}" />'
                   f'<di:waypoint x="{tx}" y="{ty + th // 2}" /></bpmndi:BPMNEdge>\n')
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out).encode()


def timer(duration: str) -> str:
    return ('<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
            f"{escape(duration)}</bpmn:timeDuration></bpmn:timerEventDefinition>")


def message_ref(message_id: str) -> str:
    return f'<bpmn:messageEventDefinition messageRef="{message_id}" />'


def message(message_id: str, name: str) -> str:
    return f'  <bpmn:message id="{message_id}" name="{name}" />\n'
