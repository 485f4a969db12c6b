"""Static checks of the deployable process files in ``bpmn/``.

Why static: these tests must fail in the Modeler-to-Git loop (a process owner
saved a file that ciiflow would refuse, or that is unreadable in the Modeler)
without needing the engine. They check XML and schema validity, the Camunda
Modeler 5 header, complete and readable diagram interchange, the engine's
constraints (no scripts, JUEL conditions, external topics, ISO durations,
candidate groups), that stock SpiffWorkflow can build a spec from each BPMN
file, and that the decision tables give the documented answers in
``bpmn/decision_cases.yaml`` (with a small FEEL unary-test evaluator here, so
the documented table and the DMN cannot drift apart).
"""

from __future__ import annotations

import ast
import operator
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from tests.conftest import cii_handlers

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


@pytest.fixture(scope="module", params=BPMN_FILES, ids=lambda p: p.name)
def model(request: pytest.FixtureRequest) -> Model:
    return Model(request.param)


# ----------------------------------------------------------------------------- files and schema


def test_expected_files_exist() -> None:
    names = {p.name for p in BPMN_FILES} | {p.name for p in DMN_FILES}
    assert set(EXPECTED_PROCESSES) | set(EXPECTED_DECISIONS) <= names
    assert (BPMN_DIR / "directory.yaml").is_file()
    assert (BPMN_DIR / "decision_cases.yaml").is_file()


@pytest.mark.parametrize("path", BPMN_FILES + DMN_FILES, ids=lambda p: p.name)
def test_parses_and_has_modeler_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<!DOCTYPE" not in text and "<!ENTITY" not in text
    root = parse(path).getroot()
    assert root.get("exporter") == "Camunda Modeler"
    assert root.get("exporterVersion", "").startswith("5.")
    assert root.get("{{{}}}executionPlatform".format(NS["modeler"])) == "Camunda Platform"
    assert root.get("{{{}}}executionPlatformVersion".format(NS["modeler"]), "").startswith("7.")


def _validator(xsd: str) -> Any:
    spiff = pytest.importorskip("SpiffWorkflow.bpmn.parser.BpmnParser")
    return spiff.BpmnValidator(xsd) if xsd else spiff.BpmnValidator()


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmn_valid_against_xsd(path: Path) -> None:
    """BPMN 2.0 XSD shipped by SpiffWorkflow (extension attributes are lax ##other)."""
    _validator("").validate(parse(path).getroot(), str(path))


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_dmn_valid_against_xsd(path: Path) -> None:
    from SpiffWorkflow.dmn.parser.BpmnDmnParser import XSD_DIR

    _validator(os.path.join(XSD_DIR, "DMN13.xsd")).validate(parse(path).getroot(), str(path))


def test_xsd_check_is_not_vacuous(tmp_path: Path) -> None:
    """A broken file must fail the same validation (guards against a no-op validator)."""
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

    broken = (
        (BPMN_DIR / "orp_bip.bpmn")
        .read_text(encoding="utf-8")
        .replace('isExecutable="true"', 'isExecutable="maybe"')
    )
    path = tmp_path / "broken.bpmn"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValidationException):
        _validator("").validate(parse(path).getroot(), str(path))


# ----------------------------------------------------------------------------- structure


def test_one_pool_per_process(model: Model) -> None:
    assert len(model.processes) == 1
    proc = model.proc
    assert proc.get("id") == EXPECTED_PROCESSES[model.path.name]
    assert proc.get("isExecutable") == "true"
    participants = model.root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert [p.get("processRef") for p in participants] == [proc.get("id")]
    pool = model.shapes[participants[0].get("id")]
    assert pool.get("isHorizontal") == "true"


