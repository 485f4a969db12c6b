"""Reads Camunda Modeler DMN files (DMN 1.1 to 1.5 namespaces) into `Decision`s.

Every cell is compiled here, at deploy time, so a file whose FEEL does not parse
is refused with the decision, rule and cell named, and evaluation never parses.
The XML parser refuses DTDs and never resolves entities or touches the network:
DMN files are uploaded by process owners and must not reach the file system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from lxml import etree

from engine.camunda import namespaces
from engine.camunda.xml import safe_parser

from .errors import DmnError, DmnParseError, FeelSyntaxError
from .feel import CompiledExpression, compile_expression, compile_unary_tests
from .model import (
    Aggregation,
    Decision,
    DecisionTable,
    HitPolicy,
    InputClause,
    LiteralExpression,
    OutputClause,
    Rule,
)

DMN_NAMESPACES = frozenset(namespaces.DMN_NAMESPACES)
MAX_DMN_BYTES = 5 * 1024 * 1024
_SUPPORTED_LANGUAGES = ("feel", "juel")


def _load(xml: bytes | str, filename: str | None) -> tuple[Any, str]:
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    name = filename or "DMN file"
    if len(data) > MAX_DMN_BYTES:
        raise DmnParseError(f"{name}: larger than {MAX_DMN_BYTES} bytes")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DmnParseError(f"{name}: not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise DmnParseError(f"{name}: a DOCTYPE is not allowed in a DMN file")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        source = etree.tostring(root, encoding="unicode")
    return root, source


class _Reader:
    """Walks one `<definitions>`; knows its namespace, file name and source text."""

    def __init__(self, root: Any, filename: str | None, source: str) -> None:
        self.ns = etree.QName(root).namespace
        self.filename = filename or "DMN file"
        self.source = source
        self.default_language = root.get("expressionLanguage")
        if etree.QName(root).localname != "definitions" or self.ns not in DMN_NAMESPACES:
            raise DmnParseError(
                f"{self.filename}: not a DMN file (root {root.tag!r}); expected "
                "<definitions> in a DMN 1.1-1.5 namespace"
            )
        self.root = root

    def q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def text_of(self, node: Any) -> str | None:
        """`<text>` of an expression element (None when absent)."""
        text = node.find(self.q("text"))
        return None if text is None else (text.text or "")

    def fail(self, where: str, message: str) -> DmnParseError:
        return DmnParseError(f"{self.filename}: {where}: {message}")

    def language_ok(self, node: Any, where: str) -> None:
        language = (node.get("expressionLanguage") or self.default_language or "feel").lower()
        if not any(known in language for known in _SUPPORTED_LANGUAGES):
            raise self.fail(where, f"expression language {language!r} is not allowed (FEEL only)")

    def expression(self, node: Any, where: str, allow_empty: bool = False) -> Any:
        self.language_ok(node, where)
        text = self.text_of(node)
        if text is None or not text.strip():
            if allow_empty:
                return None
            raise self.fail(where, "the expression is empty")
        try:
            return compile_expression(text)
        except FeelSyntaxError as exc:
            raise exc.located(f"{self.filename}: {where}") from None

    # -- decisions ------------------------------------------------------------
    def decisions(self) -> dict[str, Decision]:
        result: dict[str, Decision] = {}
        for node in self.root.findall(self.q("decision")):
            decision = self.decision(node)
            if decision.id in result:
                raise self.fail(f"decision {decision.id!r}", "the id is used twice")
            result[decision.id] = decision
        for decision in result.values():
            for required in decision.required_decisions:
                if required not in result:
                    raise self.fail(
                        f"decision {decision.id!r}",
                        f"requires decision {required!r}, which is not in this file",
                    )
        _check_acyclic(result, self.filename)
        return result

    def decision(self, node: Any) -> Decision:
        decision_id = node.get("id")
        if not decision_id:
            raise self.fail("decision", "a <decision> has no id")
        where = f"decision {decision_id!r}"
        table_node = node.find(self.q("decisionTable"))
        literal_node = node.find(self.q("literalExpression"))
        logic: DecisionTable | LiteralExpression
        if table_node is not None:
            logic = self.table(table_node, where)
        elif literal_node is not None:
            logic = self.literal(node, literal_node, decision_id, where)
        else:
            raise self.fail(where, "has neither a decision table nor a literal expression")
        required = tuple(
            (ref.get("href") or "").lstrip("#")
            for ref in node.findall(
                f"{self.q('informationRequirement')}/{self.q('requiredDecision')}"
            )
        )
        if any(not ref for ref in required):
            raise self.fail(where, "a requiredDecision has no href")
        return Decision(
            id=decision_id,
            name=node.get("name"),
            logic=logic,
            required_decisions=required,
            version_tag=node.get(f"{{{namespaces.CAMUNDA_DMN}}}versionTag"),
            filename=self.filename,
            source=self.source,
        )

    def literal(self, decision: Any, node: Any, decision_id: str, where: str) -> LiteralExpression:
        variable = decision.find(self.q("variable"))
        name = node.get(f"{{{namespaces.CAMUNDA_DMN}}}variableName")
        if not name and variable is not None:
            name = variable.get("name")
        type_ref = node.get("typeRef") or (
            variable.get("typeRef") if variable is not None else None
        )
        return LiteralExpression(
            id=node.get("id") or decision_id,
            expression=self.expression(node, f"{where}, literal expression"),
            variable_name=name or decision_id,
            type_ref=type_ref,
        )

    # -- decision tables ------------------------------------------------------
    def table(self, node: Any, where: str) -> DecisionTable:
        table_id = node.get("id") or ""
        hit_text = (node.get("hitPolicy") or "UNIQUE").strip().upper()
        try:
            hit_policy = HitPolicy(hit_text)
        except ValueError:
            raise self.fail(where, f"unknown hit policy {hit_text!r}") from None
        aggregation = None
        if node.get("aggregation"):
            try:
                aggregation = Aggregation(node.get("aggregation").strip().upper())
            except ValueError:
                raise self.fail(where, f"unknown aggregation {node.get('aggregation')!r}") from None
            if hit_policy is not HitPolicy.COLLECT:
                raise self.fail(where, f"aggregation needs hit policy COLLECT, not {hit_text}")
        inputs = tuple(self.input(n, where) for n in node.findall(self.q("input")))
        outputs = tuple(self.output(n, where) for n in node.findall(self.q("output")))
        if not outputs:
            raise self.fail(where, "the decision table has no output")
        if aggregation is not None and len(outputs) != 1:
            raise self.fail(where, f"aggregation {aggregation.value} needs exactly one output")
        if hit_policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not any(
            output.values for output in outputs
        ):
            raise self.fail(where, f"hit policy {hit_text} needs outputValues on an output")
        names = [output.name for output in outputs]
        if len(set(names)) != len(names):
            raise self.fail(where, f"two outputs share a name: {names}")
        rules = tuple(
            self.rule(n, index, inputs, outputs, where)
            for index, n in enumerate(node.findall(self.q("rule")))
        )
        return DecisionTable(table_id, hit_policy, aggregation, inputs, outputs, rules)

    def input(self, node: Any, where: str) -> InputClause:
        input_id = node.get("id") or ""
        expression_node = node.find(self.q("inputExpression"))
        here = f"{where}, input {input_id or node.get('label')!r}"
        if expression_node is None:
            raise self.fail(here, "has no inputExpression")
        return InputClause(
            id=input_id,
            label=node.get("label"),
            expression=self.expression(expression_node, here),
            type_ref=expression_node.get("typeRef"),
            variable=node.get(f"{{{namespaces.CAMUNDA_DMN}}}inputVariable") or "cellInput",
        )

    def output(self, node: Any, where: str) -> OutputClause:
        output_id = node.get("id") or ""
        here = f"{where}, output {output_id!r}"
        values: tuple[Any, ...] = ()
        values_node = node.find(self.q("outputValues"))
        if values_node is not None and (self.text_of(values_node) or "").strip():
            text = self.text_of(values_node) or ""
            try:
                values = tuple(compile_expression(f"[{text}]").evaluate({}))
            except DmnError as exc:
                message = f"outputValues {text!r} are not a list of values: {exc}"
                raise self.fail(here, message) from None
        return OutputClause(
            id=output_id,
            label=node.get("label"),
            name=node.get("name") or output_id,
            type_ref=node.get("typeRef"),
            values=values,
        )

    def rule(
        self,
        node: Any,
        index: int,
        inputs: tuple[InputClause, ...],
        outputs: tuple[OutputClause, ...],
        where: str,
    ) -> Rule:
        rule_id = node.get("id") or f"rule {index + 1}"
        here = f"{where}, rule {rule_id!r}"
        input_nodes = node.findall(self.q("inputEntry"))
        output_nodes = node.findall(self.q("outputEntry"))
        if len(input_nodes) != len(inputs) or len(output_nodes) != len(outputs):
            raise self.fail(
                here,
                f"has {len(input_nodes)} input and {len(output_nodes)} output entries; the "
                f"table has {len(inputs)} inputs and {len(outputs)} outputs",
            )
        tests = []
        for entry, clause in zip(input_nodes, inputs, strict=True):
            cell = f"{here}, input entry {entry.get('id') or clause.id!r}"
            self.language_ok(entry, cell)
            try:
                tests.append(compile_unary_tests(self.text_of(entry) or ""))
            except FeelSyntaxError as exc:
                raise exc.located(f"{self.filename}: {cell}") from None
        conclusions: list[CompiledExpression | None] = [
            self.expression(entry, f"{here}, output entry {entry.get('id')!r}", allow_empty=True)
            for entry in output_nodes
        ]
        description = node.find(self.q("description"))
        return Rule(
            id=rule_id,
            index=index,
            description=None if description is None else (description.text or "").strip(),
            input_entries=tuple(tests),
            output_entries=tuple(conclusions),
        )


def _check_acyclic(decisions: Mapping[str, Decision], filename: str) -> None:
    state: dict[str, int] = {}

    def visit(decision_id: str, path: tuple[str, ...]) -> None:
        if state.get(decision_id) == 2:
            return
        if state.get(decision_id) == 1:
            cycle = " → ".join((*path, decision_id))
            raise DmnParseError(f"{filename}: required decisions form a cycle: {cycle}")
        state[decision_id] = 1
        for required in decisions[decision_id].required_decisions:
            if required in decisions:
                visit(required, (*path, decision_id))
        state[decision_id] = 2

    for decision_id in decisions:
        visit(decision_id, ())


def parse_dmn(xml: bytes | str, filename: str | None = None) -> dict[str, Decision]:
    """Parse one DMN file into its decisions, keyed by decision id (file order)."""
    root, source = _load(xml, filename)
    return _Reader(root, filename, source).decisions()


def source_key(source: str) -> str:
    """Content hash of a DMN text, the key of the deserialization cache."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@lru_cache(maxsize=256)
def _parse_cached(key: str, source: str, filename: str | None) -> Mapping[str, Decision]:
    return MappingProxyType(parse_dmn(source, filename))


def parse_dmn_cached(source: str, filename: str | None = None) -> Mapping[str, Decision]:
    """`parse_dmn` memoised by content: deserializing a thousand instances parses once.

    Safe to share because decisions are immutable.
    """
    return _parse_cached(source_key(source), source, filename)
