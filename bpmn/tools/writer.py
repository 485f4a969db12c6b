"""The one place that knows how Camunda Modeler 5 spells a file on disk.

Three writers grew apart here: the product generator (``bpmn/*.bpmn``, ``*.dmn``),
the Modeler corpus of the tests (``tests/modeler``) and the tiny processes the
engine tests build (``tests/support/bpmn.py``). They differ in layout, not in
what a Modeler file is, so the parts that must never drift live once, here:
namespaces and the exporter stamp, element sizes, shapes and edges of the
diagram interchange, escaping, and the serialisation (two-space indentation,
``" />"`` closers, as bpmn-js and dmn-js write them).

Elements are built as small :class:`Tag` trees rather than with lxml so that
hand-written fragments of XML (extension elements, event definitions) can be
placed in a tree verbatim, exactly as the tests spell them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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

BPMN_PREFIXES: dict[str, str] = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": DC,
    "di": DI,
    "camunda": CAMUNDA,
    "xsi": XSI,
    "modeler": MODELER,
}
DMN_PREFIXES: dict[str | None, str] = {
    None: DMN,
    "dmndi": DMNDI,
    "dc": DMN_DC,
    "modeler": MODELER,
    "camunda": CAMUNDA_DMN,
}

EXPORTER = "Camunda Modeler"
EXPORTER_VERSION = "5.28.0"
PLATFORM = "Camunda Platform"
PLATFORM_VERSION = "7.21.0"
BPMN_TARGET_NAMESPACE = "http://bpmn.io/schema/bpmn"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

ACTIVITY_SIZE = (100, 80)
EVENT_SIZE = (36, 36)
GATEWAY_SIZE = (50, 50)
EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAYS = frozenset(
    {"exclusiveGateway", "parallelGateway", "eventBasedGateway", "inclusiveGateway"}
)

Attrs = list[tuple[str, str]]
Point = tuple[float, float]
Bounds = tuple[float, float, float, float]  # x, y, width, height


def size(kind: str) -> tuple[int, int]:
    """Width and height the Modeler gives a new element of this kind (collapsed)."""
    if kind in EVENTS:
        return EVENT_SIZE
    if kind in GATEWAYS:
        return GATEWAY_SIZE
    return ACTIVITY_SIZE


# --------------------------------------------------------------------------- escaping


def escape_text(text: str) -> str:
    """Character data as libxml2 (and so the Modeler's files) escape it."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def quote(value: str) -> str:
    """An attribute value, double-quoted, escaped as libxml2 escapes it."""
    value = escape_text(value).replace('"', "&quot;")
    return '"' + value.replace("\n", "&#10;").replace("\t", "&#9;") + '"'


def num(value: float) -> str:
    """Diagram coordinates are whole pixels."""
    return str(int(round(value)))


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Raw:
    """Hand-written XML placed in a tree; re-indented to its depth unless ``verbatim``."""

    xml: str
    verbatim: bool = False

    def pretty(self, indent: str) -> str:
        if self.verbatim:
            return self.xml
        lines = textwrap.dedent(self.xml.strip("\n")).splitlines()
        return "".join(f"{indent}{line.rstrip()}\n" for line in lines if line.strip())

    def one_line(self) -> str:
        return self.xml


@dataclass
class Tag:
    """One element: ordered attributes, then text or children (never both).

    ``text=""`` writes an open/close pair, ``text=None`` without children a
    ``" />"`` closer. ``inline`` keeps the element and its content on one line.
    """

    name: str
    attrs: Attrs = field(default_factory=list)
    children: list[Tag | Raw] = field(default_factory=list)
    text: str | None = None
    inline: bool = False

    def set(self, name: str, value: str) -> Tag:
        self.attrs.append((name, value))
        return self

    def add(self, child: Tag) -> Tag:
        self.children.append(child)
        return child

    def sub(self, name: str, attrs: Attrs | None = None, text: str | None = None) -> Tag:
        """Append and return a child element."""
        return self.add(Tag(name, list(attrs or []), text=text))

    def raw(self, xml: str, verbatim: bool = False) -> Tag:
        """Append hand-written XML; return self."""
        self.children.append(Raw(xml, verbatim))
        return self

    def keep_open(self) -> Tag:
        """Write ``<x>`` and ``</x>`` on their own lines even if no child follows."""
        return self.raw("", verbatim=True)

    def _open(self) -> str:
        return f"<{self.name}" + "".join(f" {k}={quote(v)}" for k, v in self.attrs)

    def pretty(self, indent: str = "") -> str:
        """Two-space indented, one element per line, as the Modeler saves."""
        if self.inline:
            return f"{indent}{self.one_line()}\n"
        if not self.children:
            if self.text is None:
                return f"{indent}{self._open()} />\n"
            return f"{indent}{self._open()}>{escape_text(self.text)}</{self.name}>\n"
        inner = "".join(child.pretty(indent + "  ") for child in self.children)
        return f"{indent}{self._open()}>\n{inner}{indent}</{self.name}>\n"

    def one_line(self) -> str:
        if not self.children and self.text is None:
            return f"{self._open()} />"
        inner = escape_text(self.text or "") + "".join(c.one_line() for c in self.children)
        return f"{self._open()}>{inner}</{self.name}>"


def document(root: Tag) -> str:
    """The whole file: XML declaration, then the tree."""
    return DECLARATION + root.pretty()


# --------------------------------------------------------------------------- headers


def xmlns(prefixes: Iterable[str | None], table: dict[str | None, str] | None = None) -> Attrs:
    """Namespace declarations in the order given (each writer keeps its own order)."""
    known: dict[str | None, str] = table if table is not None else dict(BPMN_PREFIXES)
    return [("xmlns" if p is None else f"xmlns:{p}", known[p]) for p in prefixes]


def exporter_stamp() -> Attrs:
    """Which tool wrote the file and for which engine: the Modeler picks its properties
    panel (Camunda 7) from the execution platform."""
    return [
        ("exporter", EXPORTER),
        ("exporterVersion", EXPORTER_VERSION),
        ("modeler:executionPlatform", PLATFORM),
        ("modeler:executionPlatformVersion", PLATFORM_VERSION),
    ]


def bpmn_definitions(definitions_id: str, prefixes: Sequence[str] = tuple(BPMN_PREFIXES)) -> Tag:
    """The root of a BPMN file, namespaces first, then id, target namespace and stamp."""
    attrs = [
        *xmlns(prefixes),
        ("id", definitions_id),
        ("targetNamespace", BPMN_TARGET_NAMESPACE),
        *exporter_stamp(),
    ]
    return Tag("bpmn:definitions", attrs)


def dmn_definitions(definitions_id: str, name: str) -> Tag:
    """The root of a DMN file (DMN elements in the default namespace, as dmn-js writes)."""
    attrs = [
        *xmlns(DMN_PREFIXES, DMN_PREFIXES),
        ("id", definitions_id),
        ("name", name),
        ("namespace", CAMUNDA_DMN),
        *exporter_stamp(),
    ]
    return Tag("definitions", attrs)


# --------------------------------------------------------------------------- diagram


def bounds(b: Bounds) -> Tag:
    x, y, w, h = b
    return Tag("dc:Bounds", [("x", num(x)), ("y", num(y)), ("width", num(w)), ("height", num(h))])


def shape(element: str, b: Bounds, label: Bounds | None = None, flags: Attrs = ()) -> Tag:
    """A ``BPMNShape`` with its bounds and, for labelled events and gateways, label bounds."""
    tag = Tag("bpmndi:BPMNShape", [("id", f"{element}_di"), ("bpmnElement", element), *flags])
    tag.add(bounds(b))
    if label is not None:
        tag.sub("bpmndi:BPMNLabel").add(bounds(label))
    return tag


def edge(flow: str, waypoints: Iterable[Point], label: Bounds | None = None) -> Tag:
    """A ``BPMNEdge``: the waypoints of a sequence flow and its label bounds."""
    tag = Tag("bpmndi:BPMNEdge", [("id", f"{flow}_di"), ("bpmnElement", flow)])
    for x, y in waypoints:
        tag.sub("di:waypoint", [("x", num(x)), ("y", num(y))])
    if label is not None:
        tag.sub("bpmndi:BPMNLabel").add(bounds(label))
    return tag


def diagram(suffix: str, element: str) -> tuple[Tag, Tag]:
    """``BPMNDiagram`` and its ``BPMNPlane`` on ``element`` (process or collaboration)."""
    dia = Tag("bpmndi:BPMNDiagram", [("id", f"BPMNDiagram_{suffix}")])
    plane = dia.sub("bpmndi:BPMNPlane", [("id", f"BPMNPlane_{suffix}"), ("bpmnElement", element)])
    plane.keep_open()
    return dia, plane


# --------------------------------------------------------------------------- process


def formal_expression(name: str, text: str) -> Tag:
    """A ``bpmn:tFormalExpression`` (conditions, timer values, loop cardinality)."""
    return Tag(name, [("xsi:type", "bpmn:tFormalExpression")], text=text)


def sequence_flow(
    flow_id: str, source: str, target: str, name: str | None = None, condition: str | None = None
) -> Tag:
    """A sequence flow, its condition as a JUEL ``conditionExpression`` child."""
    tag = Tag("bpmn:sequenceFlow", [("id", flow_id)])
    if name:
        tag.set("name", name)
    tag.set("sourceRef", source).set("targetRef", target)
    if condition is not None:
        tag.add(formal_expression("bpmn:conditionExpression", condition))
    return tag
