"""Every id a BPMN file points at must exist, in the file or in the bundle.

SpiffWorkflow fails late and vaguely on a dangling reference (or, for a
``default`` flow or a ``messageRef``, quietly behaves differently), so each
one is resolved here and reported on the element that holds it.
"""

from __future__ import annotations

import importlib

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.lint.bundle import Bundle
from engine.lint.elements import is_flow_node
from engine.lint.report import Report, owner_id

_CAMUNDA_DECISION_REF = tag(CAMUNDA, "decisionRef")
CAMUNDA_MAP_MODES = ("singleEntry", "singleResult", "collectEntries", "resultList")
CAMUNDA_BINDINGS = ("latest", "deployment", "version", "versionTag")

# (attribute, what it must point at: a bpmn local name, described for the owner)
_SAME_FILE_REFS = {
    "messageRef": ("message", "bpmn:message"),
    "errorRef": ("error", "bpmn:error"),
    "escalationRef": ("escalation", "bpmn:escalation"),
    "signalRef": ("signal", "bpmn:signal"),
    "processRef": ("process", "bpmn:process"),
    "dataObjectRef": ("dataObject", "bpmn:dataObject"),
    "dataStoreRef": ("dataStore", "bpmn:dataStore"),
}


def _is_expression(value: str) -> bool:
    return "${" in value or "#{" in value


def _scope(element: etree._Element) -> etree._Element | None:
    """The process or subprocess whose flow elements an element belongs to."""
    node = element.getparent()
    while node is not None:
        if node.tag in (
            tag(BPMN, "process"),
            tag(BPMN, "subProcess"),
            tag(BPMN, "transaction"),
            tag(BPMN, "adHocSubProcess"),
        ):
            return node
        node = node.getparent()
    return None


def check_references(
    root: etree._Element, report: Report, bundle: Bundle, ids: dict[str, etree._Element]
) -> None:
    """Resolve sequence flows, defaults, event refs, call activities and decisions."""
    by_local: dict[str, set[str]] = {}
    for element in ids.values():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{BPMN}}}"):
            by_local.setdefault(element.tag.split("}")[1], set()).add(element.get("id"))

    for flow in root.iter(tag(BPMN, "sequenceFlow")):
        _check_flow(flow, report, ids)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        _check_same_file(element, report, by_local)
        if element.get("default") is not None:
            _check_default(element, report, ids)
        if element.tag == tag(BPMN, "boundaryEvent"):
            _check_attached(element, report, ids)
        if element.tag == tag(BPMN, "callActivity"):
            _check_called(element, report, bundle)
        if element.get(_CAMUNDA_DECISION_REF) is not None:
            _check_decision(element, report, bundle)
        if element.tag in (tag(BPMN, "incoming"), tag(BPMN, "outgoing")):
            ref = (element.text or "").strip()
            if ref and ref not in ids:
                report.error(
                    owner_id(element),
                    f"{element.tag.split('}')[1]} flow {ref!r} does not exist; "
                    "reconnect the flow in the Modeler",
                )
        if element.tag == tag(BPMN, "flowNodeRef"):
            ref = (element.text or "").strip()
            if ref and ref not in ids:
                report.error(owner_id(element), f"lane refers to missing flow node {ref!r}")


def _check_flow(flow: etree._Element, report: Report, ids: dict[str, etree._Element]) -> None:
    flow_id = flow.get("id")
    scope = _scope(flow)
    for attribute in ("sourceRef", "targetRef"):
        ref = flow.get(attribute)
        if not ref:
            report.error(flow_id, f"sequence flow has no {attribute}; reconnect both ends")
            continue
        target = ids.get(ref)
        if target is None:
            report.error(flow_id, f"sequence flow {attribute} {ref!r} does not exist")
        elif not is_flow_node(target):
            report.error(flow_id, f"sequence flow {attribute} {ref!r} is not a flow node")
        elif _scope(target) is not scope:
            report.error(
                flow_id,
                f"sequence flow {attribute} {ref!r} is in another process or subprocess; "
                "a sequence flow cannot cross a subprocess border",
            )


def _check_default(
    element: etree._Element, report: Report, ids: dict[str, etree._Element]
) -> None:
    ref = element.get("default")
    target = ids.get(ref)
    if target is None or target.tag != tag(BPMN, "sequenceFlow"):
        report.error(element.get("id"), f"default flow {ref!r} is not a sequence flow")
    elif target.get("sourceRef") != element.get("id"):
        report.error(
            element.get("id"), f"default flow {ref!r} does not leave this element"
        )


