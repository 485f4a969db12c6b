"""Loading Camunda Modeler DMN files: both namespaces, several decisions, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.dmn import DmnParseError, FeelSyntaxError, HitPolicy, evaluate_decision, parse_dmn
from engine.dmn.model import DecisionTable
from engine.dmn.parser import MAX_DMN_BYTES, parse_dmn_cached

FILES = Path(__file__).parent / "dmn_files"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def test_dmn13_file_from_camunda_modeler_5() -> None:
    decisions = parse_dmn((FILES / "triage_dmn13.dmn").read_bytes(), "triage_dmn13.dmn")
    triage = decisions["triage"]
    assert triage.name == "CII triage"
    assert triage.version_tag == "1"
    table = triage.table
    assert isinstance(table, DecisionTable)
    assert table.hit_policy is HitPolicy.FIRST
    assert [i.variable for i in table.inputs] == ["typology", "cellInput"]
    assert [i.expression.text.strip() for i in table.inputs] == ["typology", "person.age"]
    assert [i.type_ref for i in table.inputs] == ["string", "integer"]
    assert [(o.id, o.name, o.label, o.type_ref) for o in table.outputs] == [
        ("Output_1", "lead", "Lead institution", "string")
    ]
    assert [r.id for r in table.rules] == [
        "DecisionRule_young",
        "DecisionRule_adultA",
        "DecisionRule_other",
    ]
    assert table.rules[0].description == "Minors always go to the OPE"
    assert table.rules[2].input_entries[1].test is None  # the empty cell


@pytest.mark.parametrize(
    ("context", "lead"),
    [
        ({"typology": "A", "person": {"age": 12}}, "OPE"),
        ({"typology": "B", "person": {"age": 12}}, "OPE"),
        ({"typology": "A", "person": {"age": 40}}, "AI"),
        ({"typology": "B", "person": {"age": 40}}, "ORP"),
        ({"typology": "C"}, "ORP"),
        ({}, "ORP"),  # missing typology is null; not("A") matches null
        ({"typology": "A", "person": {"age": "12"}}, "OPE"),  # typeRef integer converts
    ],
)
def test_dmn13_triage_evaluates(context: dict[str, object], lead: str) -> None:
    decisions = parse_dmn((FILES / "triage_dmn13.dmn").read_bytes())
    assert evaluate_decision(decisions, "triage", context) == [{"lead": lead}]


def test_dmn13_no_rule_matches() -> None:
    decisions = parse_dmn((FILES / "triage_dmn13.dmn").read_bytes())
    assert evaluate_decision(decisions, "triage", {"typology": "A", "person": {"age": 80}}) == []


def test_dmn11_file_with_two_decisions_and_a_requirement() -> None:
    """Camunda's classic dish/season example, DMN 1.1 namespace, two decisions."""
    decisions = parse_dmn((FILES / "dish_dmn11.dmn").read_bytes(), "dish_dmn11.dmn")
    assert list(decisions) == ["dish", "season"]
    assert decisions["dish"].required_decisions == ("season",)
    assert decisions["dish"].table.hit_policy is HitPolicy.UNIQUE  # the default
    cases = [
        (35, 5, "Beans salad"),
        (35, 20, "Light salad"),
        (-5, 3, "Spareribs"),
        (-5, 12, "Pasta"),
        (10, 3, "Stew"),
        (10, 12, "Steak"),
    ]
    for temperature, guests, dish in cases:
        context = {"temperature": temperature, "guestCount": guests}
        assert evaluate_decision(decisions, "dish", context) == [{"desiredDish": dish}]
    assert evaluate_decision(decisions, "season", {"temperature": 35}) == [{"season": "Summer"}]


def test_str_input_and_cache_by_content() -> None:
    text = (FILES / "triage_dmn13.dmn").read_text(encoding="utf-8")
    assert parse_dmn(text)["triage"].id == "triage"
    assert parse_dmn_cached(text) is parse_dmn_cached(str(text))


