"""The engine's constraints on the CII files: conditions, forms, topics, timers,
reachability, and that stock SpiffWorkflow builds each spec (see test_files.py for why
these checks are static)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.bpmn.model import (
    ALLOWED_TOPICS,
    BPMN_DIR,
    CAM,
    CONSTRAINTS,
    EXPECTED_DECISIONS,
    EXPECTED_PROCESSES,
    FORM_TYPES,
    GROUP_PATTERNS,
    ISO_CYCLE,
    ISO_DURATION,
    NS,
    PERSONAL_DATA_NAMES,
    WORKING_DAYS,
    Model,
    enum_ids,
    local,
)
from tests.conftest import cii_handlers

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
    assert set(enum_ids(case, "announcement_start", "region")) == regions
    assert set(enum_ids(case, "announcement_start", "cmsr")) == set(cmsrs)
    groups = {g["id"] for inst in directory["institutions"] for g in inst.get("groups", [])}
    for region in regions:
        assert {f"cii-team-{region}", f"orp-{region}"} <= groups
    for cmsr in cmsrs:
        assert f"cms-{cmsr}" in groups
    assert {"cii-cantonal", "oai", "sas", "oasi-bip"} <= groups
