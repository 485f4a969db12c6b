"""Decision results and Camunda 7's `mapDecisionResult`.

A `DecisionResult` is Camunda's `resultList`: one dict (output name → value)
per matched rule. The BPMN business rule task picks a shape for its result
variable with `camunda:mapDecisionResult`; the mappers refuse the same results
Camunda 7 refuses, so a model that works there works here and vice versa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import isodate

from .errors import DecisionResultMappingError, DmnError
from .model import Decision, HitPolicy


class DecisionResult(list[dict[str, Any]]):
    """Camunda's resultList, plus which decision, inputs and rules produced it.

    A plain list to callers (and equal to one); `matched_rules` (rule ids),
    `rule_numbers` (1 = the table's first row, as the Modeler shows it), `inputs`
    (each input column's value, by its label) and `required` (the results of the
    decisions this one required, evaluated first) are kept for the case history,
    which records every decision with its reasons (`recorded`).
    """

    def __init__(
        self,
        rows: Iterable[dict[str, Any]] = (),
        decision_id: str = "",
        matched_rules: Iterable[str] = (),
        *,
        rule_numbers: Iterable[int] = (),
        inputs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(rows)
        self.decision_id = decision_id
        self.matched_rules = tuple(matched_rules)
        self.rule_numbers = tuple(rule_numbers)
        self.inputs: dict[str, Any] = inputs or {}
        self.required: tuple[DecisionResult, ...] = ()

    def __repr__(self) -> str:
        return f"DecisionResult({list(self)!r}, decision_id={self.decision_id!r})"

    def recorded(self) -> dict[str, Any]:
        """The history's account of this evaluation, JSON-safe.

        Structure (which decision, which rules) and values (`inputs`, `outputs`)
        are under separate keys, so erasing a case's values keeps the structure.
        """
        return {"decision_id": self.decision_id, "matched_rules": list(self.matched_rules),
                "rules": list(self.rule_numbers), "inputs": json_safe(self.inputs),
                "outputs": json_safe([dict(row) for row in self])}


def json_safe(value: Any) -> Any:
    """A FEEL value as JSON: numbers stay numbers, dates and durations become ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta | isodate.Duration):
        return isodate.duration_isoformat(value)
    return str(value)


MAP_MODES = ("singleEntry", "singleResult", "collectEntries", "resultList")
DEFAULT_MAP_MODE = "resultList"
"""Camunda 7's default for a business rule task without `mapDecisionResult`."""


def _single_row(result: list[dict[str, Any]], mode: str) -> dict[str, Any] | None:
    if len(result) > 1:
        raise DecisionResultMappingError(
            f"mapDecisionResult {mode!r}: the decision result has more than one result "
            f"({len(result)} matched rules: {list(result)!r})"
        )
    return result[0] if result else None


def map_decision_result(result: list[dict[str, Any]], mode: str | None = None) -> Any:
    """Shape `result` as `camunda:mapDecisionResult` does.

    * `singleEntry`: the one value of the one matched rule (None if none matched);
      more than one rule, or more than one output in it, is an error.
    * `singleResult`: the one matched rule as a dict (None if none matched).
    * `collectEntries`: the values of the one output name, one per rule ([] if none).
    * `resultList` (default): a list of dicts, one per matched rule.
    """
    mode = mode or DEFAULT_MAP_MODE
    if mode == "resultList":
        return [dict(row) for row in result]
    if mode == "singleResult":
        row = _single_row(result, mode)
        return None if row is None else dict(row)
    if mode == "singleEntry":
        row = _single_row(result, mode)
        if not row:
            return None
        if len(row) > 1:
            raise DecisionResultMappingError(
                f"mapDecisionResult 'singleEntry': the result has more than one entry "
                f"({sorted(row)!r})"
            )
        return next(iter(row.values()))
    if mode == "collectEntries":
        names = {name for row in result for name in row}
        if len(names) > 1:
            raise DecisionResultMappingError(
                "mapDecisionResult 'collectEntries': the decision outputs should only contain "
                f"values for one output name but found {sorted(names)!r}"
            )
        if not names:
            return []
        (name,) = names
        return [row[name] for row in result if name in row]
    raise DmnError(f"unknown mapDecisionResult {mode!r}; expected one of {MAP_MODES}")


def result_as_variables(result: list[dict[str, Any]], decision: Decision) -> dict[str, Any]:
    """The variables a required decision contributes to the decisions that need it.

    Camunda 7's rule: a single result contributes its outputs by name; several
    results, or any result of a COLLECT or RULE ORDER table, contribute each
    output name as a list of values. An aggregated COLLECT (`C+`, `C#`…) yields
    one number, which is contributed as that number.
    """
    if not result:
        return {}
    table = decision.table
    many = (
        table is not None
        and table.aggregation is None
        and table.hit_policy
        in (
            HitPolicy.COLLECT,
            HitPolicy.RULE_ORDER,
            HitPolicy.OUTPUT_ORDER,
        )
    )
    if len(result) == 1 and not many:
        return dict(result[0])
    names = dict.fromkeys(name for row in result for name in row)
    return {name: [row[name] for row in result if name in row] for name in names}
