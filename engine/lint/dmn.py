"""Checks of one DMN file: every decision's logic and every cell parses.

ciiflow evaluates DMN with its own engine (``engine.dmn``: DMN 1.1-1.5
decision tables and literal expressions, all hit policies, required decisions
within a file), never with SpiffWorkflow's Python ``eval``. Each cell is parsed
here with that engine's own checker so the element at fault can be named:
input entries as FEEL unary tests, output entries, input expressions and
literal expressions as FEEL expressions. A cell starting with ``${`` or ``#{``
is JUEL (Camunda 7 allows it) and is parsed by ``engine.expressions``, because
the FEEL checker accepts such a cell without reading it. When the cells pass,
the file is also given to ``engine.dmn.parse_dmn`` so the lint refuses exactly
what the runtime would refuse.
"""

from __future__ import annotations

import importlib
import re

from lxml import etree

from engine.camunda.namespaces import split
from engine.lint.bundle import Bundle
from engine.lint.camunda import check_vocabulary
from engine.lint.expressions import check_feel_expression, check_feel_unary, check_juel
from engine.lint.report import Report, one_line, owner_id

HIT_POLICIES = frozenset(
    {"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"}
)
AGGREGATIONS = frozenset({"SUM", "MIN", "MAX", "COUNT"})
FEEL_URIS = frozenset(
    {
        "http://www.omg.org/spec/FEEL/20140401",
        "http://www.omg.org/spec/DMN/20180521/FEEL/",
        "https://www.omg.org/spec/DMN/20191111/FEEL/",
    }
)

KNOWN_ELEMENTS = frozenset(
    """
    definitions decision decisionTable literalExpression variable input inputExpression
    text output rule inputEntry outputEntry description requiredDecision
    informationRequirement authorityRequirement knowledgeRequirement requiredInput
    requiredAuthority requiredKnowledge inputData knowledgeSource textAnnotation
    association sourceRef targetRef extensionElements inputValues outputValues
    defaultOutputEntry itemDefinition typeRef allowedValues itemComponent question
    allowedAnswers annotation annotationEntry
    """.split()
)
UNSUPPORTED = {
    "businessKnowledgeModel": "business knowledge models are not evaluated",
    "encapsulatedLogic": "business knowledge models are not evaluated",
    "decisionService": "decision services are not evaluated",
    "context": "boxed contexts are not evaluated",
    "invocation": "boxed invocations are not evaluated",
    "relation": "boxed relations are not evaluated",
    "list": "boxed lists are not evaluated",
    "functionDefinition": "function definitions are not evaluated",
    "import": "everything a file needs must be in the deployed bundle",
}


def _is_juel(text: str) -> bool:
    return text.startswith(("${", "#{"))


def _allowed_language(value: str) -> bool:
    """FEEL by name or by a DMN spec's FEEL URI, or Camunda's JUEL; never a script language."""
    lowered = value.strip().lower()
    return lowered == "juel" or lowered.startswith("feel") or value.strip() in FEEL_URIS


def check_dmn(filename: str, root: etree._Element, bundle: Bundle) -> Report:
    """Run every DMN check on one loaded file."""
    report = Report(filename)
    ns, _ = split(root.tag)
    assert ns is not None  # load_xml accepts only namespaced DMN roots
    _check_elements(root, ns, report)
    check_vocabulary(root, report)
    _check_languages(root, report)
    decisions = root.findall(f"{{{ns}}}decision")
    if not decisions:
        report.error(root.get("id"), "DMN file has no decision; add a decision table")
    local_ids = {d.get("id") for d in decisions}
    for decision in decisions:
        _check_decision(decision, ns, report, bundle, local_ids)
    if not any(f.severity == "error" for f in report.findings):
        _check_with_engine(filename, root, report)
    return report


def _check_elements(root: etree._Element, ns: str, report: Report) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = split(element.tag)
        if namespace != ns:
            continue
        if local in UNSUPPORTED:
            report.error(
                owner_id(element), f"dmn:{local} is not supported ({UNSUPPORTED[local]})"
            )
        elif local not in KNOWN_ELEMENTS:
            report.error(owner_id(element), f"dmn:{local} is not supported by ciiflow")


def _check_languages(root: etree._Element, report: Report) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("expressionLanguage", "typeLanguage"):
            value = element.get(attribute)
            if value is not None and not _allowed_language(value):
                report.error(
                    owner_id(element),
                    f"{attribute} {value!r} refused: ciiflow evaluates FEEL (and ${{…}} JUEL) "
                    "only, never a script language; rewrite the expression in FEEL",
                )


def _check_decision(
    decision: etree._Element,
    ns: str,
    report: Report,
    bundle: Bundle,
    local_ids: set[str | None],
) -> None:
    did = decision.get("id")
    for requirement in decision.iter(f"{{{ns}}}requiredDecision"):
        href = requirement.get("href") or ""
        target = href.rpartition("#")[2]
        if target in local_ids:
            continue
        elsewhere = " (it is in another file: engine.dmn reads requirements within one file)"
        report.error(
            did,
            f"requiredDecision {href!r} does not name a decision of this file"
            f"{elsewhere if target in bundle.decisions else ''}; add it here or remove "
            "the requirement",
        )
    table = decision.find(f"{{{ns}}}decisionTable")
    literal = decision.find(f"{{{ns}}}literalExpression")
    if table is not None:
        _check_table(table, ns, report)
    elif literal is not None:
        _cell(report, literal.get("id") or did, literal.findtext(f"{{{ns}}}text") or "",
              f"literal expression of decision {did!r}", unary=False, required=True)
    else:
        report.error(did, "decision has neither a decision table nor a literal expression")


