"""Write BPMN 2.0 and DMN 1.3 files the way Camunda Modeler 5 (Platform 7) writes them.

Why a generator instead of hand-edited XML: the diagram interchange (every shape's
bounds, every edge's waypoints, every label) must stay consistent with the semantic
model, lanes must list exactly the nodes drawn inside them, and process owners will
still open and edit the output in Camunda Modeler. Laying the diagrams out on a
grid of lanes, rows and columns keeps shapes inside their lanes and edges
orthogonal without pixel arithmetic in the process definitions.

The output is plain data: once generated and committed, the ``.bpmn`` and ``.dmn``
files are the source of truth; this script is only a convenient way to draw them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMN_DC = "http://www.omg.org/spec/DMN/20180521/DC/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"

EXPORTER = "Camunda Modeler"
EXPORTER_VERSION = "5.28.0"
PLATFORM = "Camunda Platform"
PLATFORM_VERSION = "7.21.0"

TASK_W, TASK_H = 100, 80
EVENT_D = 36
GATEWAY_D = 50

POOL_X, POOL_Y = 160, 80
POOL_LABEL_W = 30  # the participant's vertical name band
LANE_LABEL_W = 30  # each lane's vertical name band
CONTENT_PAD = 30  # space between a lane's name band and its first shape

TASK_KINDS = {"userTask", "serviceTask", "businessRuleTask"}
EVENT_KINDS = {"startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent"}

Point = tuple[float, float]
Bounds = tuple[float, float, float, float]  # x, y, width, height


def q(ns: str, tag: str) -> str:
    """Clark notation for lxml."""
    return f"{{{ns}}}{tag}"


def text_width(text: str) -> float:
    """Rough width of a label at bpmn-js' 11 px font, to size label bounds."""
    return 6.2 * len(text)


def label_lines(text: str, width: int) -> int:
    """How many lines a label of the given pixel width needs (word wrap estimate)."""
    lines, current = 1, 0.0
    for word in text.split():
        w = text_width(word + " ")
        if current + w > width and current > 0:
            lines += 1
            current = w
        else:
            current += w
    return lines


# --------------------------------------------------------------------------- forms


@dataclass
class Field:
    """One ``camunda:formField``; the engine validates submissions against it."""

    id: str
    label: str
    type: Literal["string", "long", "boolean", "date", "enum"] = "string"
    required: bool = False
    values: list[tuple[str, str]] | None = None  # enum (id, name)
    min: int | None = None
    max: int | None = None
    minlength: int | None = None
    maxlength: int | None = None
    default: str | None = None


# --------------------------------------------------------------------------- model


@dataclass
class Lane:
    """A role (institution) with its rows: centre offsets from the lane top."""

    id: str
    name: str
    height: int = 130
    rows: tuple[int, ...] = (65,)
    doc: str | None = None


@dataclass
class Node:
    """A flow node with its grid position and Camunda extension values."""

    id: str
    kind: str
    name: str
    lane: str = ""
    col: int = 0
    row: int = 0
    groups: str | None = None
    assignee: str | None = None
    due: str | None = None
    priority: int | None = None
    form: list[Field] = field(default_factory=list)
    expose: str | None = None
    doc: str | None = None
    topic: str | None = None
    decision: str | None = None
    result_variable: str | None = None
    timer: tuple[str, str] | None = None  # ("timeDuration" | "timeCycle", ISO text)
    attached: str | None = None
    terminate: bool = False  # an end event that ends the whole case (open reminders too)
    slot: Literal["left", "right"] = "right"
    cancel: bool = True
    label_pos: Literal["above", "below", "left", "right", "nw", "sw"] | None = None
    default_flow: str | None = None
    bounds: Bounds = (0, 0, 0, 0)
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class Flow:
    """A sequence flow; ``route`` overrides the automatic orthogonal routing."""

    id: str
    src: str
    tgt: str
    name: str | None = None
    cond: str | None = None
    route: tuple | None = None
    waypoints: list[Point] = field(default_factory=list)


def center(b: Bounds) -> Point:
    return (b[0] + b[2] / 2, b[1] + b[3] / 2)


def side(b: Bounds, where: str) -> Point:
    x, y, w, h = b
    return {
        "left": (x, y + h / 2),
        "right": (x + w, y + h / 2),
        "top": (x + w / 2, y),
        "bottom": (x + w / 2, y + h),
    }[where]


