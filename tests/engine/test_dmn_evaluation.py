"""Hit policies, aggregations, mapDecisionResult and decision requirement graphs."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import pytest

from engine.dmn import (
    DecisionResultMappingError,
    DmnEvaluationError,
    DmnParseError,
    evaluate_decision,
    map_decision_result,
    parse_dmn,
)

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def table_dmn(
    rules: list[tuple[list[str], list[str]]],
    hit_policy: str = "UNIQUE",
    inputs: tuple[str, ...] = ("score",),
    outputs: tuple[str, ...] = ("result",),
    aggregation: str | None = None,
    output_values: dict[str, str] | None = None,
    type_refs: dict[str, str] | None = None,
) -> bytes:
    """A one-decision DMN 1.3 file (id `d`) as Camunda Modeler lays it out."""
    type_refs = type_refs or {}
    aggregation_attr = f' aggregation="{aggregation}"' if aggregation else ""
    parts = [
        f'<definitions xmlns="{DMN13}" xmlns:camunda="http://camunda.org/schema/1.0/dmn" '
        'id="defs" name="DRD" namespace="http://camunda.org/schema/1.0/dmn">',
        f'<decision id="d" name="D"><decisionTable id="t" hitPolicy="{hit_policy}"'
        f"{aggregation_attr}>",
    ]
    for name in inputs:
        parts.append(
            f'<input id="in_{name}" label="{name}"><inputExpression id="ie_{name}" '
            f'typeRef="{type_refs.get(name, "")}"><text>{name}</text></inputExpression></input>'
        )
    for name in outputs:
        values = (output_values or {}).get(name)
        inner = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        parts.append(
            f'<output id="out_{name}" name="{name}" typeRef="{type_refs.get(name, "")}">'
            f"{inner}</output>"
        )
    for index, (tests, conclusions) in enumerate(rules, start=1):
        parts.append(f'<rule id="r{index}">')
        parts += [f"<inputEntry><text>{escape(t)}</text></inputEntry>" for t in tests]
        parts += [f"<outputEntry><text>{escape(c)}</text></outputEntry>" for c in conclusions]
        parts.append("</rule>")
    parts.append("</decisionTable></decision></definitions>")
    return "".join(parts).encode()


def evaluate(xml: bytes, **context: Any) -> Any:
    return evaluate_decision(parse_dmn(xml), "d", context)


OVERLAPPING = [(["> 0"], ['"a"']), (["> 5"], ['"b"']), (["> 8"], ['"a"'])]


# -- hit policies ------------------------------------------------------------
@pytest.mark.parametrize(
    ("policy", "score", "expected", "rules_hit"),
    [
        ("UNIQUE", 3, [{"result": "a"}], ("r1",)),
        ("UNIQUE", -1, [], ()),
        ("FIRST", 9, [{"result": "a"}], ("r1",)),
        ("FIRST", -1, [], ()),
        ("RULE ORDER", 9, [{"result": "a"}, {"result": "b"}, {"result": "a"}], ("r1", "r2", "r3")),
        ("COLLECT", 6, [{"result": "a"}, {"result": "b"}], ("r1", "r2")),
        ("COLLECT", -1, [], ()),
        ("ANY", 3, [{"result": "a"}], ("r1",)),
    ],
)
def test_hit_policy(
    policy: str, score: int, expected: list[dict[str, Any]], rules_hit: tuple[str, ...]
) -> None:
    result = evaluate(table_dmn(OVERLAPPING, policy), score=score)
    assert result == expected
    assert result.matched_rules == rules_hit


def test_unique_with_two_matches_names_the_rules() -> None:
    with pytest.raises(DmnEvaluationError, match=r"UNIQUE.*\['r1', 'r2'\]"):
        evaluate(table_dmn(OVERLAPPING, "UNIQUE"), score=6)


def test_any_with_different_outputs_names_the_rules() -> None:
    with pytest.raises(DmnEvaluationError, match=r"ANY.*\['r1', 'r2'\]"):
        evaluate(table_dmn(OVERLAPPING, "ANY"), score=6)


def test_any_with_equal_outputs_returns_one() -> None:
    rules = [(["> 0"], ['"a"']), (["> 5"], ['"a"'])]
    assert evaluate(table_dmn(rules, "ANY"), score=9) == [{"result": "a"}]


def test_priority_follows_output_values() -> None:
    rules = [(["> 0"], ['"low"']), (["> 5"], ['"high"']), (["> 3"], ['"medium"'])]
    xml = table_dmn(rules, "PRIORITY", output_values={"result": '"high","medium","low"'})
    assert evaluate(xml, score=9) == [{"result": "high"}]
    assert evaluate(xml, score=4) == [{"result": "medium"}]
    assert evaluate(xml, score=1) == [{"result": "low"}]
    ordered = table_dmn(rules, "OUTPUT ORDER", output_values={"result": '"high","medium","low"'})
    assert evaluate(ordered, score=9) == [{"result": v} for v in ("high", "medium", "low")]


def test_priority_without_output_values_is_refused_at_parse() -> None:
    with pytest.raises(DmnParseError, match="outputValues"):
        parse_dmn(table_dmn(OVERLAPPING, "PRIORITY"))


AMOUNTS = [(["> 0"], ["10"]), (["> 5"], ["20"]), (["> 8"], ["5"])]


@pytest.mark.parametrize(
    ("aggregation", "score", "expected"),
    [
        ("SUM", 9, [{"result": 35}]),
        ("MIN", 9, [{"result": 5}]),
        ("MAX", 9, [{"result": 20}]),
        ("COUNT", 9, [{"result": 3}]),
        ("SUM", 3, [{"result": 10}]),
        ("SUM", -1, []),
        ("MAX", -1, []),
        ("COUNT", -1, [{"result": 0}]),
    ],
)
def test_collect_aggregation(aggregation: str, score: int, expected: list[Any]) -> None:
    assert evaluate(table_dmn(AMOUNTS, "COLLECT", aggregation=aggregation), score=score) == expected


def test_aggregation_needs_a_single_output() -> None:
    rules = [(["> 0"], ["1", "2"])]
    xml = table_dmn(rules, "COLLECT", outputs=("a", "b"), aggregation="SUM")
    with pytest.raises(DmnParseError, match="exactly one output"):
        parse_dmn(xml)


def test_aggregation_of_text_is_an_error() -> None:
    with pytest.raises(DmnEvaluationError, match="needs numbers"):
        evaluate(table_dmn(OVERLAPPING, "COLLECT", aggregation="SUM"), score=9)


def test_empty_output_cell_sets_nothing() -> None:
    rules = [(["-"], ['"x"', ""])]
    assert evaluate(table_dmn(rules, outputs=("a", "b")), score=1) == [{"a": "x"}]


def test_output_entries_are_expressions_and_typed() -> None:
    rules = [(["-"], ["score * 2", "score / 2"])]
    xml = table_dmn(rules, outputs=("double", "half"), type_refs={"half": "integer"})
    assert evaluate(xml, score=4) == [{"double": 8, "half": 2}]


def test_input_type_ref_converts_json_values() -> None:
    rules = [(['< date("2021-08-01")'], ['"early"']), (["-"], ['"late"'])]
    xml = table_dmn(rules, "FIRST", type_refs={"score": "date"})
    assert evaluate(xml, score="2021-07-01") == [{"result": "early"}]
    with pytest.raises(DmnEvaluationError, match="typeRef 'date'"):
        evaluate(xml, score="not a date")


def test_runtime_error_names_the_rule() -> None:
    rules = [(["-"], ["date(score)"])]
    with pytest.raises(DmnEvaluationError, match="rule 'r1'"):
        evaluate(table_dmn(rules), score="31.02.2021")


# -- mapDecisionResult ---------------------------------------------------------
ONE = [{"result": "a"}]
TWO_ROWS = [{"result": "a"}, {"result": "b"}]
TWO_ENTRIES = [{"result": "a", "reason": "x"}]


@pytest.mark.parametrize(
    ("mode", "result", "expected"),
    [
        ("singleEntry", ONE, "a"),
        ("singleEntry", [], None),
        ("singleResult", ONE, {"result": "a"}),
        ("singleResult", TWO_ENTRIES, {"result": "a", "reason": "x"}),
        ("singleResult", [], None),
        ("collectEntries", TWO_ROWS, ["a", "b"]),
        ("collectEntries", ONE, ["a"]),
        ("collectEntries", [], []),
        ("resultList", TWO_ROWS, TWO_ROWS),
        ("resultList", [], []),
        (None, TWO_ENTRIES, TWO_ENTRIES),  # Camunda 7's default is resultList
    ],
)
def test_map_decision_result(mode: str | None, result: list[Any], expected: Any) -> None:
    assert map_decision_result(result, mode) == expected


@pytest.mark.parametrize(
    ("mode", "result", "message"),
    [
        ("singleEntry", TWO_ROWS, "more than one result"),
        ("singleEntry", TWO_ENTRIES, "more than one entry"),
        ("singleResult", TWO_ROWS, "more than one result"),
        ("collectEntries", [{"a": 1}, {"b": 2}], "one output name"),
        ("collectEntries", TWO_ENTRIES, "one output name"),
    ],
)
def test_map_decision_result_refusals(mode: str, result: list[Any], message: str) -> None:
    with pytest.raises(DecisionResultMappingError, match=message):
        map_decision_result(result, mode)


def test_mapped_results_are_copies() -> None:
    result = [{"result": "a"}]
    mapped = map_decision_result(result, "singleResult")
    mapped["result"] = "changed"
    assert result == [{"result": "a"}]


# -- decision requirement graphs ----------------------------------------------
DRG = f"""<definitions xmlns="{DMN13}" id="drg" name="DRG" namespace="x">
  <decision id="risk" name="Risk">
    <informationRequirement id="ir1"><requiredDecision href="#band" /></informationRequirement>
    <informationRequirement id="ir2"><requiredDecision href="#flags" /></informationRequirement>
    <decisionTable id="t_risk" hitPolicy="FIRST">
      <input id="i1"><inputExpression typeRef="string"><text>band</text></inputExpression></input>
      <input id="i2"><inputExpression><text>count(flag)</text></inputExpression></input>
      <output id="o1" name="risk" typeRef="string" />
      <rule id="risk_high"><inputEntry><text>"high"</text></inputEntry>
        <inputEntry><text>-</text></inputEntry><outputEntry><text>"red"</text></outputEntry></rule>
      <rule id="risk_flags"><inputEntry><text>-</text></inputEntry>
        <inputEntry><text>&gt;= 2</text></inputEntry>
        <outputEntry><text>"orange"</text></outputEntry></rule>
      <rule id="risk_else"><inputEntry><text>-</text></inputEntry>
        <inputEntry><text>-</text></inputEntry><outputEntry><text>"green"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="band" name="Band">
    <informationRequirement id="ir3"><requiredDecision href="#score" /></informationRequirement>
    <decisionTable id="t_band">
      <input id="i3"><inputExpression><text>score</text></inputExpression></input>
      <output id="o2" name="band" />
      <rule id="band_high"><inputEntry><text>&gt;= 50</text></inputEntry>
        <outputEntry><text>"high"</text></outputEntry></rule>
      <rule id="band_low"><inputEntry><text>&lt; 50</text></inputEntry>
        <outputEntry><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="score" name="Score">
    <variable id="v1" name="score" typeRef="integer" />
    <literalExpression id="le1"><text>amount / 100</text></literalExpression>
  </decision>
  <decision id="flags" name="Flags">
    <decisionTable id="t_flags" hitPolicy="COLLECT">
      <input id="i4"><inputExpression><text>amount</text></inputExpression></input>
      <output id="o3" name="flag" />
      <rule id="f1"><inputEntry><text>&gt; 1000</text></inputEntry>
        <outputEntry><text>"big"</text></outputEntry></rule>
      <rule id="f2"><inputEntry><text>&gt; 2000</text></inputEntry>
        <outputEntry><text>"huge"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


