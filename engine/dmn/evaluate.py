"""Evaluates decisions: required decisions first, then the table and its hit policy.

Hit policies follow the DMN spec as Camunda 7 implements it: UNIQUE and ANY
fail loudly (naming the rules) instead of guessing, FIRST takes the first
match in rule order, RULE ORDER/COLLECT keep every match, COLLECT aggregates
with SUM/MIN/MAX/COUNT over its single output. PRIORITY and OUTPUT ORDER
(which Camunda 7 lacks) rank matches by the position of their values in the
outputs' `outputValues`, outputs taken left to right.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .errors import DmnError, DmnEvaluationError
from .feel_compile import INPUT
from .feel_values import feel_equal, is_number
from .model import Aggregation, Decision, DecisionTable, HitPolicy, Rule
from .result import DecisionResult, result_as_variables
from .typeref import coerce


class Scope(Mapping[str, Any]):
    """Variables with a few names laid over them, without copying the task data."""

    __slots__ = ("_local", "_parent")

    def __init__(self, parent: Mapping[str, Any], local: dict[str, Any]) -> None:
        self._parent = parent
        self._local = local

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._local:
            return self._local[key]
        return self._parent.get(key, default)

    def __getitem__(self, key: str) -> Any:
        if key in self._local:
            return self._local[key]
        return self._parent[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._local
        yield from (key for key in self._parent if key not in self._local)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def requirement_order(decisions: Mapping[str, Decision], decision_id: str) -> list[str]:
    """`decision_id` and everything it requires, required decisions first, each once."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(current: str) -> None:
        if current in order:
            return
        if current in visiting:
            raise DmnEvaluationError(f"required decisions form a cycle through {current!r}")
        if current not in decisions:
            raise DmnEvaluationError(
                f"decision {current!r} is not deployed (known: {sorted(decisions)})"
            )
        visiting.add(current)
        for required in decisions[current].required_decisions:
            visit(required)
        visiting.discard(current)
        order.append(current)

    visit(decision_id)
    return order


def evaluate_decision(
    decisions: Mapping[str, Decision], decision_id: str, context: Mapping[str, Any]
) -> DecisionResult:
    """Evaluate `decision_id` against `context` (task data), with its required decisions.

    Required decisions run first, in dependency order, each once; as in Camunda 7
    their outputs become variables (by output name) for the decisions after them.
    """
    order = requirement_order(decisions, decision_id)
    scope: Mapping[str, Any] = context
    required: list[DecisionResult] = []
    if len(order) > 1:
        contributed: dict[str, Any] = {}
        scope = Scope(context, contributed)
        for required_id in order[:-1]:
            result = evaluate_single(decisions[required_id], scope)
            contributed.update(result_as_variables(result, decisions[required_id]))
            required.append(result)
    final = evaluate_single(decisions[decision_id], scope)
    final.required = tuple(required)
    return final


def evaluate_single(decision: Decision, context: Mapping[str, Any]) -> DecisionResult:
    """Evaluate one decision, ignoring its requirements (their variables are in `context`)."""
    logic = decision.logic
    if isinstance(logic, DecisionTable):
        return _evaluate_table(decision, logic, context)
    where = f"decision {decision.id!r}"
    try:
        value = logic.expression.evaluate(context)
    except DmnError as exc:
        raise DmnEvaluationError(f"{where}, literal expression: {exc}") from exc
    value = coerce(value, logic.type_ref, where)
    return DecisionResult([{logic.variable_name: value}], decision.id)