class Process:
    """One executable process drawn as one pool with lanes.

    Columns are a shared x grid for all lanes; a column is wide enough for a
    task when it holds one, narrower when it only holds events and gateways.
    """

    def __init__(
        self,
        pid: str,
        name: str,
        lanes: list[Lane],
        doc: str | None = None,
        col_widths: dict[int, int] | None = None,
        history_ttl: str = "3650",
    ) -> None:
        self.pid = pid
        self.name = name
        self.lanes = lanes
        self.doc = doc
        self.col_widths = col_widths or {}
        self.history_ttl = history_ttl
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.lane_top: dict[str, float] = {}
        y = POOL_Y
        for lane in lanes:
            self.lane_top[lane.id] = y
            y += lane.height
        self.pool_h = y - POOL_Y

    # ---------------------------------------------------------------- building

    def add(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"duplicate id {node.id}")
        if node.id in {"Start", "End"}:
            raise ValueError("ids Start/End break SpiffWorkflow")
        if node.attached:
            node.lane = self.nodes[node.attached].lane
        self.nodes[node.id] = node
        return node

    def flow(
        self,
        src: str,
        tgt: str,
        fid: str | None = None,
        name: str | None = None,
        cond: str | None = None,
        default: bool = False,
        route: tuple | None = None,
    ) -> Flow:
        f = Flow(fid or f"flow_{src}_to_{tgt}", src, tgt, name, cond, route)
        self.flows.append(f)
        self.nodes[src].outgoing.append(f.id)
        self.nodes[tgt].incoming.append(f.id)
        if default:
            self.nodes[src].default_flow = f.id
        return f

    def lane_y(self, lane: str, offset: float) -> float:
        """Absolute y of a point ``offset`` px below the top of a lane (for channels)."""
        return self.lane_top[lane] + offset

    def col_x(self, col: int) -> float:
        return self._col_center[col]

    # ---------------------------------------------------------------- layout

    def layout(self) -> None:
        ncols = max(n.col for n in self.nodes.values()) + 1
        widths = []
        for c in range(ncols):
            kinds = {n.kind for n in self.nodes.values() if n.col == c and not n.attached}
            widths.append(self.col_widths.get(c, 150 if kinds & TASK_KINDS else 100))
        x = POOL_X + POOL_LABEL_W + LANE_LABEL_W + CONTENT_PAD
        self._col_center = []
        for w in widths:
            self._col_center.append(x + w / 2)
            x += w
        self.pool_w = x + CONTENT_PAD - POOL_X
        lanes = {lane.id: lane for lane in self.lanes}
        for n in self.nodes.values():
            if n.attached:
                continue
            cx = self._col_center[n.col]
            cy = self.lane_top[n.lane] + lanes[n.lane].rows[n.row]
            w, h = self._size(n)
            n.bounds = (cx - w / 2, cy - h / 2, w, h)
        for n in self.nodes.values():
            if n.attached:
                hx, hy, hw, hh = self.nodes[n.attached].bounds
                cx = hx + (25 if n.slot == "left" else hw - 25)
                cy = hy + hh
                n.bounds = (cx - EVENT_D / 2, cy - EVENT_D / 2, EVENT_D, EVENT_D)
        for f in self.flows:
            f.waypoints = self._route(f)

    @staticmethod
    def _size(n: Node) -> tuple[int, int]:
        if n.kind in TASK_KINDS:
            return TASK_W, TASK_H
        if n.kind == "exclusiveGateway":
            return GATEWAY_D, GATEWAY_D
        return EVENT_D, EVENT_D

    def _route(self, f: Flow) -> list[Point]:
        s, t = self.nodes[f.src], self.nodes[f.tgt]
        sb, tb = s.bounds, t.bounds
        (sx, sy), (tx, ty) = center(sb), center(tb)
        r = f.route
        if r is None:
            if s.kind == "boundaryEvent":
                p0 = side(sb, "bottom")
                if abs(p0[0] - tx) < 1:
                    return [p0, side(tb, "top")]
                return [p0, (p0[0], ty), side(tb, "left" if tx > p0[0] else "right")]
            if abs(sy - ty) < 1:
                return (
                    [side(sb, "right"), side(tb, "left")]
                    if tx > sx
                    else [side(sb, "left"), side(tb, "right")]
                )
            if abs(sx - tx) < 1:
                if ty > sy:
                    return [side(sb, "bottom"), side(tb, "top")]
                return [side(sb, "top"), side(tb, "bottom")]
            if s.kind == "exclusiveGateway":
                p0 = side(sb, "bottom" if ty > sy else "top")
                return [p0, (sx, ty), side(tb, "left" if tx > sx else "right")]
            if t.kind == "exclusiveGateway":
                return [side(sb, "right"), (tx, sy), side(tb, "bottom" if sy > ty else "top")]
            x0, x1 = side(sb, "right")[0], side(tb, "left")[0]
            mid = (x0 + x1) / 2
            return [side(sb, "right"), (mid, sy), (mid, ty), side(tb, "left")]
        kind = r[0]
        if kind == "hv":  # leave right, enter the target from above or below
            return [side(sb, "right"), (tx, sy), side(tb, "top" if ty > sy else "bottom")]
        if kind == "split":  # leave right, turn at x, enter left
            x = r[1]
            return [side(sb, "right"), (x, sy), (x, ty), side(tb, "left")]
        if kind == "split_after":  # like split, at a column centre plus an offset
            x = self._col_center[r[1]] + r[2]
            return [side(sb, "right"), (x, sy), (x, ty), side(tb, "left")]
        if kind == "channel":  # leave top/bottom, run along y, enter top/bottom
            _, y, s_side, t_side = r
            p0, p1 = side(sb, s_side), side(tb, t_side)
            return [p0, (p0[0], y), (p1[0], y), p1]
        if kind == "points":
            _, s_side, pts, t_side = r
            return [side(sb, s_side), *pts, side(tb, t_side)]
        raise ValueError(f"unknown route {r}")

    # ---------------------------------------------------------------- labels

    def node_label(self, n: Node) -> Bounds | None:
        if n.kind in TASK_KINDS or not n.name:
            return None
        x, y, w, h = n.bounds
        cx = x + w / 2
        lw = 90 if n.kind != "boundaryEvent" else max(40, int(text_width(n.name)) + 4)
        lh = 14 * label_lines(n.name, lw)
        pos = n.label_pos or ("above" if n.kind == "exclusiveGateway" else "below")
        if n.kind == "boundaryEvent" and n.label_pos is None:
            pos = "left" if n.slot == "left" else "right"
        if pos == "above":
            return (cx - lw / 2, y - lh - 6, lw, lh)
        if pos == "below":
            return (cx - lw / 2, y + h + 5, lw, lh)
        if pos == "nw":  # above, left of a flow leaving the top vertex
            return (cx - lw - 4, y - lh - 2, lw, lh)
        if pos == "sw":
            return (cx - lw - 4, y + h + 2, lw, lh)
        if pos == "left":
            return (x - lw - 2, y + h / 2 + 4, lw, lh)
        return (x + w + 2, y + h / 2 + 4, lw, lh)

    @staticmethod
    def flow_label(f: Flow) -> Bounds | None:
        if not f.name:
            return None
        lw = min(110, max(20, int(text_width(f.name)) + 4))
        lh = 14 * label_lines(f.name, lw)
        pts = f.waypoints
        for a, b in zip(pts, pts[1:], strict=False):
            if abs(a[1] - b[1]) < 1 and abs(a[0] - b[0]) >= 30:
                x = a[0] + 6 if b[0] > a[0] else a[0] - lw - 6
                return (x, a[1] - lh - 3, lw, lh)
        a, b = pts[0], pts[1]
        return (a[0] + 6, (a[1] + b[1]) / 2 - lh / 2, lw, lh)

    # ---------------------------------------------------------------- XML

    def to_xml(self) -> str:
        self.layout()
        nsmap = {
            "bpmn": BPMN,
            "bpmndi": BPMNDI,
            "dc": DC,
            "di": DI,
            "camunda": CAMUNDA,
            "xsi": XSI,
            "modeler": MODELER,
        }
        defs = etree.Element(q(BPMN, "definitions"), nsmap=nsmap)
        defs.set("id", f"Definitions_{self.pid}")
        defs.set("targetNamespace", "http://bpmn.io/schema/bpmn")
        defs.set("exporter", EXPORTER)
        defs.set("exporterVersion", EXPORTER_VERSION)
        defs.set(q(MODELER, "executionPlatform"), PLATFORM)
        defs.set(q(MODELER, "executionPlatformVersion"), PLATFORM_VERSION)

        collab = etree.SubElement(defs, q(BPMN, "collaboration"), id=f"Collaboration_{self.pid}")
        part = etree.SubElement(collab, q(BPMN, "participant"), id=f"Participant_{self.pid}")
        part.set("name", self.name)
        part.set("processRef", self.pid)

        proc = etree.SubElement(defs, q(BPMN, "process"), id=self.pid)
        proc.set("name", self.name)
        proc.set("isExecutable", "true")
        proc.set(q(CAMUNDA, "historyTimeToLive"), self.history_ttl)
        if self.doc:
            etree.SubElement(proc, q(BPMN, "documentation")).text = self.doc
        lane_set = etree.SubElement(proc, q(BPMN, "laneSet"), id=f"LaneSet_{self.pid}")
        for lane in self.lanes:
            le = etree.SubElement(lane_set, q(BPMN, "lane"), id=lane.id, name=lane.name)
            if lane.doc:
                etree.SubElement(le, q(BPMN, "documentation")).text = lane.doc
            for n in self.nodes.values():
                if n.lane == lane.id:
                    etree.SubElement(le, q(BPMN, "flowNodeRef")).text = n.id

        for n in self.nodes.values():
            self._node_xml(proc, n)
        for f in self.flows:
            fe = etree.SubElement(proc, q(BPMN, "sequenceFlow"), id=f.id)
            if f.name:
                fe.set("name", f.name)
            fe.set("sourceRef", f.src)
            fe.set("targetRef", f.tgt)
            if f.cond:
                ce = etree.SubElement(fe, q(BPMN, "conditionExpression"))
                ce.set(q(XSI, "type"), "bpmn:tFormalExpression")
                ce.text = f.cond

        diagram = etree.SubElement(defs, q(BPMNDI, "BPMNDiagram"), id=f"BPMNDiagram_{self.pid}")
        plane = etree.SubElement(diagram, q(BPMNDI, "BPMNPlane"), id=f"BPMNPlane_{self.pid}")
        plane.set("bpmnElement", f"Collaboration_{self.pid}")
        self._shape(
            plane,
            f"Participant_{self.pid}",
            (POOL_X, POOL_Y, self.pool_w, self.pool_h),
            horizontal=True,
        )
        for lane in self.lanes:
            b = (
                POOL_X + POOL_LABEL_W,
                self.lane_top[lane.id],
                self.pool_w - POOL_LABEL_W,
                lane.height,
            )
            self._shape(plane, lane.id, b, horizontal=True)
        for n in self.nodes.values():
            if n.attached:
                continue
            self._shape(
                plane,
                n.id,
                n.bounds,
                label=self.node_label(n),
                gateway=n.kind == "exclusiveGateway",
            )
        for n in self.nodes.values():  # boundary events after their hosts, as the Modeler does
            if n.attached:
                self._shape(plane, n.id, n.bounds, label=self.node_label(n))
        for f in self.flows:
            ee = etree.SubElement(plane, q(BPMNDI, "BPMNEdge"), id=f"{f.id}_di", bpmnElement=f.id)
            for x, y in f.waypoints:
                etree.SubElement(ee, q(DI, "waypoint"), x=_num(x), y=_num(y))
            lb = self.flow_label(f)
            if lb:
                le = etree.SubElement(ee, q(BPMNDI, "BPMNLabel"))
                _bounds(le, lb)
        return serialize(defs)

    def _node_xml(self, proc: etree._Element, n: Node) -> None:
        el = etree.SubElement(proc, q(BPMN, n.kind), id=n.id)
        if n.name:
            el.set("name", n.name)
        if n.kind == "boundaryEvent":
            el.set("cancelActivity", "true" if n.cancel else "false")
            el.set("attachedToRef", n.attached)
        if n.kind == "userTask":
            if n.assignee:
                el.set(q(CAMUNDA, "assignee"), n.assignee)
            if n.groups:
                el.set(q(CAMUNDA, "candidateGroups"), n.groups)
            if n.due:
                el.set(q(CAMUNDA, "dueDate"), n.due)
            if n.priority is not None:
                el.set(q(CAMUNDA, "priority"), str(n.priority))
        if n.kind == "serviceTask":
            el.set(q(CAMUNDA, "type"), "external")
            el.set(q(CAMUNDA, "topic"), n.topic or "")
        if n.kind == "businessRuleTask":
            el.set(q(CAMUNDA, "resultVariable"), n.result_variable or "")
            el.set(q(CAMUNDA, "decisionRef"), n.decision or "")
            el.set(q(CAMUNDA, "mapDecisionResult"), "singleResult")
        if n.default_flow:
            el.set("default", n.default_flow)
        if n.doc:
            etree.SubElement(el, q(BPMN, "documentation")).text = n.doc
        if n.form or n.expose:
            ext = etree.SubElement(el, q(BPMN, "extensionElements"))
            if n.form:
                fd = etree.SubElement(ext, q(CAMUNDA, "formData"))
                for fld in n.form:
                    _form_field(fd, fld)
            if n.expose:
                props = etree.SubElement(ext, q(CAMUNDA, "properties"))
                etree.SubElement(
                    props, q(CAMUNDA, "property"), name="ciiflow.expose", value=n.expose
                )
        for fid in n.incoming:
            etree.SubElement(el, q(BPMN, "incoming")).text = fid
        for fid in n.outgoing:
            etree.SubElement(el, q(BPMN, "outgoing")).text = fid
        if n.timer:
            ted = etree.SubElement(
                el, q(BPMN, "timerEventDefinition"), id=f"TimerEventDefinition_{n.id}"
            )
            te = etree.SubElement(ted, q(BPMN, n.timer[0]))
            te.set(q(XSI, "type"), "bpmn:tFormalExpression")
            te.text = n.timer[1]
        if n.terminate:
            etree.SubElement(el, q(BPMN, "terminateEventDefinition"),
                             id=f"TerminateEventDefinition_{n.id}")

    @staticmethod
    def _shape(
        plane: etree._Element,
        element: str,
        b: Bounds,
        label: Bounds | None = None,
        horizontal: bool = False,
        gateway: bool = False,
    ) -> None:
        se = etree.SubElement(
            plane, q(BPMNDI, "BPMNShape"), id=f"{element}_di", bpmnElement=element
        )
        if horizontal:
            se.set("isHorizontal", "true")
        if gateway:
            se.set("isMarkerVisible", "true")
        _bounds(se, b)
        if label:
            _bounds(etree.SubElement(se, q(BPMNDI, "BPMNLabel")), label)


