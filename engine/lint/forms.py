"""Forms as Camunda 7 defines them, and the conditions that read their enum fields.

The runtime builds a form's schema from `camunda:formData`
(`engine.camunda.form_input`): a type it does not know is taken as a string,
so `type="integer"` silently drops the min/max the owner drew. Here every field
has one of Camunda 7's types (`string`, `long`, `boolean`, `date`, `enum`;
ciiflow adds none), an enum has values, and a constraint is one the type can
have (min/max on a long, minlength/maxlength on a string, required and readonly
on any) with a number where one is needed.

An enum field also fixes what a condition can compare it to: a condition that
compares it to a value the enum does not have is never true (an error), and a
value that no outgoing flow of the gateway after the form takes (when that
gateway has no default) stops every case that chooses it (an error).
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from lark import Token, Tree
from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.expressions import juel
from engine.lint.dataflow import condition_trees, executable_processes
from engine.lint.report import Report, owner_id

TYPES = ("string", "long", "boolean", "date", "enum")
#: constraint -> the types that can have it (None: every type)
CONSTRAINTS: dict[str, tuple[str, ...] | None] = {
    "required": None, "readonly": None,
    "min": ("long",), "max": ("long",),
    "minlength": ("string",), "maxlength": ("string",),
}
_NUMERIC = ("min", "max", "minlength", "maxlength")
_LIKELY = {"integer": "long", "int": "long", "number": "long", "bool": "boolean",
           "text": "string", "datetime": "date", "select": "enum"}
_EQUALS = ("==", "eq")
_DIFFERS = ("!=", "ne")


def _c(name: str) -> str:
    return tag(CAMUNDA, name)


def check_forms(root: etree._Element, report: Report) -> None:
    for form_field in root.iter(_c("formField")):
        _check_field(form_field, report)
    for process in executable_processes(root):
        enums = _enum_fields(process)
        if enums:
            _check_comparisons(process, enums, report)
            _check_gateways(process, enums, report)


def _field_name(form_field: etree._Element) -> str:
    label = form_field.get("label")
    return f"{form_field.get('id')!r}" + (f" ({' '.join(label.split())})" if label else "")


def _check_field(form_field: etree._Element, report: Report) -> None:
    where = owner_id(form_field)
    kind = (form_field.get("type") or "string").strip()
    name = _field_name(form_field)
    if kind not in TYPES:
        likely = _LIKELY.get(kind.lower()) or next(
            iter(difflib.get_close_matches(kind.lower(), TYPES, n=1)), None)
        hint = f"; did you mean `{likely}`?" if likely else ""
        report.error(where, f"form field {name} has type {kind!r}, which is not a Camunda 7 "
                     f"form field type ({', '.join(TYPES)}): its constraints would not be "
                     f"checked{hint}")
        return
    if kind == "enum" and form_field.find(_c("value")) is None:
        report.error(where, f"enum form field {name} has no values: add the values the "
                     "institution may choose in the Modeler (Form field > Values)")
    for constraint in form_field.iterfind(f"{_c('validation')}/{_c('constraint')}"):
        _check_constraint(constraint, kind, name, where, report)


def _check_constraint(constraint: etree._Element, kind: str, name: str,
                      where: str | None, report: Report) -> None:
    rule = (constraint.get("name") or "").strip()
    if rule not in CONSTRAINTS:
        report.error(where, f"form field {name} has constraint {rule!r}, which ciiflow does "
                     f"not check (it checks {', '.join(CONSTRAINTS)}); remove it")
        return
    allowed = CONSTRAINTS[rule]
    if allowed is not None and kind not in allowed:
        report.error(where, f"form field {name} of type {kind!r} cannot have constraint "
                     f"{rule!r} (only a {' or '.join(allowed)} field can); remove it or "
                     "change the type")
        return
    if rule in _NUMERIC:
        config = (constraint.get("config") or "").strip()
        try:
            float(config)
        except ValueError:
            report.error(where, f"form field {name}: constraint {rule!r} needs a number as "
                         f"its config, got {config!r}")


def _enum_fields(process: etree._Element) -> dict[str, set[str]]:
    """Variable -> enum values, for variables written only by enum fields."""
    values: dict[str, set[str]] = defaultdict(set)
    others: set[str] = set()
    for form_field in process.iter(_c("formField")):
        ident = form_field.get("id") or ""
        if (form_field.get("type") or "").strip() == "enum":
            values[ident] |= {v.get("id") or "" for v in form_field.iterfind(_c("value"))}
        else:
            others.add(ident)
    for element in process.iter():
        if isinstance(element.tag, str):
            others.add(element.get(_c("resultVariable")) or "")
            others.add(element.get(_c("elementVariable")) or "")
    others |= {p.get("name") or "" for p in process.iter(_c("outputParameter"))}
    others |= {p.get("name") or "" for p in process.iter(_c("inputParameter"))}
    others |= {p.get("target") or "" for p in process.iter(_c("out"))}
    return {k: v for k, v in values.items() if k not in others and v}


def _conditions(process: etree._Element) -> list[tuple[etree._Element, list[Tree]]]:
    found = []
    for flow in process.iter(tag(BPMN, "sequenceFlow")):
        condition = flow.find(tag(BPMN, "conditionExpression"))
        if condition is not None and (condition.text or "").strip():
            found.append((flow, condition_trees(condition.text or "")))
    return found


def _comparison(node: Tree) -> tuple[str, str, bool] | None:
    """(variable, text, equal?) of `var == 'text'` (either side), else None."""
    if node.data != "compare" or len(node.children) != 3:
        return None
    left, op, right = node.children
    if str(op) not in _EQUALS + _DIFFERS:
        return None
    for a, b in ((left, right), (right, left)):
        if (isinstance(a, Tree) and a.data == "var" and isinstance(b, Tree)
                and b.data == "string"):
            literal = juel._unescape(str(b.children[0]))
            return str(a.children[0]), literal, str(op) in _EQUALS
    return None


def _check_comparisons(process: etree._Element, enums: dict[str, set[str]],
                       report: Report) -> None:
    for flow, trees in _conditions(process):
        for tree in trees:
            for node in tree.iter_subtrees():
                found = _comparison(node)
                if found is None or found[0] not in enums or found[1] in enums[found[0]]:
                    continue
                variable, literal, _ = found
                choices = sorted(enums[variable])
                close = difflib.get_close_matches(literal, choices, n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                report.error(
                    flow.get("id"),
                    f"its condition compares enum field `{variable}` to {literal!r}, which is "
                    f"not one of its values ({', '.join(choices)}), so the comparison never "
                    f"matches{hint}")


def _taken(node: Tree | Token, variable: str, values: set[str]) -> set[str] | None:
    """The values of `variable` for which a condition can be true; None: cannot tell."""
    if not isinstance(node, Tree):
        return None
    found = _comparison(node)
    if found is not None and found[0] == variable:
        return {found[1]} & values if found[2] else values - {found[1]}
    if node.data not in ("or_op", "and_op"):
        return None
    left = _taken(node.children[0], variable, values)
    right = _taken(node.children[2], variable, values)
    if node.data == "or_op":
        return None if left is None or right is None else left | right
    if left is None or right is None:
        return left if right is None else right  # the other side only narrows
    return left & right


def _check_gateways(process: etree._Element, enums: dict[str, set[str]],
                    report: Report) -> None:
    """An enum value chosen in a form that the next exclusive gateway cannot route."""
    nodes = {e.get("id"): e for e in process.iter() if isinstance(e.tag, str) and e.get("id")}
    outgoing: dict[str | None, list[etree._Element]] = defaultdict(list)
    for flow in process.iter(tag(BPMN, "sequenceFlow")):
        outgoing[flow.get("sourceRef")].append(flow)
    for element in nodes.values():
        fields = [f.get("id") for f in element.iter(_c("formField")) if f.get("id") in enums]
        if not fields or owner_id(element) != element.get("id"):
            continue
        for flow in outgoing.get(element.get("id"), []):
            gateway = nodes.get(flow.get("targetRef"))
            if gateway is None or gateway.tag != tag(BPMN, "exclusiveGateway"):
                continue
            if gateway.get("default"):
                continue
            for variable in fields:
                _check_gateway(gateway, outgoing[gateway.get("id")], variable or "",
                               enums[variable or ""], element, report)


def _check_gateway(gateway: etree._Element, flows: list[etree._Element], variable: str,
                   values: set[str], form_owner: etree._Element, report: Report) -> None:
    taken: set[str] = set()
    for flow in flows:
        condition = flow.find(tag(BPMN, "conditionExpression"))
        if condition is None:
            return  # taken whatever the value (warned by the expression check)
        trees = condition_trees(condition.text or "")
        if len(trees) != 1:
            return
        values_here = _taken(trees[0], variable, values)
        if values_here is None:
            return  # the flow does not decide on this field alone: cannot tell
        taken |= values_here
    for value in sorted(values - taken):
        report.error(
            gateway.get("id"),
            f"no outgoing flow of this gateway takes `{variable}` = {value!r}, a value of the "
            f"enum field in {form_owner.get('id')!r}, and the gateway has no default flow: a "
            "case choosing it stops with an incident; add a flow for it or a default flow")
