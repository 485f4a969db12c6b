"""Writes BPMN exactly the way Camunda Modeler 5 (Camunda 7 platform) saves it.

The corpus in `tests/modeler/files/` was generated with this writer
(`python -m tests.modeler.corpus`) and is checked in as plain files, so the
tests read the bytes a process owner would upload. The writer exists to keep
the diagram interchange (shapes, edges, labels, `incoming`/`outgoing`
references, expanded subprocesses) consistent, which is tedious by hand. Only
the layout (nested subprocesses, event subprocesses below the main row) lives
here; namespaces, sizes, shapes, edges and escaping come from the product's
writer, `bpmn/tools/writer.py`, so corpus and product files cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bpmn.tools import writer
from bpmn.tools.writer import Tag

# The order in which the corpus files declare their namespaces (as committed).
PREFIXES = ("bpmn", "bpmndi", "dc", "camunda", "di", "xsi", "modeler")


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


def _is_event_sub(el: El) -> bool:
    return el.attrs.get("triggeredByEvent") == "true"


def _main_row(children: list[El]) -> list[El]:
    return [c for c in children if c.kind != "boundaryEvent" and not _is_event_sub(c)]


def _size(el: El) -> tuple[int, int]:
    if el.kind == "subProcess" and el.children:
        w, h = _container_size(el.children)
        return w + 60, h + 40
    return writer.size(el.kind)


def _container_size(children: list[El]) -> tuple[int, int]:
    main = _main_row(children)
    width = sum(_size(c)[0] + 60 for c in main) + 40
    height = max((_size(c)[1] for c in main), default=80) + 80
    for sub in filter(_is_event_sub, children):
        sw, sh = _size(sub)
        width = max(width, sw + 40)
        height += sh + 40
    return width, height


def _layout(children: list[El], x0: int, y0: int, boxes: dict[str, _Box]) -> None:
    main = _main_row(children)
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
            host_id = child.attrs["attachedToRef"]
            host = boxes[host_id]
            n = attached.get(host_id, 0)
            attached[host_id] = n + 1
            boxes[child.id] = _Box(host.x + 12 + 40 * n, host.y + host.h - 18, 36, 36)
    y = mid + tallest // 2 + 60
    for child in filter(_is_event_sub, children):
        w, h = _size(child)
        boxes[child.id] = _Box(x0 + 40, y, w, h)
        _layout(child.children, x0 + 50, y + 10, boxes)
        y += h + 40
    # boundary events of nested subprocesses are placed by the recursive calls


def _links(flows: list[Fl]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    return incoming, outgoing


def _node(el: El, incoming: list[str], outgoing: list[str]) -> Tag:
    attrs = [("id", el.id), *([("name", el.name)] if el.name else []), *el.attrs.items()]
    tag = Tag(f"bpmn:{el.kind}", attrs)
    if el.ext:
        tag.sub("bpmn:extensionElements").raw(el.ext)
    for flow_id in incoming:
        tag.sub("bpmn:incoming", text=flow_id)
    for flow_id in outgoing:
        tag.sub("bpmn:outgoing", text=flow_id)
    if el.tail:
        tag.raw(el.tail)
    if el.kind == "subProcess":
        _fill_container(tag, el.children, el.flows)
    return tag


def _fill_container(parent: Tag, children: list[El], flows: list[Fl]) -> None:
    incoming, outgoing = _links(flows)
    for el in children:
        parent.add(_node(el, incoming.get(el.id, []), outgoing.get(el.id, [])))
    for flow in flows:
        parent.add(writer.sequence_flow(flow.id, flow.source, flow.target, flow.name,
                                        flow.condition))


def _all(children: list[El]) -> list[El]:
    found: list[El] = []
    for el in children:
        found.append(el)
        if el.kind == "subProcess":
            found += _all(el.children)
    return found


def _all_flows(children: list[El], flows: list[Fl]) -> list[Fl]:
    result = list(flows)
    for el in children:
        if el.kind == "subProcess":
            result += _all_flows(el.children, el.flows)
    return result


def _shape(el: El, box: _Box) -> Tag:
    flags = [("isExpanded", "true")] if el.kind == "subProcess" else []
    label = None
    if el.name and el.kind in writer.EVENTS:
        label = (box.x - 12, box.y + box.h + 7, 60, 14)
    return writer.shape(el.id, (box.x, box.y, box.w, box.h), label, flags)


def _edge(flow: Fl, boxes: dict[str, _Box]) -> Tag:
    s, t = boxes[flow.source], boxes[flow.target]
    below = s.y + s.h <= t.y
    sx, sy = (s.x + s.w // 2, s.y + s.h) if below else (s.x + s.w, s.y + s.h // 2)
    tx, ty = t.x, t.y + t.h // 2
    corner = [(sx, ty)] if sy != ty else []
    return writer.edge(flow.id, [(sx, sy), *corner, (tx, ty)])


def _diagram(index: int, proc_id: str, children: list[El], flows: list[Fl]) -> Tag:
    boxes: dict[str, _Box] = {}
    _layout(children, 120, 40, boxes)
    dia, plane = writer.diagram("1" if index == 0 else f"1_{index}", proc_id)
    for el in _all(children):
        plane.add(_shape(el, boxes[el.id]))
    for flow in _all_flows(children, flows):
        plane.add(_edge(flow, boxes))
    return dia


def definitions(pid: str, children: list[El], flows: list[Fl], *, roots: str = "",
                name: str | None = None, definitions_id: str = "Definitions_1",
                extra_processes: Sequence[tuple[str, list[El], list[Fl]]] = ()) -> str:
    """A whole Modeler file: process(es), root elements (messages, errors), diagram."""
    root = writer.bpmn_definitions(definitions_id, PREFIXES)
    processes = [(pid, children, flows, name), *((p, c, f, None) for p, c, f in extra_processes)]
    for proc_id, proc_children, proc_flows, proc_name in processes:
        proc = root.sub("bpmn:process", [("id", proc_id)])
        if proc_name:
            proc.set("name", proc_name)
        proc.set("isExecutable", "true").set("camunda:historyTimeToLive", "180")
        proc.keep_open()
        _fill_container(proc, proc_children, proc_flows)
    if roots:
        root.raw(roots)
    for index, (proc_id, proc_children, proc_flows, _) in enumerate(processes):
        root.add(_diagram(index, proc_id, proc_children, proc_flows))
    return writer.document(root)
