"""The CII files of ``bpmn/`` read as the static tests need them: paths, namespaces,
the diagram's geometry and one `Model` per BPMN file, shared by the test modules here."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
BPMN_FILES = sorted(BPMN_DIR.glob("*.bpmn"))
DMN_FILES = sorted(BPMN_DIR.glob("*.dmn"))

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "dmndc": "http://www.omg.org/spec/DMN/20180521/DC/",
}
CAM = "{{{}}}".format(NS["camunda"])

EXPECTED_PROCESSES = {"cii_case.bpmn": "cii_case", "pai.bpmn": "pai", "orp_bip.bpmn": "orp_bip"}
EXPECTED_DECISIONS = {
    "cii_triage.dmn": "cii_triage",
    "lias_young_adult.dmn": "lias_young_adult",
    "lias_repayment.dmn": "lias_repayment",
    "lias_training.dmn": "lias_training",
}
ALLOWED_TOPICS = {"pai-quota", "pai-quota-release", "notify-partners"}
GROUP_PATTERNS = [
    r"cii-cantonal",
    r"cii-team-\$\{region\}",
    r"orp-\$\{region\}",
    r"oai",
    r"cms-\$\{cmsr\}",
    r"sas",
    r"commune-\$\{commune\}",
    r"oasi-bip",
]
FLOW_NODE_TAGS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "userTask",
    "serviceTask",
    "businessRuleTask",
    "manualTask",
    "task",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "callActivity",
    "subProcess",
}
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
# a deadline counted in working days (engine.calendar): the end of the n-th working day
WORKING_DAYS = re.compile(r"^\$\{workingDays\(\d+\)\}$")
ISO_CYCLE = re.compile(r"^R\d*/(P.+)$")
PERSONAL_DATA_NAMES = {
    "name",
    "first_name",
    "last_name",
    "surname",
    "avs",
    "avs_number",
    "ahv",
    "birth_date",
    "address",
    "phone",
    "email",
}
FORM_TYPES = {"string", "long", "boolean", "date", "enum"}
CONSTRAINTS = {"required", "min", "max", "minlength", "maxlength", "readonly"}

Box = tuple[float, float, float, float]


def parse(path: Path) -> etree._ElementTree:
    """Parse without entity expansion or network access, as the engine should."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.parse(str(path), parser)


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def flow_nodes(proc: etree._Element) -> list[etree._Element]:
    return [el for el in proc if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS]


def bounds(shape: etree._Element) -> Box:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def on_border(p: tuple[float, float], b: Box, tol: float = 1.5) -> bool:
    """A waypoint touches a shape: on its rectangle border or on a gateway/event outline box."""
    x, y = p
    within = b[0] - tol <= x <= b[0] + b[2] + tol and b[1] - tol <= y <= b[1] + b[3] + tol
    near_edge = (
        min(abs(x - b[0]), abs(x - b[0] - b[2])) <= tol
        or min(abs(y - b[1]), abs(y - b[1] - b[3])) <= tol
    )
    return within and near_edge


def segment_hits(
    a: tuple[float, float], b: tuple[float, float], box: Box, margin: float = 2
) -> bool:
    """An orthogonal segment passes through the interior of a box."""
    x0, y0, w, h = box[0] + margin, box[1] + margin, box[2] - 2 * margin, box[3] - 2 * margin
    if abs(a[1] - b[1]) < 0.5:  # horizontal
        lo, hi = sorted((a[0], b[0]))
        return y0 < a[1] < y0 + h and lo < x0 + w and hi > x0
    lo, hi = sorted((a[1], b[1]))
    return x0 < a[0] < x0 + w and lo < y0 + h and hi > y0


class Model:
    """One BPMN file with its process, shapes and edges indexed by element id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = parse(path)
        self.root = self.tree.getroot()
        self.processes = self.root.findall("bpmn:process", NS)
        self.proc = self.processes[0]
        self.nodes = {n.get("id"): n for n in flow_nodes(self.proc)}
        self.flows = {f.get("id"): f for f in self.proc.findall("bpmn:sequenceFlow", NS)}
        self.shapes = {
            s.get("bpmnElement"): s for s in self.root.iter("{{{}}}BPMNShape".format(NS["bpmndi"]))
        }
        self.edges = {
            e.get("bpmnElement"): e for e in self.root.iter("{{{}}}BPMNEdge".format(NS["bpmndi"]))
        }
        self.lanes = self.proc.findall(".//bpmn:lane", NS)

    def box(self, element_id: str) -> Box:
        return bounds(self.shapes[element_id])

    def waypoints(self, flow_id: str) -> list[tuple[float, float]]:
        return [
            (float(w.get("x")), float(w.get("y")))
            for w in self.edges[flow_id].findall("di:waypoint", NS)
        ]



def enum_ids(m: Model, node_id: str, field_id: str) -> list[str]:
    field = m.nodes[node_id].find(
        f"bpmn:extensionElements/camunda:formData/camunda:formField[@id='{field_id}']", NS
    )
    return [v.get("id") for v in field.findall("camunda:value", NS)]

