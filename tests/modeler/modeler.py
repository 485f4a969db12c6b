"""Writes BPMN exactly the way Camunda Modeler 5 (Camunda 7 platform) saves it.

The corpus in `tests/modeler/files/` was generated with this writer
(`python -m tests.modeler.corpus`) and is checked in as plain files, so the
tests read the bytes a process owner would upload. The writer exists to keep
the diagram interchange (shapes, edges, labels, `incoming`/`outgoing`
references, expanded subprocesses) consistent, which is tedious by hand.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
)

SIZES = {
    "startEvent": (36, 36), "endEvent": (36, 36), "intermediateCatchEvent": (36, 36),
    "intermediateThrowEvent": (36, 36), "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50), "parallelGateway": (50, 50), "eventBasedGateway": (50, 50),
    "inclusiveGateway": (50, 50),
}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
          "boundaryEvent"}


@dataclass
class El:
    """One flow node. `ext` goes in extensionElements, `tail` after incoming/outgoing."""

    kind: str
    id: str
    name: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    ext: str = ""
    tail: str = ""
    children: list[El] = field(default_factory=list)
    flows: list[Fl] = field(default_factory=list)


@dataclass
class Fl:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str | None = None


@dataclass
class _Box:
    x: int
    y: int
    w: int
    h: int


def _size(el: El) -> tuple[int, int]:
    if el.kind in SIZES:
        return SIZES[el.kind]
    if el.kind == "subProcess" and el.children:
        w, h = _container_size(el.children)
        return w + 60, h + 40
    return 100, 80


def _container_size(children: list[El]) -> tuple[int, int]:
    main = [c for c in children if c.kind != "boundaryEvent"
            and c.attrs.get("triggeredByEvent") != "true"]
    subs = [c for c in children if c.attrs.get("triggeredByEvent") == "true"]
    width = sum(_size(c)[0] + 60 for c in main) + 40
    height = max((_size(c)[1] for c in main), default=80) + 80
    for sub in subs:
        sw, sh = _size(sub)
        width = max(width, sw + 40)
        height += sh + 40
    return width, height


def _layout(children: list[El], x0: int, y0: int, boxes: dict[str, _Box]) -> None:
    main = [c for c in children if c.kind != "boundaryEvent"
            and c.attrs.get("triggeredByEvent") != "true"]
    tallest = max((_size(c)[1] for c in main), default=80)
    mid = y0 + 40 + tallest // 2
    x = x0 + 40
    for child in main:
        w, h = _size(child)
        boxes[child.id] = _Box(x, mid - h // 2, w, h)
        if child.kind == "subProcess":
            _layout(child.children, x + 10, mid - h // 2 + 10, boxes)
        x += w + 60
    attached: dict[str, int] = {}
    for child in children:
        if child.kind == "boundaryEvent":
            host = boxes[child.attrs["attachedToRef"]]
            n = attached.get(host and child.attrs["attachedToRef"], 0)
            attached[child.attrs["attachedToRef"]] = n + 1
            boxes[child.id] = _Box(host.x + 12 + 40 * n, host.y + host.h - 18, 36, 36)
    y = mid + tallest // 2 + 60
    for child in children:
        if child.attrs.get("triggeredByEvent") == "true":
            w, h = _size(child)
            boxes[child.id] = _Box(x0 + 40, y, w, h)
            _layout(child.children, x0 + 50, y + 10, boxes)
            y += h + 40
    # boundary events of nested subprocesses are placed by the recursive calls


Links = dict[str, list[str]]


def _links(children: list[El], flows: list[Fl]) -> tuple[Links, Links]:
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    return incoming, outgoing


def _write_container(children: list[El], flows: list[Fl], indent: str, out: list[str]) -> None:
    incoming, outgoing = _links(children, flows)
    for el in children:
        attrs = f' id="{el.id}"'
        if el.name:
            attrs += f" name={quoteattr(el.name)}"
        attrs += "".join(f" {k}={quoteattr(v)}" for k, v in el.attrs.items())
        inner: list[str] = []
        if el.ext:
            inner.append(f"{indent}  <bpmn:extensionElements>\n{_indent(el.ext, indent + '    ')}"
                         f"{indent}  </bpmn:extensionElements>\n")
        inner += [f"{indent}  <bpmn:incoming>{f}</bpmn:incoming>\n"
                  for f in incoming.get(el.id, [])]
        inner += [f"{indent}  <bpmn:outgoing>{f}</bpmn:outgoing>\n"
                  for f in outgoing.get(el.id, [])]
        if el.tail:
            inner.append(_indent(el.tail, indent + "  "))
        if el.kind == "subProcess":
            _write_container(el.children, el.flows, indent + "  ", inner)
        if inner:
            out.append(f"{indent}<bpmn:{el.kind}{attrs}>\n{''.join(inner)}{indent}</bpmn:{el.kind}>\n")
        else:
            out.append(f"{indent}<bpmn:{el.kind}{attrs} />\n")
    for flow in flows:
        name = f" name={quoteattr(flow.name)}" if flow.name else ""
        head = f'{indent}<bpmn:sequenceFlow id="{flow.id}"{name} sourceRef="{flow.source}" ' \
               f'targetRef="{flow.target}"'
        if flow.condition is None:
            out.append(head + " />\n")
        else:
            out.append(head + ">\n" + f'{indent}  <bpmn:conditionExpression '
                       f'xsi:type="bpmn:tFormalExpression">{escape(flow.condition)}'
                       f"</bpmn:conditionExpression>\n{indent}</bpmn:sequenceFlow>\n")


def _indent(text: str, indent: str) -> str:
    lines = [line for line in textwrap.dedent(text.strip("\n")).splitlines() if line.strip()]
    return "".join(f"{indent}{line.rstrip()}\n" for line in lines)


def _all(children: list[El]) -> list[tuple[El, list[Fl]]]:
    found: list[tuple[El, list[Fl]]] = []
    for el in children:
        found.append((el, []))
        if el.kind == "subProcess":
            found += _all(el.children)
    return found


def _all_flows(children: list[El], flows: list[Fl]) -> list[Fl]:
    result = list(flows)
    for el in children:
        if el.kind == "subProcess":
            result += _all_flows(el.children, el.flows)
    return result


def definitions(pid: str, children: list[El], flows: list[Fl], *, roots: str = "",
                name: str | None = None, definitions_id: str = "Definitions_1",
                extra_processes: list[tuple[str, list[El], list[Fl]]] = ()) -> str:
    """A whole Modeler file: process(es), root elements (messages, errors), diagram."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           f'<bpmn:definitions {NAMESPACES} id="{definitions_id}" '
           'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" '
           'exporterVersion="5.28.0" modeler:executionPlatform="Camunda Platform" '
           'modeler:executionPlatformVersion="7.21.0">\n']
    processes = [(pid, children, flows, name), *((p, c, f, None) for p, c, f in extra_processes)]
    for proc_id, proc_children, proc_flows, proc_name in processes:
        label = f" name={quoteattr(proc_name)}" if proc_name else ""
        out.append(f'  <bpmn:process id="{proc_id}"{label} isExecutable="true" '
                   'camunda:historyTimeToLive="180">\n')
        _write_container(proc_children, proc_flows, "    ", out)
        out.append("  </bpmn:process>\n")
    if roots:
        out.append(_indent(roots, "  "))
    for index, (proc_id, proc_children, proc_flows, _) in enumerate(processes):
        suffix = "" if index == 0 else f"_{index}"
        boxes: dict[str, _Box] = {}
        _layout(proc_children, 120, 40, boxes)
        out.append(f'  <bpmndi:BPMNDiagram id="BPMNDiagram_1{suffix}">\n'
                   f'    <bpmndi:BPMNPlane id="BPMNPlane_1{suffix}" bpmnElement="{proc_id}">\n')
        for el, _ in _all(proc_children):
            box = boxes[el.id]
            extra = ' isExpanded="true"' if el.kind == "subProcess" else ""
            shape = (f'      <bpmndi:BPMNShape id="{el.id}_di" bpmnElement="{el.id}"{extra}>\n'
                     f'        <dc:Bounds x="{box.x}" y="{box.y}" width="{box.w}" '
                     f'height="{box.h}" />\n')
            if el.name and el.kind in EVENTS:
                shape += (f'        <bpmndi:BPMNLabel>\n          <dc:Bounds x="{box.x - 12}" '
                          f'y="{box.y + box.h + 7}" width="60" height="14" />\n'
                          "        </bpmndi:BPMNLabel>\n")
            out.append(shape + "      </bpmndi:BPMNShape>\n")
        for flow in _all_flows(proc_children, proc_flows):
            s, t = boxes[flow.source], boxes[flow.target]
            sx, sy = (s.x + s.w // 2, s.y + s.h) if s.y + s.h <= t.y else (s.x + s.w,
                                                                             s.y + s.h // 2)
            tx, ty = t.x, t.y + t.h // 2
            points = f'        <di:waypoint x="{sx}" y="{sy}" />\n'
            if sy != ty:
                points += f'        <di:waypoint x="{sx}" y="{ty}" />\n'
            points += f'        <di:waypoint x="{tx}" y="{ty}" />\n'
            out.append(f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">\n'
                       f"{points}      </bpmndi:BPMNEdge>\n")
        out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n")
    out.append("</bpmn:definitions>\n")
    return "".join(out)
