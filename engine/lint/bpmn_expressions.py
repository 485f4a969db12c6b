"""Every place a Camunda 7 BPMN file can hold an expression, each checked at deploy.

SpiffWorkflow would hand these texts to Python ``eval``; ciiflow evaluates them
with its own language instead, and a text that does not parse must be refused
now, naming the element, not discovered when a case reaches it. Literal values
that are *names* (groups, users, variables) are held to a plain-name pattern so
code cannot hide in a field that is never parsed as an expression.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.lint.expressions import check_juel
from engine.lint.report import Report, one_line, owner_id

_TEMPLATE_ATTRIBUTES = ("candidateGroups", "candidateUsers", "assignee", "dueDate",
                        "followUpDate", "priority")
_NAME_LISTS = ("candidateGroups", "candidateUsers", "assignee")
_PLAIN_NAME = re.compile(r"^[\w.@:/-]+$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JUEL_LANGUAGES = frozenset({"juel", "JUEL", "${", ""})


def _has_expression(text: str) -> bool:
    return "${" in text or "#{" in text


def check_bpmn_expressions(root: etree._Element, report: Report) -> None:
    """Check conditions, timers, user-task templates, multi-instance and data mappings."""
    _conditions(root, report)
    _timers(root, report)
    _task_attributes(root, report)
    _multi_instance(root, report)
    _mappings(root, report)


def _formal(element: etree._Element, report: Report, kind: str, what: str) -> None:
    """A tFormalExpression: refuse script languages and external resources, then parse."""
    where = owner_id(element)
    language = element.get("language")
    if language is not None and language.strip() not in _JUEL_LANGUAGES:
        report.error(
            where,
            f"{what} in language {language!r} refused: ciiflow runs no scripts; "
            "write a ${…} expression without a language",
        )
        return
    if element.get(tag(CAMUNDA, "resource")) is not None:
        report.error(where, f"{what} loads an external resource; write the expression inline")
        return
    text = (element.text or "").strip()
    if not text:
        report.error(where, f"{what} is empty; write a ${{…}} expression")
        return
    check_juel(report, where, text, kind, what)


def _conditions(root: etree._Element, report: Report) -> None:
    for flow in root.iter(tag(BPMN, "sequenceFlow")):
        condition = flow.find(tag(BPMN, "conditionExpression"))
        if condition is not None:
            _formal(condition, report, "condition", "sequence flow condition")
    _unconditioned_choices(root, report)
    for event in root.iter(tag(BPMN, "conditionalEventDefinition")):
        condition = event.find(tag(BPMN, "condition"))
        if condition is None:
            report.error(owner_id(event), "conditional event has no condition")
        else:
            _formal(condition, report, "condition", "conditional event condition")
    for loop in root.iter(tag(BPMN, "standardLoopCharacteristics")):
        condition = loop.find(tag(BPMN, "loopCondition"))
        if condition is not None:
            _formal(condition, report, "condition", "loop condition")


_CHOICE_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")


def _unconditioned_choices(root: etree._Element, report: Report) -> None:
    """A flow leaving an exclusive or inclusive gateway beside others, neither its default
    nor conditioned: Camunda 7 takes it whenever it is reached, and so does ciiflow
    (deploy gives it `${true}`). Often a modelling slip, so it is named, as a warning."""
    outgoing: dict[str | None, list[etree._Element]] = {}
    for flow in root.iter(tag(BPMN, "sequenceFlow")):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for kind in _CHOICE_GATEWAYS:
        for gateway in root.iter(tag(BPMN, kind)):
            flows = outgoing.get(gateway.get("id"), [])
            if len(flows) < 2:
                continue  # a single flow is taken as the default
            for flow in flows:
                if flow.get("id") == gateway.get("default"):
                    continue
                if flow.find(tag(BPMN, "conditionExpression")) is None:
                    report.warning(
                        flow.get("id"),
                        f"sequence flow {flow.get('id')!r} leaves {kind} {gateway.get('id')!r} "
                        "without a condition and is not its default: as in Camunda 7 it is "
                        "taken whenever the gateway reaches it (flows are tried in file "
                        "order); give it a ${…} condition or make it the default flow",
                    )

def _timers(root: etree._Element, report: Report) -> None:
    for timer in root.iter(tag(BPMN, "timerEventDefinition")):
        found = [timer.find(tag(BPMN, name)) for name in ("timeDuration", "timeDate", "timeCycle")]
        found = [node for node in found if node is not None]
        if not found:
            report.error(owner_id(timer), "timer has no timeDuration, timeDate or timeCycle")
        for node in found:
            _formal(node, report, "timer", f"timer {node.tag.split('}')[1]}")


def _task_attributes(root: etree._Element, report: Report) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in _TEMPLATE_ATTRIBUTES:
            value = element.get(tag(CAMUNDA, name))
            if value is None:
                continue
            what = f"camunda:{name}"
            if not check_juel(report, element.get("id"), value, "template", what):
                continue
            if name in _NAME_LISTS and not _has_expression(value):
                bad = [item for item in value.split(",") if not _PLAIN_NAME.match(item.strip())]
                if bad:
                    report.error(
                        element.get("id"),
                        f"{what} {one_line(value)!r} holds {one_line(bad[0])!r}, which is not "
                        "a plain name (letters, digits, - _ . @ : /); use names or ${…}",
                    )
        default = element.get("defaultValue")
        if element.tag == tag(CAMUNDA, "formField") and default and _has_expression(default):
            check_juel(
                report, owner_id(element), default, "template",
                f"form field {element.get('id')!r} defaultValue",
            )


def _multi_instance(root: etree._Element, report: Report) -> None:
    for loop in root.iter(tag(BPMN, "multiInstanceLoopCharacteristics")):
        where = owner_id(loop)
        cardinality = loop.find(tag(BPMN, "loopCardinality"))
        if cardinality is not None:
            _formal(cardinality, report, "template", "multi-instance loopCardinality")
        completion = loop.find(tag(BPMN, "completionCondition"))
        if completion is not None:
            _formal(completion, report, "condition", "multi-instance completionCondition")
        collection = loop.get(tag(CAMUNDA, "collection"))
        if collection is not None:
            if _has_expression(collection):
                check_juel(report, where, collection, "template", "camunda:collection")
            elif not _VARIABLE.match(collection.strip()):
                report.error(
                    where,
                    f"camunda:collection {one_line(collection)!r} is neither a variable name "
                    "nor a ${…} expression",
                )
        element_variable = loop.get(tag(CAMUNDA, "elementVariable"))
        if element_variable is not None and not _VARIABLE.match(element_variable.strip()):
            report.error(
                where, f"camunda:elementVariable {one_line(element_variable)!r} is not a name"
            )


def _mappings(root: etree._Element, report: Report) -> None:
    for name in ("inputParameter", "outputParameter"):
        for parameter in root.iter(tag(CAMUNDA, name)):
            _parameter(parameter, report, f"camunda:{name} {parameter.get('name')!r}")
    for name in ("in", "out"):
        for mapping in root.iter(tag(CAMUNDA, name)):
            source = mapping.get("sourceExpression")
            if source is not None:
                check_juel(
                    report, owner_id(mapping), source, "expression",
                    f"camunda:{name} sourceExpression",
                )
            business_key = mapping.get("businessKey")
            if business_key is not None:
                check_juel(
                    report, owner_id(mapping), business_key, "template",
                    f"camunda:{name} businessKey",
                )


def _parameter(element: etree._Element, report: Report, what: str) -> None:
    """A parameter is a text, a camunda:list, a camunda:map (nested), or a script (refused)."""
    where = owner_id(element)
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        text = element.text or ""
        if _has_expression(text):
            check_juel(report, where, text.strip(), "template", what)
        return
    for child in children:
        if child.tag == tag(CAMUNDA, "list"):
            for index, item in enumerate(c for c in child if isinstance(c.tag, str)):
                _parameter(item, report, f"{what} list item {index + 1}")
        elif child.tag == tag(CAMUNDA, "map"):
            for entry in child.iter(tag(CAMUNDA, "entry")):
                if entry.getparent() is child:
                    _parameter(entry, report, f"{what} map entry {entry.get('key')!r}")
        # camunda:script is refused by engine.lint.camunda; anything else was warned there