def _check_attached(
    element: etree._Element, report: Report, ids: dict[str, etree._Element]
) -> None:
    ref = element.get("attachedToRef")
    target = ids.get(ref) if ref else None
    if target is None or not is_flow_node(target):
        report.error(element.get("id"), f"boundary event is attached to missing {ref!r}")


def _check_same_file(
    element: etree._Element, report: Report, by_local: dict[str, set[str]]
) -> None:
    for attribute, (local, described) in _SAME_FILE_REFS.items():
        ref = element.get(attribute)
        if ref is None:
            continue
        if ref not in by_local.get(local, set()):
            report.error(
                owner_id(element),
                f"{attribute} {ref!r} does not name a {described} in this file; "
                f"define the {described} or pick an existing one",
            )


_CAMUNDA_CALL_BINDING = f"{{{CAMUNDA}}}calledElementBinding"


def _check_called(element: etree._Element, report: Report, bundle: Bundle) -> None:
    called = element.get("calledElement")
    eid = element.get("id")
    binding = element.get(_CAMUNDA_CALL_BINDING)
    if binding is not None and binding.strip() not in CAMUNDA_BINDINGS:
        report.error(eid, f"camunda:calledElementBinding {binding!r} is not one of "
                     f"{', '.join(CAMUNDA_BINDINGS)}")
    if not called:
        report.error(eid, "call activity has no calledElement; choose the process to call")
    elif _is_expression(called):
        report.error(
            eid,
            f"calledElement {called!r} is an expression: ciiflow links called processes "
            "when the bundle is deployed, so name a fixed process id",
        )
    elif called not in bundle.processes:
        if (element.get(_CAMUNDA_CALL_BINDING) or "").strip() == "deployment":
            report.error(
                eid,
                f"calledElement {called!r} is not a process of this bundle, and "
                "camunda:calledElementBinding 'deployment' calls only a process deployed "
                "with the caller: add the BPMN file that defines it",
            )
        # any other binding is resolved when a case reaches the call: deploy and check
        # warn when nothing deployed satisfies it yet (engine.runtime.called)


def _check_decision(element: etree._Element, report: Report, bundle: Bundle) -> None:
    ref = element.get(_CAMUNDA_DECISION_REF) or ""
    eid = element.get("id")
    if not ref.strip():
        report.error(eid, "camunda:decisionRef is empty; name the decision to evaluate")
    elif _is_expression(ref):
        report.error(
            eid,
            f"camunda:decisionRef {ref!r} is an expression: ciiflow's decision task binds "
            "its decision when the bundle is deployed, so name a fixed decision id",
        )
    elif ref not in bundle.decisions:
        report.error(
            eid,
            f"camunda:decisionRef {ref!r} is not a decision of this bundle; add the DMN "
            "file that defines it (ciiflow deploys bundles)",
        )
    _check_decision_options(element, report)


def _decision_options() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """mapDecisionResult modes and bindings the decision task accepts (Camunda's by default)."""
    modes: tuple[str, ...] = CAMUNDA_MAP_MODES
    bindings: tuple[str, ...] = CAMUNDA_BINDINGS
    try:
        task = importlib.import_module("engine.dmn.task")
    except ImportError:
        return modes, bindings
    return (
        tuple(getattr(task, "MAP_MODES", modes)),
        tuple(getattr(task, "BINDINGS", bindings)),
    )


def _check_decision_options(element: etree._Element, report: Report) -> None:
    modes, bindings = _decision_options()
    mode = element.get(tag(CAMUNDA, "mapDecisionResult"))
    if mode is not None and mode not in modes:
        report.error(
            element.get("id"),
            f"camunda:mapDecisionResult {mode!r} is not one of {', '.join(modes)}",
        )
    binding = element.get(tag(CAMUNDA, "decisionRefBinding"))
    if binding is not None and binding not in bindings:
        report.error(
            element.get("id"),
            f"camunda:decisionRefBinding {binding!r} is not one of {', '.join(bindings)}",
        )
    elif binding in ("version", "versionTag"):
        report.warning(
            element.get("id"),
            f"camunda:decisionRefBinding {binding!r} is treated as 'deployment': ciiflow "
            "evaluates the decision deployed in the same bundle as the process",
        )
