"""Render the BPMN diagrams in ``bpmn/`` to SVG images in ``docs/img/``.

Why our own renderer: the documentation should show exactly the diagram
interchange stored in the files (the bounds and waypoints Camunda Modeler
draws), without a browser or a Node toolchain in CI. It draws only what our
files use: pool and lanes, tasks (user, service, business rule), start,
end, timer and boundary events, exclusive gateways, sequence flows with
their labels, default-flow and condition markers.

Usage: ``.venv/bin/python docs/render.py`` (all files) or with BPMN paths.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FONT = 'font-family="Arial, Helvetica, sans-serif"'
TASK_FILL = {"userTask": "#fffbe6", "serviceTask": "#eef5ff", "businessRuleTask": "#f0fff0"}
TASK_MARK = {"userTask": "utilisateur", "serviceTask": "service externe", "businessRuleTask": "DMN"}

Box = tuple[float, float, float, float]


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap with an average glyph width of 0.55 em."""
    max_chars = max(4, int(width / (size * 0.55)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > max_chars and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def text_block(
    text: str, box: Box, size: float = 11, anchor: str = "middle", valign: str = "middle"
) -> str:
    x, y, w, h = box
    lines = wrap(text, w, size)
    line_h = size * 1.2
    total = line_h * len(lines)
    top = y + (h - total) / 2 if valign == "middle" else y
    tx = x + w / 2 if anchor == "middle" else x
    spans = "".join(
        f'<tspan x="{tx:.0f}" y="{top + line_h * (i + 0.8):.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text {FONT} font-size="{size}" text-anchor="{anchor}" fill="#222">{spans}</text>'


def bounds(el: etree._Element) -> Box:
    b = el.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def clock(cx: float, cy: float, r: float) -> str:
    return (
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="white" stroke="#222" stroke-width="1"/>'
        f'<line x1="{cx}" y1="{cy}" x2="{cx}" y2="{cy - r * 0.7}" stroke="#222"/>'
        f'<line x1="{cx}" y1="{cy}" x2="{cx + r * 0.5}" y2="{cy + r * 0.1}" stroke="#222"/>'
    )


def render(path: Path) -> str:
    """Return the SVG text for one BPMN file."""
    root = etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    shapes = list(root.iter("{{{}}}BPMNShape".format(NS["bpmndi"])))
    edges = list(root.iter("{{{}}}BPMNEdge".format(NS["bpmndi"])))
    defaults = {el.get("default") for el in elements.values() if el.get("default")}

    xs, ys = [], []
    for s in shapes:
        x, y, w, h = bounds(s)
        xs += [x, x + w]
        ys += [y, y + h]
    min_x, min_y = min(xs) - 20, min(ys) - 20
    width, height = max(xs) - min_x + 20, max(ys) - min_y + 20

    back: list[str] = []
    front: list[str] = []
    for s in shapes:
        el = elements[s.get("bpmnElement")]
        kind = etree.QName(el).localname
        x, y, w, h = bounds(s)
        name = el.get("name") or ""
        if kind in ("participant", "lane"):
            back.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{h}" '
                f'fill="{"#fafafa" if kind == "participant" else "none"}" '
                f'stroke="#444" stroke-width="{1.5 if kind == "participant" else 1}"/>'
            )
            cx, cy = x + 15, y + h / 2
            lines = wrap(name, h - 10, 12)
            spans = "".join(
                f'<tspan x="{cx}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
                for i, line in enumerate(lines)
            )
            back.append(
                f'<text {FONT} font-size="12" text-anchor="middle" transform="rotate(-90 {cx} '
                f'{cy})" '
                f'x="{cx}" y="{cy - 6 * (len(lines) - 1) + 4}">{spans}</text>'
            )
            if kind == "participant":
                back.append(
                    f'<line x1="{x + 30}" y1="{y}" x2="{x + 30}" y2="{y + h}" stroke="#444"/>'
                )
            continue
        if kind in ("userTask", "serviceTask", "businessRuleTask"):
            front.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="{TASK_FILL[kind]}" '
                f'stroke="#222" stroke-width="1.5"/>'
            )
            front.append(
                f'<text {FONT} font-size="8" x="{x + 6}" y="{y + 11}" '
                f'fill="#777">{TASK_MARK[kind]}</text>'
            )
            front.append(text_block(name, (x + 4, y + 10, w - 8, h - 12), 11))
        elif kind == "exclusiveGateway":
            cx, cy = x + w / 2, y + h / 2
            front.append(
                f'<polygon points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}" fill="white" '
                f'stroke="#222" stroke-width="1.5"/>'
            )
            d = w * 0.18
            front.append(
                f'<path d="M{cx - d},{cy - d} L{cx + d},{cy + d} M{cx + d},{cy - d} '
                f'L{cx - d},{cy + d}" '
                f'stroke="#222" stroke-width="3"/>'
            )
        elif kind.endswith("Event"):
            cx, cy, r = x + w / 2, y + h / 2, w / 2
            stroke = 4 if kind == "endEvent" else 1.5
            dash = ' stroke-dasharray="4 2"' if el.get("cancelActivity") == "false" else ""
            fill = (
                "#fdecea"
                if kind == "endEvent"
                else ("#eaf7ea" if kind == "startEvent" else "white")
            )
            front.append(
                f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}" stroke="#222" '
                f'stroke-width="{stroke}"{dash}/>'
            )
            if kind in ("intermediateCatchEvent", "boundaryEvent"):
                front.append(
                    f'<circle cx="{cx}" cy="{cy}" r="{r - 3}" fill="none" stroke="#222"{dash}/>'
                )
            if el.find("bpmn:timerEventDefinition", NS) is not None:
                front.append(clock(cx, cy, r - 7))
            if el.find("bpmn:terminateEventDefinition", NS) is not None:
                front.append(f'<circle cx="{cx}" cy="{cy}" r="{r - 7}" fill="#222"/>')
        label = s.find("bpmndi:BPMNLabel", NS)
        if (
            label is not None
            and name
            and kind not in ("userTask", "serviceTask", "businessRuleTask")
        ):
            front.append(text_block(name, bounds(label), 10))

    lines_svg: list[str] = []
    for e in edges:
        flow = elements[e.get("bpmnElement")]
        pts = [(float(w.get("x")), float(w.get("y"))) for w in e.findall("di:waypoint", NS)]
        d = " ".join(f"{x},{y}" for x, y in pts)
        lines_svg.append(
            f'<polyline points="{d}" fill="none" stroke="#333" stroke-width="1.3" '
            f'marker-end="url(#arrow)"/>'
        )
        if flow.get("id") in defaults and len(pts) > 1:
            (x0, y0), (x1, y1) = pts[0], pts[1]
            length = max(1.0, ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            mx, my = x0 + ux * 10, y0 + uy * 10
            lines_svg.append(
                f'<line x1="{mx - 5 * uy - 4 * ux}" y1="{my + 5 * ux - 4 * uy}" '
                f'x2="{mx + 5 * uy + 4 * ux}" y2="{my - 5 * ux + 4 * uy}" stroke="#333" '
                f'stroke-width="1.3"/>'
            )
        label = e.find("bpmndi:BPMNLabel", NS)
        if label is not None and flow.get("name"):
            lines_svg.append(
                text_block(flow.get("name"), bounds(label), 10, anchor="start", valign="top")
            )

    title = escape(root.find("bpmn:process", NS).get("name") or path.stem)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{min_x} {min_y} {width} {height}" '
        f'width="{width:.0f}" height="{height:.0f}">\n<title>{title}</title>\n'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>\n'
        f'<rect x="{min_x}" y="{min_y}" width="{width}" height="{height}" fill="white"/>\n'
        + "\n".join(back + lines_svg + front)
        + "\n</svg>\n"
    )


def main(argv: list[str]) -> None:
    """Render the given BPMN files, or every file in bpmn/."""
    paths = [Path(a) for a in argv] or sorted((ROOT / "bpmn").glob("*.bpmn"))
    OUT.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = OUT / f"{path.stem}.svg"
        target.write_text(render(path), encoding="utf-8")
        print("wrote", target.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
