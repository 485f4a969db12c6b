"""Edge routes and label boxes for the grid-drawn processes.

Kept apart from the process model because it is pure arithmetic on bounds: a
process definition says *which* route a flow takes (``("hv",)``, a channel at
some y, explicit points); this module turns that into orthogonal waypoints and
places labels where bpmn-js would put them, so the Modeler shows the files
without every label jumping on first open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bpmn.tools.writer import Bounds, Point

if TYPE_CHECKING:
    from bpmn.tools.builder import Flow, Node

TASK_KINDS = frozenset({"userTask", "serviceTask", "businessRuleTask"})
Side = str  # "left" | "right" | "top" | "bottom"


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


def center(b: Bounds) -> Point:
    return (b[0] + b[2] / 2, b[1] + b[3] / 2)


def side(b: Bounds, where: Side) -> Point:
    x, y, w, h = b
    return {
        "left": (x, y + h / 2),
        "right": (x + w, y + h / 2),
        "top": (x + w / 2, y),
        "bottom": (x + w / 2, y + h),
    }[where]


# --------------------------------------------------------------------------- routes


def route(s: Node, t: Node, how: tuple | None, col_center: Sequence[float]) -> list[Point]:
    """Waypoints from ``s`` to ``t``: automatic when ``how`` is None, else as asked."""
    if how is None:
        return _automatic(s, t)
    return _explicit(s.bounds, t.bounds, how, col_center)


def _automatic(s: Node, t: Node) -> list[Point]:
    """Straight when aligned, else one or two right-angle turns chosen by node kind."""
    sb, tb = s.bounds, t.bounds
    (sx, sy), (tx, ty) = center(sb), center(tb)
    if s.kind == "boundaryEvent":
        p0 = side(sb, "bottom")
        if abs(p0[0] - tx) < 1:
            return [p0, side(tb, "top")]
        return [p0, (p0[0], ty), side(tb, "left" if tx > p0[0] else "right")]
    if abs(sy - ty) < 1:
        if tx > sx:
            return [side(sb, "right"), side(tb, "left")]
        return [side(sb, "left"), side(tb, "right")]
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


def _explicit(sb: Bounds, tb: Bounds, how: tuple, col_center: Sequence[float]) -> list[Point]:
    """The routes a process definition may ask for by name."""
    (_, sy), (tx, ty) = center(sb), center(tb)
    kind = how[0]
    if kind == "hv":  # leave right, enter the target from above or below
        return [side(sb, "right"), (tx, sy), side(tb, "top" if ty > sy else "bottom")]
    if kind == "split":  # leave right, turn at x, enter left
        x = how[1]
        return [side(sb, "right"), (x, sy), (x, ty), side(tb, "left")]
    if kind == "split_after":  # like split, at a column centre plus an offset
        x = col_center[how[1]] + how[2]
        return [side(sb, "right"), (x, sy), (x, ty), side(tb, "left")]
    if kind == "channel":  # leave top/bottom, run along y, enter top/bottom
        _, y, s_side, t_side = how
        p0, p1 = side(sb, s_side), side(tb, t_side)
        return [p0, (p0[0], y), (p1[0], y), p1]
    if kind == "points":
        _, s_side, pts, t_side = how
        return [side(sb, s_side), *pts, side(tb, t_side)]
    raise ValueError(f"unknown route {how}")


# --------------------------------------------------------------------------- labels


def node_label(n: Node) -> Bounds | None:
    """Label box of an event or gateway (tasks carry their name inside the shape)."""
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


def flow_label(f: Flow) -> Bounds | None:
    """Label box of a named flow: above its first long horizontal segment."""
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