def _definitions(body: str, ns: str = DMN13) -> str:
    return f'<definitions xmlns="{ns}" id="defs" name="x" namespace="x">{body}</definitions>'


def _table(rule: str, hit: str = "UNIQUE", inputs: str | None = None) -> str:
    inputs = inputs or '<input id="i1"><inputExpression><text>x</text></inputExpression></input>'
    return _definitions(
        f'<decision id="dec"><decisionTable id="t" hitPolicy="{hit}">{inputs}'
        f'<output id="o1" name="out" />{rule}</decisionTable></decision>'
    )


GOOD_RULE = (
    '<rule id="r1"><inputEntry><text>1</text></inputEntry>'
    "<outputEntry><text>2</text></outputEntry></rule>"
)
TWO_CELLS = GOOD_RULE.replace("<text>1</text>", "<text>1</text></inputEntry><inputEntry>", 1)
BLANK_INPUT = '<input id="i1"><inputExpression><text> </text></inputExpression></input>'
LITERAL = "<literalExpression><text>1</text></literalExpression>"
REQUIRES_B = '<informationRequirement><requiredDecision href="#b"/></informationRequirement>'
JAVASCRIPT = '<literalExpression expressionLanguage="javascript"><text>1</text></literalExpression>'

MALFORMED = [
    ("<definitions", "not well-formed"),
    ("<foo/>", "not a DMN file"),
    ('<definitions xmlns="urn:other"/>', "not a DMN file"),
    (_table(GOOD_RULE, hit="SOMETIMES"), "decision 'dec'.*unknown hit policy"),
    (_table(TWO_CELLS), "rule 'r1'.*2 input"),
    (_table(GOOD_RULE, inputs='<input id="i1"/>'), "input 'i1'.*no inputExpression"),
    (_table(GOOD_RULE, inputs=BLANK_INPUT), "input 'i1'.*empty"),
    (_definitions('<decision id="lonely" />'), "decision 'lonely'.*neither"),
    (_definitions(f'<decision name="no id">{LITERAL}</decision>'), "no id"),
    (_definitions(f'<decision id="a">{REQUIRES_B}{LITERAL}</decision>'), "requires decision 'b'"),
    (_definitions(f'<decision id="a">{LITERAL}</decision>' * 2), "'a'.*twice"),
    (_definitions(f'<decision id="js">{JAVASCRIPT}</decision>'), "javascript"),
    (_table(GOOD_RULE, hit='FIRST" aggregation="SUM'), "needs hit policy COLLECT"),
]


@pytest.mark.parametrize(("xml", "message"), MALFORMED)
def test_malformed_files_name_what_is_wrong(xml: str, message: str) -> None:
    with pytest.raises(DmnParseError, match=message):
        parse_dmn(xml.encode(), "bad.dmn")


def test_bad_cell_names_decision_rule_and_entry() -> None:
    rule = GOOD_RULE.replace("<inputEntry><text>1</text>", '<inputEntry id="c1"><text>[1..</text>')
    with pytest.raises(FeelSyntaxError) as info:
        parse_dmn(_table(rule), "bad.dmn")
    message = str(info.value)
    assert "bad.dmn" in message and "'dec'" in message and "'r1'" in message and "'c1'" in message
    assert info.value.text == "[1.."


def test_external_entities_and_dtds_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        + _definitions(
            '<decision id="d"><literalExpression><text>"&x;"</text></literalExpression></decision>'
        )
    )
    with pytest.raises(DmnParseError, match="DOCTYPE"):
        parse_dmn(xxe.encode())


def test_billion_laughs_is_refused() -> None:
    lol = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE d [{lol}]>' + _definitions(
        '<decision id="d"><literalExpression><text>"&lol9;"</text></literalExpression></decision>'
    )
    with pytest.raises(DmnParseError):
        parse_dmn(xml.encode())


def test_oversized_file_is_refused() -> None:
    with pytest.raises(DmnParseError, match="larger than"):
        parse_dmn(b" " * (MAX_DMN_BYTES + 1))