def test_ids_and_forbidden_elements(model: Model) -> None:
    # camunda:formField / camunda:value ids are per form, so only BPMN and DI ids must be unique
    ids = [
        el.get("id")
        for el in model.root.iter()
        if isinstance(el.tag, str)
        and el.get("id")
        and etree.QName(el).namespace in (NS["bpmn"], NS["bpmndi"])
    ]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert not {"Start", "End"} & set(ids)
    assert not model.root.findall(".//bpmn:scriptTask", NS)
    assert not model.root.findall(".//camunda:script", NS)
    assert not model.root.findall(".//camunda:executionListener", NS)
    assert not model.root.findall(".//camunda:taskListener", NS)
    for el in model.root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("class", "expression", "delegateExpression"):
            assert el.get(CAM + attr) is None, f"{el.get('id')}: camunda:{attr} is not allowed"
        assert el.get("scriptFormat") is None


def test_every_flow_node_in_exactly_one_lane_and_inside_it(model: Model) -> None:
    seen: dict[str, str] = {}
    for lane in model.lanes:
        lane_shape = model.shapes[lane.get("id")]
        assert lane_shape.get("isHorizontal") == "true"
        lane_box = bounds(lane_shape)
        assert 120 <= lane_box[3] <= 200, f"lane {lane.get('id')} height {lane_box[3]}"
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            node_id = ref.text
            assert node_id in model.nodes, f"lane refers to unknown node {node_id}"
            assert node_id not in seen, f"{node_id} in two lanes"
            seen[node_id] = lane.get("id")
            assert inside(model.box(node_id), lane_box), f"{node_id} outside lane {lane.get('id')}"
    assert set(seen) == set(model.nodes), f"nodes without lane: {set(model.nodes) - set(seen)}"


def test_lanes_inside_pool(model: Model) -> None:
    pool = model.box(model.root.find("bpmn:collaboration/bpmn:participant", NS).get("id"))
    for lane in model.lanes:
        assert inside(model.box(lane.get("id")), pool)


def test_every_node_has_a_shape_and_every_flow_an_edge(model: Model) -> None:
    assert set(model.nodes) <= set(model.shapes)
    assert set(model.flows) <= set(model.edges)
    for fid in model.flows:
        assert len(model.waypoints(fid)) >= 2


