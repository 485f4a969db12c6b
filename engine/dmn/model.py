"""What a DMN file says, after parsing: immutable, compiled, shareable.

Decisions are frozen dataclasses holding their compiled cells, so one parsed
file can serve every workflow instance and thread without copying. Each
decision keeps the XML text it came from (`source`) so the serializer can store
it and rebuild the decision later without the deploy-time parser.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .feel import CompiledExpression, CompiledTests


class HitPolicy(enum.Enum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(enum.Enum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True, slots=True)
class InputClause:
    """A table column; `variable` is `camunda:inputVariable` (default `cellInput`)."""

    id: str
    label: str | None
    expression: CompiledExpression
    type_ref: str | None
    variable: str = "cellInput"


@dataclass(frozen=True, slots=True)
class OutputClause:
    """An output column; `values` is the parsed `outputValues` (priority order)."""

    id: str
    label: str | None
    name: str
    type_ref: str | None
    values: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One row. An output entry is None when its cell is empty: Camunda leaves that
    output out of the rule's result rather than setting it to null."""

    id: str
    index: int
    description: str | None
    input_entries: tuple[CompiledTests, ...]
    output_entries: tuple[CompiledExpression | None, ...]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    id: str
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class LiteralExpression:
    """A `<literalExpression>` decision; its single result entry is `variable_name`."""

    id: str
    expression: CompiledExpression
    variable_name: str
    type_ref: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """One `<decision>`: a table or a literal expression, plus the decisions it requires."""

    id: str
    name: str | None
    logic: DecisionTable | LiteralExpression
    required_decisions: tuple[str, ...] = ()
    version_tag: str | None = None
    filename: str | None = None
    source: str = field(default="", repr=False, compare=False)

    @property
    def table(self) -> DecisionTable | None:
        return self.logic if isinstance(self.logic, DecisionTable) else None
