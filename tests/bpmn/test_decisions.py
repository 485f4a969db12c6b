"""The CII decision tables give the answers documented in ``bpmn/decision_cases.yaml``,
checked with a small FEEL unary-test evaluator of this module's own, so that the
documented table and the DMN cannot drift apart without going through the engine."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bpmn.model import BPMN_DIR, DMN_FILES, EXPECTED_DECISIONS, NS, Model, enum_ids, parse

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
        for opt_id in enum_ids(Model(BPMN_DIR / "cii_case.bpmn"), "triage_confirm_task", "service")
    }
    produced = {row["outputs"]["service"] for row in table["rules"]}
    assert produced <= services
    outputs = {o["name"] for o in table["outputs"]}
    assert {"service", "rationale"} <= outputs



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