def test_no_overlapping_shapes(model: Model) -> None:
    ids = list(model.nodes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            host_pair = (
                model.nodes[a].get("attachedToRef") == b or model.nodes[b].get("attachedToRef") == a
            )
            if not host_pair:
                assert not overlap(model.box(a), model.box(b)), f"{a} overlaps {b}"


def test_edges_are_orthogonal_and_attached(model: Model) -> None:
    for fid, flow in model.flows.items():
        pts = model.waypoints(fid)
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            assert abs(x0 - x1) < 0.5 or abs(y0 - y1) < 0.5, f"{fid} has a diagonal segment"
        assert on_border(pts[0], model.box(flow.get("sourceRef"))), (
            f"{fid} does not start on its source"
        )
        assert on_border(pts[-1], model.box(flow.get("targetRef"))), (
            f"{fid} does not end on its target"
        )


def test_edges_do_not_cross_unrelated_shapes(model: Model) -> None:
    for fid, flow in model.flows.items():
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        ends |= {
            model.nodes[e].get("attachedToRef")
            for e in list(ends)
            if model.nodes[e].get("attachedToRef")
        }
        pts = model.waypoints(fid)
        for nid in model.nodes:
            if nid in ends:
                continue
            for a, b in zip(pts, pts[1:], strict=False):
                assert not segment_hits(a, b, model.box(nid)), f"{fid} crosses {nid}"


def test_labels_on_gateways_events_and_conditional_flows(model: Model) -> None:
    for nid, node in model.nodes.items():
        kind = local(node)
        if node.get("name") and (kind.endswith("Event") or kind.endswith("Gateway")):
            assert model.shapes[nid].find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None, nid
    for fid, flow in model.flows.items():
        if flow.get("name"):
            assert model.edges[fid].find("bpmndi:BPMNLabel/dc:Bounds", NS) is not None, fid


def test_labels_do_not_cover_shapes(model: Model) -> None:
    for nid, shape in [*model.shapes.items(), *model.edges.items()]:
        label = shape.find("bpmndi:BPMNLabel/dc:Bounds", NS)
        if label is None:
            continue
        lb = tuple(float(label.get(k)) for k in ("x", "y", "width", "height"))
        for other in model.nodes:
            if other != nid and model.nodes[other].get("attachedToRef") != nid:
                assert not overlap(lb, model.box(other)), f"label of {nid} covers {other}"  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- engine constraints


def test_gateways_have_conditions_or_default(model: Model) -> None:
    for nid, node in model.nodes.items():
        if local(node) != "exclusiveGateway":
            continue
        outgoing = [f for f in model.flows.values() if f.get("sourceRef") == nid]
        if len(outgoing) < 2:
            continue
        default = node.get("default")
        for f in outgoing:
            cond = f.find("bpmn:conditionExpression", NS)
            if f.get("id") == default:
                assert cond is None, f"default flow {f.get('id')} must not carry a condition"
                continue
            assert cond is not None, (
                f"{f.get('id')} from {nid} has no condition and is not the default"
            )
            assert cond.get("{{{}}}type".format(NS["xsi"])) == "bpmn:tFormalExpression"
            text = (cond.text or "").strip()
            assert re.fullmatch(r"\$\{[^{}]+\}", text), (
                f"{f.get('id')}: condition {text!r} is not JUEL ${{...}}"
            )
            assert "__" not in text and "import" not in text


def test_conditions_only_on_gateway_flows(model: Model) -> None:
    for fid, flow in model.flows.items():
        if flow.find("bpmn:conditionExpression", NS) is not None:
            assert local(model.nodes[flow.get("sourceRef")]) == "exclusiveGateway", fid


def test_user_tasks(model: Model) -> None:
    for nid, node in model.nodes.items():
        if local(node) != "userTask":
            continue
        groups = node.get(CAM + "candidateGroups")
        assert groups, f"{nid} has no candidate groups"
        for g in groups.split(","):
            assert any(re.fullmatch(p, g.strip()) for p in GROUP_PATTERNS), (
                f"{nid}: unknown group {g}"
            )
        due = node.get(CAM + "dueDate")
        assert due and (ISO_DURATION.match(due) or WORKING_DAYS.match(due)), (
            f"{nid}: dueDate {due!r} is neither an ISO duration nor ${{workingDays(n)}}")
        fields = node.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS)
        assert fields, f"{nid} has no form"
        props = {
            p.get("name"): p.get("value")
            for p in node.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
        }
        assert "ciiflow.expose" in props, f"{nid} lacks ciiflow.expose"
        exposed = {v.strip() for v in props["ciiflow.expose"].split(",")}
        assert not exposed & PERSONAL_DATA_NAMES, f"{nid} exposes personal data"


@pytest.mark.parametrize("tag", ["userTask", "startEvent"])
def test_form_fields(model: Model, tag: str) -> None:
    for node in model.proc.findall(f"bpmn:{tag}", NS):
        for field in node.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS):
            fid = field.get("id")
            assert re.fullmatch(r"[a-z][a-z0-9_]*", fid), fid
            assert fid not in PERSONAL_DATA_NAMES
            assert field.get("label")
            assert field.get("type") in FORM_TYPES, f"{fid}: type {field.get('type')}"
            values = field.findall("camunda:value", NS)
            assert bool(values) == (field.get("type") == "enum"), f"{fid}: enum values"
            for c in field.findall("camunda:validation/camunda:constraint", NS):
                assert c.get("name") in CONSTRAINTS
                if c.get("name") != "required" and c.get("name") != "readonly":
                    assert re.fullmatch(r"\d+", c.get("config", "")), (
                        f"{fid}: {c.get('name')} config"
                    )


def test_service_and_business_rule_tasks(model: Model) -> None:
    handlers = cii_handlers()
    for nid, node in model.nodes.items():
        if local(node) == "serviceTask":
            assert node.get(CAM + "type") == "external", nid
            assert node.get(CAM + "topic") in ALLOWED_TOPICS, nid
            # every topic of the CII files is done by a handler ciiflow registers
            assert handlers.lookup("topic", node.get(CAM + "topic")) is not None, nid
        if local(node) == "businessRuleTask":
            ref = node.get(CAM + "decisionRef")
            assert f"{ref}.dmn" in EXPECTED_DECISIONS, nid
            assert node.get(CAM + "mapDecisionResult") == "singleResult"
            assert node.get(CAM + "resultVariable")


