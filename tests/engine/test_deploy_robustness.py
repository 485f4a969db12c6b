"""Deploy never crashes: what the parser cannot take is a refusal naming the file and construct.

Found by ``bench/corpus.py`` on public Camunda 7 files; every file here is our own,
small and synthetic.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import DefinitionRefused, Engine
from engine.camunda.parser import CiiflowParser
from engine.lint import lint
from engine.runtime import definitions
from tests.support.bpmn import Flow, Node, document, user_task

DMN_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{ns}" id="d" name="d" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="grade" name="Grade">
    <decisionTable id="t">
      <input id="i1" label="Score">
        <inputExpression id="e1" typeRef="integer"><text>{input}</text></inputExpression>
      </input>
      <output id="o1" name="grade" typeRef="string" />
      <rule id="r1">
        <inputEntry id="u1"><text>&gt;= 5</text></inputEntry>
        <outputEntry id="x1"><text>"good"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="u2"><text>&lt; 5</text></inputEntry>
        <outputEntry id="x2"><text>"bad"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""
DMN_11_ALTERNATIVE = "http://www.omg.org/spec/DMN/20151101/dmn11.xsd"


def flows_through(nodes: list[Node]) -> list[Flow]:
    return [Flow(a.id, b.id) for a, b in zip(nodes, nodes[1:], strict=False)]


def _user_process(pid: str = "plain", **attrs: str) -> bytes:
    nodes = [Node("StartEvent_1", "startEvent"), user_task("Review", **attrs),
             Node("EndEvent_1", "endEvent")]
    return document(pid, nodes, flows_through(nodes))


def _decision_process() -> bytes:
    nodes = [Node("StartEvent_1", "startEvent"),
             Node("Decide", "businessRuleTask", "Decide", {
                 "camunda:decisionRef": "grade", "camunda:resultVariable": "grade",
                 "camunda:mapDecisionResult": "singleEntry"}),
             user_task("Review"), Node("EndEvent_1", "endEvent")]
    return document("graded", nodes, flows_through(nodes))


def _errors(refused: pytest.ExceptionInfo[DefinitionRefused]) -> list[Any]:
    return [f for f in refused.value.findings if f.severity == "error"]


def test_unexpected_parser_exception_is_a_refusal_naming_the_file(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: CiiflowParser, root: Any, filename: str | None = None) -> None:
        raise KeyError("sourceRef")

    monkeypatch.setattr(CiiflowParser, "add_bpmn_xml", broken)
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy({"plain.bpmn": _user_process()})
    [error] = _errors(refused)
    assert error.file == "plain.bpmn"
    assert "KeyError" in error.message and "sourceRef" in error.message


def test_exception_while_building_a_process_names_file_and_process(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: CiiflowParser, key: str) -> None:
        raise AttributeError("'NoneType' object has no attribute 'get'")

    monkeypatch.setattr(CiiflowParser, "get_spec", broken)
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy({"plain.bpmn": _user_process()})
    [error] = _errors(refused)
    assert error.file == "plain.bpmn" and "'plain'" in error.message


def test_dmn_parse_error_behind_the_lint_is_a_refusal_not_a_crash() -> None:
    """build_specs alone (as if the lint had let the file through) refuses, naming the file."""
    broken = DMN_TEMPLATE.format(ns="http://www.omg.org/spec/DMN/20151101/dmn.xsd", input="")
    with pytest.raises(DefinitionRefused) as refused:
        definitions.build_specs({"b.bpmn": _decision_process(), "grade.dmn": broken.encode()})
    [error] = _errors(refused)
    assert error.file == "grade.dmn" and "grade" in error.message


def test_camunda_alternative_dmn_11_namespace_deploys_and_decides(engine: Engine) -> None:
    dmn = DMN_TEMPLATE.format(ns=DMN_11_ALTERNATIVE, input="score").encode()
    engine.deploy({"graded.bpmn": _decision_process(), "grade.dmn": dmn})
    outcome = engine.start("graded", "k", {"score": 7})
    assert engine.workflow_data(outcome.instance.id)["grade"] == "good"


def test_missing_is_executable_runs_as_in_camunda_with_a_warning(engine: Engine) -> None:
    data = _user_process().replace(b' isExecutable="true"', b"")
    findings = lint({"plain.bpmn": data})
    assert not [f for f in findings if f.severity == "error"]
    assert any("isExecutable is missing" in f.message for f in findings)
    engine.deploy({"plain.bpmn": data})
    assert engine.start("plain", "k", {}).instance.id


def test_explicitly_non_executable_process_is_still_refused() -> None:
    data = _user_process().replace(b'isExecutable="true"', b'isExecutable="false"')
    errors = [f for f in lint({"plain.bpmn": data}) if f.severity == "error"]
    assert any("no process is executable" in f.message for f in errors)


def test_legacy_activiti_namespace_is_refused_not_dropped() -> None:
    data = _user_process(**{"activiti:assignee": "kermit"}).replace(
        b"<bpmn:definitions ", b'<bpmn:definitions xmlns:activiti="http://activiti.org/bpmn" ')
    errors = [f for f in lint({"plain.bpmn": data}) if f.severity == "error"]
    [error] = [f for f in errors if "activiti" in f.message]
    assert error.element_id == "Review" and "assignee" in error.message


def test_attribute_in_an_unknown_namespace_is_named() -> None:
    data = _user_process(**{"old:assignee": "kermit"}).replace(
        b"<bpmn:definitions ", b'<bpmn:definitions xmlns:old="http://camunda.org/bpmn" ')
    findings = lint({"plain.bpmn": data})
    assert not [f for f in findings if f.severity == "error"]
    [warning] = [f for f in findings if "http://camunda.org/bpmn" in f.message]
    assert warning.element_id == "Review" and "assignee" in warning.message


def _lint_errors(data: bytes) -> list[Any]:
    return [f for f in lint({"p.bpmn": data}) if f.severity == "error"]


def _with(node: Node, extra: str = "") -> bytes:
    nodes = [Node("StartEvent_1", "startEvent"), node, Node("EndEvent_1", "endEvent")]
    return document("p", nodes, flows_through(nodes), extra=extra)


@pytest.mark.parametrize("binding", [{}, {"camunda:class": "org.example.Send"}])
def test_message_throw_event_is_refused_by_name(binding: dict[str, str]) -> None:
    message = '  <bpmn:message id="Msg_1" name="m" />\n'
    throw = Node("Throw", "intermediateThrowEvent", None, binding,
                 '<bpmn:messageEventDefinition messageRef="Msg_1" />')
    [error] = _lint_errors(_with(throw, message))
    assert error.element_id == "Throw" and "message intermediate throw event" in error.message


@pytest.mark.parametrize(("inner", "words"), [
    ("<bpmn:signalEventDefinition />", "without signalRef"),
    ("<bpmn:messageEventDefinition />", "without messageRef"),
])
def test_catch_event_without_reference_is_refused(inner: str, words: str) -> None:
    [error] = _lint_errors(_with(Node("Catch", "intermediateCatchEvent", None, {}, inner)))
    assert error.element_id == "Catch" and words in error.message


def test_boundary_event_without_definition_is_refused_by_name() -> None:
    nodes = [Node("StartEvent_1", "startEvent"), user_task("A"),
             Node("B", "boundaryEvent", None, {"attachedToRef": "A"}),
             Node("EndEvent_1", "endEvent"), Node("EndEvent_2", "endEvent")]
    flows = [Flow("StartEvent_1", "A"), Flow("A", "EndEvent_1"), Flow("B", "EndEvent_2")]
    [error] = _lint_errors(document("p", nodes, flows))
    assert error.element_id == "B" and "no event definition" in error.message


def test_second_none_start_event_is_refused() -> None:
    nodes = [Node("StartEvent_1", "startEvent"), Node("StartEvent_2", "startEvent"),
             Node("EndEvent_1", "endEvent")]
    flows = [Flow("StartEvent_1", "EndEvent_1"), Flow("StartEvent_2", "EndEvent_1")]
    [error] = _lint_errors(document("p", nodes, flows))
    assert error.element_id == "StartEvent_2" and "second none start event" in error.message


def test_case_ref_is_refused_as_cmmn() -> None:
    errors = _lint_errors(_with(Node("Call", "callActivity", None, {"camunda:caseRef": "c"})))
    assert any("caseRef" in f.message and "CMMN" in f.message for f in errors)


def test_potential_starter_is_one_warning_not_errors_on_its_children() -> None:
    starter = ("<bpmn:extensionElements><camunda:potentialStarter>"
               "<bpmn:resourceAssignmentExpression><bpmn:formalExpression>group(x)"
               "</bpmn:formalExpression></bpmn:resourceAssignmentExpression>"
               "</camunda:potentialStarter></bpmn:extensionElements>")
    data = _user_process().replace(b'isExecutable="true">', b'isExecutable="true">'
                                   + starter.encode())
    findings = lint({"plain.bpmn": data})
    assert not [f for f in findings if f.severity == "error"]
    assert any("potentialStarter" in f.message for f in findings)