@pytest.mark.parametrize(
    ("amount", "risk"), [(9000, "red"), (2500, "orange"), (1500, "green"), (100, "green")]
)
def test_required_decisions_feed_their_outputs_by_name(amount: int, risk: str) -> None:
    decisions = parse_dmn(DRG)
    assert decisions["risk"].required_decisions == ("band", "flags")
    assert evaluate_decision(decisions, "risk", {"amount": amount}) == [{"risk": risk}]


def test_collect_required_decision_contributes_a_list() -> None:
    decisions = parse_dmn(DRG.replace("count(flag)", "flag"))
    result = evaluate_decision(decisions, "risk", {"amount": 1500})
    # `flag` is ["big"], a list (COLLECT), so ">= 2" does not apply: green.
    assert result == [{"risk": "green"}]


def test_literal_expression_decision() -> None:
    assert evaluate_decision(parse_dmn(DRG), "score", {"amount": 4200}) == [{"score": 42}]


def test_unknown_decision_is_an_error() -> None:
    with pytest.raises(DmnEvaluationError, match="not deployed"):
        evaluate_decision(parse_dmn(DRG), "nope", {})


def test_required_decision_cycle_is_refused() -> None:
    cyclic = DRG.replace(
        '<decision id="score" name="Score">',
        (
            '<decision id="score" name="Score"><informationRequirement>'
            '<requiredDecision href="#risk" /></informationRequirement>'
        ),
    )
    with pytest.raises(DmnParseError, match="cycle"):
        parse_dmn(cyclic)


def test_context_is_not_modified() -> None:
    context = {"amount": 9000}
    evaluate_decision(parse_dmn(DRG), "risk", context)
    assert context == {"amount": 9000}


# -- Camunda 7 JUEL, delegated to engine.expressions -------------------------
def test_juel_input_expression_and_cell() -> None:
    rules = [(["${cellInput > 1000}"], ['"big"']), (["-"], ['"small"'])]
    xml = table_dmn(rules, "FIRST").replace(b"<text>score</text>", b"<text>${amount}</text>")
    assert evaluate(xml, amount=1200) == [{"result": "big"}]
    assert evaluate(xml, amount=12) == [{"result": "small"}]


def test_juel_syntax_is_checked_at_parse() -> None:
    from engine.dmn import FeelSyntaxError

    with pytest.raises(FeelSyntaxError, match="JUEL"):
        parse_dmn(table_dmn([(["${cellInput >}"], ['"x"'])]))