def _check_table(table: etree._Element, ns: str, report: Report) -> None:
    tid = table.get("id")
    policy = " ".join((table.get("hitPolicy") or "UNIQUE").upper().split())
    if policy not in HIT_POLICIES:
        report.error(tid, f"unknown hit policy {policy!r}; choose one in the Modeler")
    aggregation = table.get("aggregation")
    if aggregation and (aggregation.strip().upper() not in AGGREGATIONS or policy != "COLLECT"):
        report.error(
            tid, f"aggregation {aggregation!r} needs hit policy COLLECT and SUM, MIN, MAX or COUNT"
        )
    inputs = table.findall(f"{{{ns}}}input")
    outputs = table.findall(f"{{{ns}}}output")
    if not outputs:
        report.error(tid, "decision table has no output column")
    for column in inputs:
        expression = column.find(f"{{{ns}}}inputExpression")
        label = column.get("label") or column.get("id")
        where = column.get("id")
        if expression is not None and expression.get("id"):
            where = expression.get("id")
        text = expression.findtext(f"{{{ns}}}text") if expression is not None else None
        _cell(report, where, text or "", f"input expression of {label!r}",
              unary=False, required=True)
    for row, rule in enumerate(table.findall(f"{{{ns}}}rule"), start=1):
        _check_rule(rule, row, inputs, outputs, ns, report)


def _label(column: etree._Element, index: int) -> str:
    name = column.get("label") or column.get("name") or column.get("id") or "?"
    return f"{name!r} (column {index})"


def _check_rule(
    rule: etree._Element,
    row: int,
    inputs: list[etree._Element],
    outputs: list[etree._Element],
    ns: str,
    report: Report,
) -> None:
    rid = rule.get("id")
    entries_in = rule.findall(f"{{{ns}}}inputEntry")
    entries_out = rule.findall(f"{{{ns}}}outputEntry")
    if len(entries_in) != len(inputs) or len(entries_out) != len(outputs):
        report.error(
            rid,
            f"rule {rid!r} (row {row}) has {len(entries_in)} input and {len(entries_out)} "
            f"output cells for {len(inputs)} inputs and {len(outputs)} outputs; "
            "redraw the row in the Modeler",
        )
    # Every cell is parsed, even surplus ones: nothing in the file goes unread.
    for index, entry in enumerate(entries_in, start=1):
        column = _label(inputs[index - 1], index) if index <= len(inputs) else f"#{index}"
        text = entry.findtext(f"{{{ns}}}text") or ""
        what = f"rule {rid!r} (row {row}) input {column} cell"
        _cell(report, entry.get("id") or rid, text, what, unary=True, required=False)
        if index <= len(inputs) and _is_string_column(inputs[index - 1], ns):
            _bare_name(report, entry.get("id") or rid, text, what)
    for index, entry in enumerate(entries_out, start=1):
        column = _label(outputs[index - 1], index) if index <= len(outputs) else f"#{index}"
        _cell(report, entry.get("id") or rid, entry.findtext(f"{{{ns}}}text") or "",
              f"rule {rid!r} (row {row}) output {column} cell", unary=False, required=False)


_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FEEL_WORDS = frozenset({"true", "false", "null", "not"})


def _is_string_column(column: etree._Element, ns: str) -> bool:
    expression = column.find(f"{{{ns}}}inputExpression")
    type_ref = expression.get("typeRef") if expression is not None else None
    return (type_ref or "").strip().lower() == "string"


def _bare_name(report: Report, where: str | None, text: str, what: str) -> None:
    """`fall` in a string column is the variable fall, not the text "fall": when no such
    variable exists the rule never matches, without an error. Modeler users often mean
    the text, so the cell is named (a warning: the variable may be intended)."""
    stripped = text.strip()
    if _BARE_NAME.fullmatch(stripped) and stripped not in _FEEL_WORDS:
        report.warning(
            where,
            f"{what} `{stripped}` compares with the variable {stripped}, not the text "
            f"\"{stripped}\" (the column is a string); write \"{stripped}\" if the text is meant",
        )

def _cell(
    report: Report, where: str | None, text: str, what: str, *, unary: bool, required: bool
) -> None:
    stripped = text.strip()
    if not stripped or (unary and stripped == "-"):
        if required:
            report.error(where, f"{what} is empty; write the FEEL expression")
        return
    if _is_juel(stripped):
        check_juel(report, where, stripped, "expression", what)
    elif unary:
        check_feel_unary(report, where, text, what)
    else:
        check_feel_expression(report, where, text, what)


def _check_with_engine(filename: str, root: etree._Element, report: Report) -> None:
    """Give the file to the runtime's own DMN parser; what it refuses, the lint refuses."""
    try:
        parser = importlib.import_module("engine.dmn.parser")
        errors = importlib.import_module("engine.dmn.errors")
    except ImportError:
        return  # cells were already refused (fail closed) without engine.dmn
    parse_dmn = getattr(parser, "parse_dmn", None)
    dmn_error = getattr(errors, "DmnError", None)
    if parse_dmn is None or not isinstance(dmn_error, type):
        return
    try:
        parse_dmn(etree.tostring(root), filename)
    except dmn_error as exc:
        report.error(root.get("id"), f"refused by the DMN engine: {one_line(str(exc), 300)}")
    except Exception as exc:  # noqa: BLE001 - fail closed
        report.error(
            root.get("id"), f"the DMN engine could not read the file ({type(exc).__name__})"
        )