def test_timers_are_iso(model: Model) -> None:
    for ted in model.proc.iter("{{{}}}timerEventDefinition".format(NS["bpmn"])):
        children = [c for c in ted if isinstance(c.tag, str)]
        assert len(children) == 1
        kind, text = local(children[0]), (children[0].text or "").strip()
        assert children[0].get("{{{}}}type".format(NS["xsi"])) == "bpmn:tFormalExpression"
        if kind == "timeDuration":
            assert ISO_DURATION.match(text), text
        elif kind == "timeDate":
            assert WORKING_DAYS.match(text), text
        elif kind == "timeCycle":
            m = ISO_CYCLE.match(text)
            assert m and ISO_DURATION.match(m.group(1)), text
        else:
            pytest.fail(f"unexpected timer {kind}")


def test_boundary_reminders_do_not_block(model: Model) -> None:
    """Reminder/escalation/review paths are non-interrupting and end in their own end event."""
    for nid, node in model.nodes.items():
        if local(node) != "boundaryEvent":
            continue
        assert node.get("cancelActivity") == "false", nid
        current, hops = nid, 0
        while local(model.nodes[current]) != "endEvent":
            outs = [
                f.get("targetRef") for f in model.flows.values() if f.get("sourceRef") == current
            ]
            assert len(outs) == 1, f"{current}: a reminder path must be a simple chain"
            current, hops = outs[0], hops + 1
            assert hops < 5
        incoming = [f for f in model.flows.values() if f.get("targetRef") == current]
        assert len(incoming) == 1, f"{current} must be the reminder path's own end"


