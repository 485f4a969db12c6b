"""Single-table DMN 1.3 files, written as Camunda Modeler 5 (dmn-js) saves them.

Why one decision per file: stock SpiffWorkflow loads one decision per DMN file,
and a process owner editing one table in the Modeler should not touch another.
Ids of inputs, rules and cells follow dmn-js' own naming so that the Modeler
keeps them stable when the table is edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpmn.tools import writer
from bpmn.tools.writer import Tag

SHAPE = (160, 100, 180, 80)  # where dmn-js puts the only decision of a new DRD


@dataclass
class DmnInput:
    id: str
    label: str
    expression: str
    type_ref: str
    values: str | None = None  # allowed values as FEEL unary tests, e.g. '"a","b"'


@dataclass
class DmnOutput:
    id: str
    label: str
    name: str
    type_ref: str
    values: str | None = None


@dataclass
class DmnRule:
    inputs: list[str]
    outputs: list[str]
    annotation: str = ""


@dataclass
class Decision:
    """A decision table; rules are checked against the columns when written."""

    id: str
    name: str
    hit_policy: str
    inputs: list[DmnInput]
    outputs: list[DmnOutput]
    rules: list[DmnRule]
    doc: str | None = None


def decision_xml(d: Decision) -> str:
    """The whole DMN file: the decision, its table and a one-shape DRD."""
    root = writer.dmn_definitions(f"Definitions_{d.id}", d.name)
    dec = root.sub("decision", [("id", d.id), ("name", d.name)])
    if d.doc:
        dec.sub("description", text=d.doc)
    dec.add(_table(d))
    drd = root.sub("dmndi:DMNDI").sub("dmndi:DMNDiagram", [("id", f"DMNDiagram_{d.id}")])
    shape = drd.sub("dmndi:DMNShape", [("id", f"DMNShape_{d.id}"), ("dmnElementRef", d.id)])
    shape.add(writer.bounds(SHAPE))
    return writer.document(root)


def _values(parent: Tag, name: str, column_id: str, values: str | None) -> None:
    if values:
        parent.sub(name, [("id", f"UnaryTests_{column_id}_values")]).sub("text", text=values)


def _table(d: Decision) -> Tag:
    table = Tag("decisionTable", [("id", f"DecisionTable_{d.id}"), ("hitPolicy", d.hit_policy)])
    for i in d.inputs:
        column = table.sub("input", [("id", i.id), ("label", i.label)])
        expr = [("id", f"InputExpression_{i.id}"), ("typeRef", i.type_ref)]
        column.sub("inputExpression", expr).sub("text", text=i.expression)
        _values(column, "inputValues", i.id, i.values)
    for o in d.outputs:
        attrs = [("id", o.id), ("label", o.label), ("name", o.name), ("typeRef", o.type_ref)]
        _values(table.sub("output", attrs), "outputValues", o.id, o.values)
    for index, rule in enumerate(d.rules, start=1):
        table.add(_rule(d, index, rule))
    return table


def _rule(d: Decision, index: int, rule: DmnRule) -> Tag:
    if len(rule.inputs) != len(d.inputs) or len(rule.outputs) != len(d.outputs):
        raise ValueError(f"{d.id} rule {index}: wrong number of cells")
    tag = Tag("rule", [("id", f"DecisionRule_{d.id}_{index}")])
    if rule.annotation:
        tag.sub("description", text=rule.annotation)
    for col, cell in enumerate(rule.inputs, start=1):
        entry = tag.sub("inputEntry", [("id", f"UnaryTests_{d.id}_{index}_{col}")])
        entry.sub("text", text=cell)
    for col, cell in enumerate(rule.outputs, start=1):
        entry = tag.sub("outputEntry", [("id", f"LiteralExpression_{d.id}_{index}_{col}")])
        entry.sub("text", text=cell)
    return tag