def _num(v: float) -> str:
    return str(int(round(v)))


def _bounds(parent: etree._Element, b: Bounds, ns: str = DC) -> None:
    x, y, w, h = b
    etree.SubElement(parent, q(ns, "Bounds"), x=_num(x), y=_num(y), width=_num(w), height=_num(h))


def _form_field(fd: etree._Element, fld: Field) -> None:
    fe = etree.SubElement(fd, q(CAMUNDA, "formField"), id=fld.id, label=fld.label, type=fld.type)
    if fld.default is not None:
        fe.set("defaultValue", fld.default)
    constraints: list[tuple[str, str | None]] = []
    if fld.required:
        constraints.append(("required", None))
    for name in ("min", "max", "minlength", "maxlength"):
        v = getattr(fld, name)
        if v is not None:
            constraints.append((name, str(v)))
    if constraints:
        val = etree.SubElement(fe, q(CAMUNDA, "validation"))
        for name, cfg in constraints:
            c = etree.SubElement(val, q(CAMUNDA, "constraint"), name=name)
            if cfg is not None:
                c.set("config", cfg)
    for vid, vname in fld.values or []:
        etree.SubElement(fe, q(CAMUNDA, "value"), id=vid, name=vname)


def serialize(root: etree._Element) -> str:
    """Pretty-print like bpmn-js/dmn-js: double-quoted declaration, `` />`` closers."""
    body = etree.tostring(root, pretty_print=True, encoding="unicode")
    body = re.sub(r"(\S)/>", r"\1 />", body)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


