"""Deploy-time lint of DMN files: languages, structure, every cell parsed."""

from __future__ import annotations

import pytest

from engine.lint import lint
from tests.engine.test_lint_corpus import (
    CLEAN_DMN,
    assert_refused,
    clean_bundle,
    edited,
    errors,
    lint_replaced,
    read,
    warnings,
)

DMN_13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DECISION = '<decision id="triage" name="Triage" camunda:historyTimeToLive="180">'


def lint_dmn(*pairs: tuple[str, str]) -> list:
    return lint({CLEAN_DMN: edited(CLEAN_DMN, *pairs)})


@pytest.mark.parametrize(
    "namespace",
    ["http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/"],
)
def test_older_dmn_versions_lint_clean(namespace: str) -> None:
    assert lint_dmn((f'xmlns="{DMN_13}"', f'xmlns="{namespace}"')) == []


def test_cell_finding_names_rule_and_entry() -> None:
    findings = lint_replaced('<text>"B","C"</text>', '<text>"B",,</text>', dmn=True)
    finding = assert_refused(findings, "UnaryTests_b", "column")
    assert "DecisionRule_large_b" in finding.message
    assert "'Typology' (column 1)" in finding.message


@pytest.mark.parametrize("language", ["javascript", "groovy", "python", "jython"])
def test_script_expression_language_is_refused(language: str) -> None:
    findings = lint_dmn(
        ('id="Definitions_triage"', f'id="Definitions_triage" expressionLanguage="{language}"')
    )
    assert_refused(findings, "Definitions_triage", language)


@pytest.mark.parametrize(
    "language", ["feel", "FEEL", "juel", "https://www.omg.org/spec/DMN/20191111/FEEL/"]
)
def test_feel_and_juel_languages_are_accepted(language: str) -> None:
    findings = lint_dmn(
        ('<inputEntry id="UnaryTests_b">', f'<inputEntry id="UnaryTests_b" '
                                          f'expressionLanguage="{language}">')
    )
    assert errors(findings) == []


def test_juel_input_expression_is_parsed_as_juel() -> None:
    assert lint_dmn(("<text>amount</text>", "<text>${amount}</text>")) == []
    findings = lint_dmn(("<text>amount</text>", "<text>${amount.__class__}</text>"))
    assert_refused(findings, "InputExpression_amount", "does not parse")


def test_rule_with_missing_cell_is_refused() -> None:
    findings = lint_dmn(('<inputEntry id="UnaryTests_large">\n          <text>&gt; 1000</text>\n'
                         '        </inputEntry>', ""))
    assert_refused(findings, "DecisionRule_large_b", "1 input and 1 output cells")


def test_unknown_hit_policy_is_refused() -> None:
    findings = lint_dmn(('hitPolicy="FIRST"', 'hitPolicy="WHATEVER"'))
    assert_refused(findings, "DecisionTable_triage", "hit policy")


def test_aggregation_needs_collect() -> None:
    findings = lint_dmn(('hitPolicy="FIRST"', 'hitPolicy="FIRST" aggregation="SUM"'))
    assert_refused(findings, "DecisionTable_triage", "aggregation")
    assert lint_dmn(('hitPolicy="FIRST"', 'hitPolicy="COLLECT" aggregation="COUNT"')) == []


def test_what_the_dmn_engine_refuses_the_lint_refuses() -> None:
    findings = lint_dmn(('hitPolicy="FIRST"', 'hitPolicy="PRIORITY"'))
    assert_refused(findings, "Definitions_triage", "DMN engine", "outputValues")


def test_literal_expression_decision_is_checked() -> None:
    literal = (
        '<decision id="score" name="Score"><variable id="v" name="score" />'
        '<literalExpression id="Literal_score"><text>{}</text></literalExpression></decision>'
    )
    ok = lint_dmn((DECISION, literal.format("amount * 2") + DECISION))
    assert ok == []
    bad = lint_dmn((DECISION, literal.format("__import__(1)") + DECISION))
    assert_refused(bad, "Literal_score", "does not parse")


def test_required_decision_must_be_in_the_same_file() -> None:
    requirement = (
        '<informationRequirement id="Req_1"><requiredDecision href="#{}" />'
        "</informationRequirement>"
    )
    missing = lint_dmn((DECISION, DECISION + requirement.format("nowhere")))
    assert_refused(missing, "triage", "requiredDecision", "#nowhere")
    literal = (
        '<decision id="score" name="Score"><variable id="v" name="score" />'
        '<literalExpression id="Literal_score"><text>1</text></literalExpression></decision>'
    )
    present = lint_dmn((DECISION, literal + DECISION + requirement.format("score")))
    assert present == []


def test_decision_without_logic_is_refused() -> None:
    findings = lint_dmn((DECISION, '<decision id="empty" name="Empty" />' + DECISION))
    assert_refused(findings, "empty", "neither a decision table nor a literal expression")


def test_business_knowledge_model_is_refused() -> None:
    findings = lint_dmn((DECISION, '<businessKnowledgeModel id="Bkm_1" name="b" />' + DECISION))
    assert_refused(findings, "Bkm_1", "businessKnowledgeModel")


def test_file_without_decision_is_refused() -> None:
    data = f'<definitions xmlns="{DMN_13}" id="Empty_defs" name="e" namespace="x" />'.encode()
    assert_refused(lint({"e.dmn": data}), "Empty_defs", "no decision")


def test_unused_camunda_dmn_attribute_is_a_warning() -> None:
    findings = lint_dmn(
        ('<input id="Input_typology"', '<input camunda:foo="1" id="Input_typology"')
    )
    assert errors(findings) == []
    [warning] = warnings(findings)
    assert warning.element_id == "Input_typology" and "camunda:foo" in warning.message


def test_decision_defined_in_two_files_is_refused() -> None:
    files = clean_bundle() | {"copy.dmn": read(CLEAN_DMN)}
    assert_refused(lint(files), "triage", "also defined in")