def _evaluate_table(
    decision: Decision, table: DecisionTable, context: Mapping[str, Any]
) -> DecisionResult:
    values: list[Any] = []
    scopes: list[Scope] = []
    inputs: dict[str, Any] = {}
    for clause in table.inputs:
        where = f"decision {decision.id!r}, input {clause.id!r}"
        try:
            value = clause.expression.evaluate(context)
        except DmnError as exc:
            raise DmnEvaluationError(f"{where}: {exc}") from exc
        value = coerce(value, clause.type_ref, where)
        values.append(value)
        scopes.append(Scope(context, {INPUT: value, clause.variable: value}))
        label = clause.label or clause.id
        inputs[clause.id if label in inputs else label] = value

    matched: list[Rule] = []
    first_only = table.hit_policy is HitPolicy.FIRST
    for rule in table.rules:
        try:
            for entry, value, scope in zip(rule.input_entries, values, scopes, strict=True):
                test = entry.test
                if test is not None and test(value, scope) is not True:
                    break
            else:
                matched.append(rule)
                if first_only:
                    break
        except DmnError as exc:
            raise DmnEvaluationError(f"decision {decision.id!r}, rule {rule.id!r}: {exc}") from exc
    result = _apply_hit_policy(decision, table, matched, context)
    result.inputs = inputs
    number = {rule.id: rule.index + 1 for rule in matched}
    result.rule_numbers = tuple(number[rule_id] for rule_id in result.matched_rules)
    return result


def _outputs(
    decision: Decision, table: DecisionTable, rule: Rule, context: Mapping[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for clause, entry in zip(table.outputs, rule.output_entries, strict=True):
        if entry is None:
            continue  # Camunda: an empty output cell sets nothing
        where = f"decision {decision.id!r}, rule {rule.id!r}, output {clause.name!r}"
        try:
            value = entry.evaluate(context)
        except DmnError as exc:
            raise DmnEvaluationError(f"{where}: {exc}") from exc
        row[clause.name] = coerce(value, clause.type_ref, where)
    return row


def _apply_hit_policy(
    decision: Decision, table: DecisionTable, matched: list[Rule], context: Mapping[str, Any]
) -> DecisionResult:
    policy = table.hit_policy
    where = f"decision {decision.id!r}"
    if policy is HitPolicy.FIRST:
        matched = matched[:1]
    ids = [rule.id for rule in matched]
    if policy is HitPolicy.UNIQUE and len(matched) > 1:
        raise DmnEvaluationError(
            f"{where}: hit policy UNIQUE allows one matching rule, but {len(ids)} match: {ids}"
        )
    rows = [_outputs(decision, table, rule, context) for rule in matched]

    if policy is HitPolicy.ANY and rows:
        if any(not _same_row(rows[0], row) for row in rows[1:]):
            raise DmnEvaluationError(
                f"{where}: hit policy ANY needs matching rules with equal outputs, "
                f"but rules {ids} give {rows}"
            )
        rows, ids = rows[:1], ids[:1]
    elif policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and rows:
        ranked = sorted(zip(rows, ids, strict=True), key=lambda pair: _priority(table, pair[0]))
        if policy is HitPolicy.PRIORITY:
            ranked = ranked[:1]
        rows, ids = [row for row, _ in ranked], [rule_id for _, rule_id in ranked]
    elif policy is HitPolicy.COLLECT and table.aggregation is not None:
        rows = _aggregate(where, table, rows)
    return DecisionResult(rows, decision.id, ids)


def _same_row(left: dict[str, Any], right: dict[str, Any]) -> bool:
    return left.keys() == right.keys() and all(feel_equal(left[k], right[k]) for k in left)


def _priority(table: DecisionTable, row: dict[str, Any]) -> tuple[int, ...]:
    """Lower is better: the index of each output's value in its outputValues."""
    key = []
    for clause in table.outputs:
        if not clause.values:
            continue
        value = row.get(clause.name)
        position = next(
            (i for i, candidate in enumerate(clause.values) if feel_equal(value, candidate)),
            len(clause.values),
        )
        key.append(position)
    return tuple(key)


def _aggregate(
    where: str, table: DecisionTable, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """COLLECT with an aggregator over the table's single output.

    No match gives an empty result for SUM/MIN/MAX (Camunda returns no value)
    and a count of 0 for COUNT.
    """
    (output,) = table.outputs
    aggregation = table.aggregation
    values = [row[output.name] for row in rows if row.get(output.name) is not None]
    if aggregation is Aggregation.COUNT:
        return [{output.name: len(values)}]
    if not values:
        return []
    if not all(is_number(value) for value in values):
        raise DmnEvaluationError(
            f"{where}: aggregation {aggregation.value} needs numbers, got {values!r}"
        )
    if aggregation is Aggregation.SUM:
        return [{output.name: sum(values)}]
    return [{output.name: (min if aggregation is Aggregation.MIN else max)(values)}]
