"""The process model the generator draws from: pools, lanes and a grid of cells.

Why a grid instead of pixels: the diagram interchange (every shape's bounds,
every edge's waypoints, every label) must stay consistent with the semantic
model, lanes must list exactly the nodes drawn inside them, and process owners
will still open and edit the output in Camunda Modeler. Placing nodes by lane,
row and column keeps shapes inside their lanes and edges orthogonal without
pixel arithmetic in the process definitions. Serialisation is elsewhere
(``bpmn_xml.py`` over the shared ``writer.py``); routes and labels are in
``geometry.py``.

The output is plain data: once generated and committed, the ``.bpmn`` and
``.dmn`` files are the source of truth; the generator is only a convenient way
to draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bpmn.tools import geometry, writer
from bpmn.tools.writer import Bounds, Point

POOL_X, POOL_Y = 160, 80
POOL_LABEL_W = 30  # the participant's vertical name band
LANE_LABEL_W = 30  # each lane's vertical name band
CONTENT_PAD = 30  # space between a lane's name band and its first shape
TASK_COLUMN_W, EVENT_COLUMN_W = 150, 100

FieldType = Literal["string", "long", "boolean", "date", "enum"]


@dataclass
class Field:
    """One ``camunda:formField``; the engine validates submissions against it."""

    id: str
    label: str
    type: FieldType = "string"
    required: bool = False
    values: list[tuple[str, str]] | None = None  # enum (id, name)
    min: int | None = None
    max: int | None = None
    minlength: int | None = None
    maxlength: int | None = None
    default: str | None = None


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
    outputs: str | None = None  # ciiflow.outputs: what an external task's handler sets
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


def req(fid: str, label: str, type_: FieldType = "string", **kw: object) -> Field:
    """A required form field (most fields are)."""
    return Field(fid, label, type_, required=True, **kw)  # type: ignore[arg-type]


def opt(fid: str, label: str, type_: FieldType = "string", **kw: object) -> Field:
    """An optional form field."""
    return Field(fid, label, type_, **kw)  # type: ignore[arg-type]


def user(pid: str, name: str, lane: str, col: int, row: int = 0, **kw: object) -> Node:
    """A user task at a grid cell."""
    return Node(pid, "userTask", name, lane, col, row, **kw)  # type: ignore[arg-type]


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
        self.col_center: list[float] = []
        self.pool_w: float = 0
        y: float = POOL_Y
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

    # ---------------------------------------------------------------- layout

    def layout(self) -> None:
        """Give every node its bounds and every flow its waypoints."""
        self._columns()
        lanes = {lane.id: lane for lane in self.lanes}
        for n in self.nodes.values():
            if not n.attached:
                cx = self.col_center[n.col]
                cy = self.lane_top[n.lane] + lanes[n.lane].rows[n.row]
                w, h = writer.size(n.kind)
                n.bounds = (cx - w / 2, cy - h / 2, w, h)
        for n in self.nodes.values():
            if n.attached:
                hx, hy, hw, hh = self.nodes[n.attached].bounds
                cx = hx + (25 if n.slot == "left" else hw - 25)
                w, h = writer.size(n.kind)
                n.bounds = (cx - w / 2, hy + hh - h / 2, w, h)
        for f in self.flows:
            s, t = self.nodes[f.src], self.nodes[f.tgt]
            f.waypoints = geometry.route(s, t, f.route, self.col_center)

    def _columns(self) -> None:
        """Column centres and the pool width, from what each column holds."""
        ncols = max(n.col for n in self.nodes.values()) + 1
        x: float = POOL_X + POOL_LABEL_W + LANE_LABEL_W + CONTENT_PAD
        self.col_center = []
        for c in range(ncols):
            kinds = {n.kind for n in self.nodes.values() if n.col == c and not n.attached}
            default = TASK_COLUMN_W if kinds & geometry.TASK_KINDS else EVENT_COLUMN_W
            w = self.col_widths.get(c, default)
            self.col_center.append(x + w / 2)
            x += w
        self.pool_w = x + CONTENT_PAD - POOL_X
