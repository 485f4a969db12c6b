"""Constructs found by ``bench/corpus.py`` on public community Camunda 7 files.

Each one deployed with a lint that said nothing (the parser then refused the file
without naming the element), or ran differently than in Camunda 7 without a finding.
Every document here is our own, small and synthetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import DefinitionRefused, Engine
from engine.dmn import evaluate_decision, parse_dmn
from engine.lint import lint
from tests.support.bpmn import Flow, Node, document, user_task

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def _choice(kind: str, *, default: str | None = None, conditioned: bool = True) -> bytes:
    attrs = {"default": default} if default else {}
    nodes = [Node("StartEvent_1", "startEvent"), Node("Choose", kind, None, attrs),
             user_task("Yes"), user_task("No"),
             Node("EndEvent_1", "endEvent"), Node("EndEvent_2", "endEvent")]
    flows = [Flow("StartEvent_1", "Choose", id="F_in"),
             Flow("Choose", "Yes", "${ok}" if conditioned else None, id="F_yes"),
             Flow("Choose", "No", id="F_no"),
             Flow("Yes", "EndEvent_1", id="F_y_end"), Flow("No", "EndEvent_2", id="F_n_end")]
    return document("p", nodes, flows)


def _errors(data: bytes) -> list[Any]:
    return [f for f in lint({"p.bpmn": data}) if f.severity == "error"]


@pytest.mark.parametrize("kind", ["exclusiveGateway", "inclusiveGateway"])
def test_unconditioned_flow_beside_others_is_named_on_the_flow(kind: str,
                                                                engine: Engine) -> None:
    data = _choice(kind)
    [error] = _errors(data)
    assert error.element_id == "F_no" and "without a condition" in error.message
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy({"p.bpmn": data})
    assert "F_no" in str(refused.value)


@pytest.mark.parametrize("kind", ["exclusiveGateway", "inclusiveGateway"])
def test_unconditioned_default_flow_deploys(kind: str, engine: Engine) -> None:
    data = _choice(kind, default="F_no")
    assert not _errors(data)
    engine.deploy({"p.bpmn": data})
    assert engine.start("p", "k", {"ok": False}).instance.id


def test_a_merging_gateway_with_one_unconditioned_flow_deploys(engine: Engine) -> None:
    nodes = [Node("StartEvent_1", "startEvent"), Node("Merge", "exclusiveGateway"),
             user_task("Review"), Node("EndEvent_1", "endEvent")]
    flows = [Flow("StartEvent_1", "Merge"), Flow("Merge", "Review"),
             Flow("Review", "EndEvent_1")]
    data = document("p", nodes, flows)
    assert not _errors(data)
    engine.deploy({"p.bpmn": data})


def _dmn(type_ref: str, entry: str, output_type: str = "string",
         output: str = '"matched"') -> bytes:
    return (
        f'<definitions xmlns="{DMN13}" id="defs" name="DRD" '
        'namespace="http://camunda.org/schema/1.0/dmn">'
        '<decision id="d" name="D"><decisionTable id="t" hitPolicy="FIRST">'
        f'<input id="i1" label="season"><inputExpression id="ie1" typeRef="{type_ref}">'
        "<text>season</text></inputExpression></input>"
        f'<output id="o1" name="result" typeRef="{output_type}" />'
        f'<rule id="r1"><inputEntry id="c1"><text>{entry}</text></inputEntry>'
        f"<outputEntry id=\"e1\"><text>{output}</text></outputEntry></rule>"
        "</decisionTable></decision></definitions>"
    ).encode()


def _dmn_warnings(data: bytes) -> list[Any]:
    return [f for f in lint({"d.dmn": data}) if f.severity == "warning"]


def test_bare_name_in_a_string_column_is_named() -> None:
    data = _dmn("string", "fall")
    [warning] = _dmn_warnings(data)
    assert warning.element_id == "c1" and '"fall"' in warning.message
    # Unquoted, the cell reads the variable `fall`: without it, the rule never matches.
    assert list(evaluate_decision(parse_dmn(data), "d", {"season": "fall"})) == []


@pytest.mark.parametrize(("type_ref", "entry"), [
    ("string", "&quot;fall&quot;"), ("string", "-"), ("string", "true"),
    ("integer", "limit"), ("", "fall"),
])
def test_quoted_text_and_other_columns_are_not_named(type_ref: str, entry: str) -> None:
    assert not _dmn_warnings(_dmn(type_ref, entry))


def test_date_column_keeps_the_time_of_a_date_and_time() -> None:
    data = _dmn("date", "&gt; date and time(&quot;2021-12-23T00:00&quot;)",
                output_type="date", output='date and time("2021-12-12T10:30")')
    result = evaluate_decision(parse_dmn(data), "d", {"season": dt.datetime(2022, 1, 1)})
    assert list(result) == [{"result": dt.datetime(2021, 12, 12, 10, 30)}]