# --------------------------------------------------------------------------- DMN


@dataclass
class DmnInput:
    id: str
    label: str
    expression: str
    type_ref: str
    values: str | None = None  # allowed values as FEEL unary tests, e.g. '"a","b"'


@dataclass
class DmnOutput:
    id: str
    label: str
    name: str
    type_ref: str
    values: str | None = None


@dataclass
class DmnRule:
    inputs: list[str]
    outputs: list[str]
    annotation: str = ""


@dataclass
class Decision:
    """A single-table DMN file (stock SpiffWorkflow loads one decision per file)."""

    id: str
    name: str
    hit_policy: str
    inputs: list[DmnInput]
    outputs: list[DmnOutput]
    rules: list[DmnRule]
    doc: str | None = None

    def to_xml(self) -> str:
        nsmap = {
            None: DMN,
            "dmndi": DMNDI,
            "dc": DMN_DC,
            "modeler": MODELER,
            "camunda": CAMUNDA_DMN,
        }
        defs = etree.Element(q(DMN, "definitions"), nsmap=nsmap)
        defs.set("id", f"Definitions_{self.id}")
        defs.set("name", self.name)
        defs.set("namespace", "http://camunda.org/schema/1.0/dmn")
        defs.set("exporter", EXPORTER)
        defs.set("exporterVersion", EXPORTER_VERSION)
        defs.set(q(MODELER, "executionPlatform"), PLATFORM)
        defs.set(q(MODELER, "executionPlatformVersion"), PLATFORM_VERSION)
        dec = etree.SubElement(defs, q(DMN, "decision"), id=self.id, name=self.name)
        if self.doc:
            etree.SubElement(dec, q(DMN, "description")).text = self.doc
        table = etree.SubElement(dec, q(DMN, "decisionTable"), id=f"DecisionTable_{self.id}")
        table.set("hitPolicy", self.hit_policy)
        for i in self.inputs:
            ie = etree.SubElement(table, q(DMN, "input"), id=i.id, label=i.label)
            ex = etree.SubElement(
                ie, q(DMN, "inputExpression"), id=f"InputExpression_{i.id}", typeRef=i.type_ref
            )
            etree.SubElement(ex, q(DMN, "text")).text = i.expression
            if i.values:
                iv = etree.SubElement(ie, q(DMN, "inputValues"), id=f"UnaryTests_{i.id}_values")
                etree.SubElement(iv, q(DMN, "text")).text = i.values
        for o in self.outputs:
            oe = etree.SubElement(
                table, q(DMN, "output"), id=o.id, label=o.label, name=o.name, typeRef=o.type_ref
            )
            if o.values:
                ov = etree.SubElement(oe, q(DMN, "outputValues"), id=f"UnaryTests_{o.id}_values")
                etree.SubElement(ov, q(DMN, "text")).text = o.values
        for r_index, rule in enumerate(self.rules, start=1):
            if len(rule.inputs) != len(self.inputs) or len(rule.outputs) != len(self.outputs):
                raise ValueError(f"{self.id} rule {r_index}: wrong number of cells")
            re_ = etree.SubElement(table, q(DMN, "rule"), id=f"DecisionRule_{self.id}_{r_index}")
            if rule.annotation:
                etree.SubElement(re_, q(DMN, "description")).text = rule.annotation
            for c_index, cell in enumerate(rule.inputs, start=1):
                ce = etree.SubElement(
                    re_, q(DMN, "inputEntry"), id=f"UnaryTests_{self.id}_{r_index}_{c_index}"
                )
                etree.SubElement(ce, q(DMN, "text")).text = cell
            for c_index, cell in enumerate(rule.outputs, start=1):
                ce = etree.SubElement(
                    re_,
                    q(DMN, "outputEntry"),
                    id=f"LiteralExpression_{self.id}_{r_index}_{c_index}",
                )
                etree.SubElement(ce, q(DMN, "text")).text = cell
        di = etree.SubElement(defs, q(DMNDI, "DMNDI"))
        diagram = etree.SubElement(di, q(DMNDI, "DMNDiagram"), id=f"DMNDiagram_{self.id}")
        shape = etree.SubElement(
            diagram, q(DMNDI, "DMNShape"), id=f"DMNShape_{self.id}", dmnElementRef=self.id
        )
        _bounds(shape, (160, 100, 180, 80), ns=DMN_DC)
        return serialize(defs)