def test_every_node_reachable_and_ends_reachable(model: Model) -> None:
    succ: dict[str, list[str]] = {n: [] for n in model.nodes}
    for f in model.flows.values():
        succ[f.get("sourceRef")].append(f.get("targetRef"))
    for nid, node in model.nodes.items():
        if local(node) == "boundaryEvent":
            succ[node.get("attachedToRef")].append(nid)
    starts = [n for n, el in model.nodes.items() if local(el) == "startEvent"]
    assert len(starts) == 1
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in succ[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(model.nodes), f"unreachable: {set(model.nodes) - seen}"
    for nid, node in model.nodes.items():
        if local(node) != "endEvent":
            assert succ[nid], f"{nid} is a dead end"


def test_cii_case_preavis_and_approval_have_reminder_and_escalation() -> None:
    m = Model(BPMN_DIR / "cii_case.bpmn")
    for task, due in (("sas_preavis_task", "${workingDays(10)}"),
                      ("commune_approval_task", "P30D")):
        assert m.nodes[task].get(CAM + "dueDate") == due
        boundaries = [n for n in m.nodes.values() if n.get("attachedToRef") == task]
        targets = []
        for b in boundaries:
            flow = next(f for f in m.flows.values() if f.get("sourceRef") == b.get("id"))
            targets.append(m.nodes[flow.get("targetRef")].get(CAM + "candidateGroups"))
        assert "cii-cantonal" in targets and len(boundaries) == 2


def test_stock_spiffworkflow_builds_each_spec() -> None:
    """Stock CamundaParser accepts our files (ciiflow extends it; it must not need to)."""
    from SpiffWorkflow.camunda.parser import CamundaParser

    for name, pid in EXPECTED_PROCESSES.items():
        parser = CamundaParser()
        parser.add_bpmn_file(str(BPMN_DIR / name))
        if pid == "cii_case":
            parser.add_dmn_file(str(BPMN_DIR / "cii_triage.dmn"))
        spec = parser.get_spec(pid)
        user_tasks = {t.bpmn_id for t in spec.task_specs.values() if type(t).__name__ == "UserTask"}
        assert user_tasks
        lanes = {t.lane for t in spec.task_specs.values() if getattr(t, "lane", None)}
        assert lanes


# ----------------------------------------------------------------------------- DMN


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_dmn_structure(path: Path) -> None:
    root = parse(path).getroot()
    assert root.tag == "{{{}}}definitions".format(NS["dmn"])
    decisions = root.findall("dmn:decision", NS)
    assert [d.get("id") for d in decisions] == [EXPECTED_DECISIONS[path.name]]
    shapes = {s.get("dmnElementRef") for s in root.iter("{{{}}}DMNShape".format(NS["dmndi"]))}
    assert {d.get("id") for d in decisions} <= shapes
    for d in decisions:
        table = d.find("dmn:decisionTable", NS)
        assert table.get("hitPolicy") in {"FIRST", "UNIQUE"}
        n_in, n_out = len(table.findall("dmn:input", NS)), len(table.findall("dmn:output", NS))
        for rule in table.findall("dmn:rule", NS):
            assert len(rule.findall("dmn:inputEntry", NS)) == n_in
            assert len(rule.findall("dmn:outputEntry", NS)) == n_out
            for cell in rule.findall("dmn:inputEntry/dmn:text", NS):
                parse_unary(cell.text or "")  # raises on FEEL we do not expect


def test_triage_outputs_match_the_services_of_the_process() -> None:
    table = load_decision(BPMN_DIR / "cii_triage.dmn")
    services = {
        opt_id
        for opt_id in _enum_ids(Model(BPMN_DIR / "cii_case.bpmn"), "triage_confirm_task", "service")
    }
    produced = {row["outputs"]["service"] for row in table["rules"]}
    assert produced <= services
    outputs = {o["name"] for o in table["outputs"]}
    assert {"service", "rationale"} <= outputs


def _enum_ids(m: Model, node_id: str, field_id: str) -> list[str]:
    field = m.nodes[node_id].find(
        f"bpmn:extensionElements/camunda:formData/camunda:formField[@id='{field_id}']", NS
    )
    return [v.get("id") for v in field.findall("camunda:value", NS)]


# ------------------------------------------- a small FEEL evaluator for the documented test table

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text in ("", "null"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    raise ValueError(f"not a FEEL literal: {text!r}")


def _split_top(text: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def parse_unary(text: str) -> Callable[[Any], bool]:
    """FEEL simple unary tests: ``-``, literals, lists, comparisons, ranges, ``not(...)``."""
    text = text.strip()
    if text in ("", "-"):
        return lambda v: True
    if text.startswith("not(") and text.endswith(")"):
        inner = parse_unary(text[4:-1])
        return lambda v: not inner(v)
    parts = _split_top(text)
    if len(parts) > 1:
        tests = [parse_unary(p) for p in parts]
        return lambda v: any(t(v) for t in tests)
    m = re.fullmatch(r"([\[\]\(])\s*(\S+)\s*\.\.\s*(\S+)\s*([\[\]\)])", text)
    if m:
        lo, hi = _literal(m.group(2)), _literal(m.group(3))
        lo_ok = operator.ge if m.group(1) == "[" else operator.gt
        hi_ok = operator.le if m.group(4) == "]" else operator.lt
        return lambda v: v is not None and lo_ok(v, lo) and hi_ok(v, hi)
    m = re.fullmatch(r"(<=|>=|<|>|=)\s*(.+)", text)
    if m:
        op, ref = _CMP[m.group(1)], _literal(m.group(2))
        return lambda v: v is not None and op(v, ref)
    ref = _literal(text)
    return lambda v: v == ref


_ARITH = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def eval_input(expr: str, variables: dict[str, Any]) -> Any:
    """Input expressions: a variable name or + - * / arithmetic on names and numbers (no calls)."""

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Name):
            return variables[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return _ARITH[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(f"unsupported input expression {expr!r}")

    return walk(ast.parse(expr.strip(), mode="eval"))


def load_decision(path: Path) -> dict[str, Any]:
    root = parse(path).getroot()
    table = root.find("dmn:decision/dmn:decisionTable", NS)
    inputs = [
        i.find("dmn:inputExpression/dmn:text", NS).text for i in table.findall("dmn:input", NS)
    ]
    outputs = [
        {"name": o.get("name"), "type": o.get("typeRef")} for o in table.findall("dmn:output", NS)
    ]
    rules = []
    for rule in table.findall("dmn:rule", NS):
        cells = [c.text or "" for c in rule.findall("dmn:inputEntry/dmn:text", NS)]
        outs = [c.text or "" for c in rule.findall("dmn:outputEntry/dmn:text", NS)]
        rules.append(
            {
                "inputs": cells,
                "outputs": {o["name"]: _literal(v) for o, v in zip(outputs, outs, strict=False)},
            }
        )
    return {
        "hit_policy": table.get("hitPolicy"),
        "inputs": inputs,
        "outputs": outputs,
        "rules": rules,
    }


def evaluate(decision: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any] | None:
    values = [eval_input(e, variables) for e in decision["inputs"]]
    matches = [
        r
        for r in decision["rules"]
        if all(parse_unary(c)(v) for c, v in zip(r["inputs"], values, strict=False))
    ]
    if decision["hit_policy"] == "UNIQUE":
        assert len(matches) <= 1, "UNIQUE table with overlapping rules"
    return matches[0]["outputs"] if matches else None


def _cases() -> list[tuple[str, dict[str, Any]]]:
    data = yaml.safe_load((BPMN_DIR / "decision_cases.yaml").read_text(encoding="utf-8"))
    return [(decision, case) for decision, cases in data.items() for case in cases]


@pytest.mark.parametrize(
    "decision_id,case", _cases(), ids=lambda v: v if isinstance(v, str) else v.get("name")
)
def test_decision_cases(decision_id: str, case: dict[str, Any]) -> None:
    decision = load_decision(BPMN_DIR / f"{decision_id}.dmn")
    result = evaluate(decision, case["inputs"])
    assert result is not None, "no rule matched"
    for key, expected in case["expected"].items():
        assert result[key] == expected, f"{key}: {result[key]!r} != {expected!r}"


def test_every_rule_is_exercised_by_a_case() -> None:
    per_decision: dict[str, set[int]] = {}
    for decision_id, case in _cases():
        decision = load_decision(BPMN_DIR / f"{decision_id}.dmn")
        values = [eval_input(e, case["inputs"]) for e in decision["inputs"]]
        for index, rule in enumerate(decision["rules"]):
            if all(parse_unary(c)(v) for c, v in zip(rule["inputs"], values, strict=False)):
                per_decision.setdefault(decision_id, set()).add(index)
                break
    for name, decision_id in EXPECTED_DECISIONS.items():
        n_rules = len(load_decision(BPMN_DIR / name)["rules"])
        assert per_decision.get(decision_id) == set(range(n_rules)), (
            f"{decision_id}: rules without a case"
        )


# ----------------------------------------------------------------------------- directory


def test_directory_is_consistent_with_the_forms() -> None:
    directory = yaml.safe_load((BPMN_DIR / "directory.yaml").read_text(encoding="utf-8"))
    regions = {r["id"] for r in directory["regions"]}
    cmsrs = {c["id"]: c for c in directory["cmsr"]}
    assert len(cmsrs) == 5 and len(regions) == 3
    for c in cmsrs.values():
        assert c["region"] in regions
    communes = directory["communes"]
    assert len(communes) >= 20
    for commune in communes:
        assert re.fullmatch(r"[a-z0-9-]+", commune["id"]), commune["id"]
        assert commune["cmsr"] in cmsrs, commune
        assert commune["region"] in regions, commune
        assert commune["group"] == f"commune-{commune['id']}"
    case = Model(BPMN_DIR / "cii_case.bpmn")
    assert set(_enum_ids(case, "announcement_start", "region")) == regions
    assert set(_enum_ids(case, "announcement_start", "cmsr")) == set(cmsrs)
    groups = {g["id"] for inst in directory["institutions"] for g in inst.get("groups", [])}
    for region in regions:
        assert {f"cii-team-{region}", f"orp-{region}"} <= groups
    for cmsr in cmsrs:
        assert f"cms-{cmsr}" in groups
    assert {"cii-cantonal", "oai", "sas", "oasi-bip"} <= groups
