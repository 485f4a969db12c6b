"""Constructs found by ``bench/corpus.py`` on public Camunda 7 files that were dropped silently.

Each file deployed without a finding and the construct then had no effect (or a
different one than in Camunda 7). Every document here is our own, small and
synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.lint import lint
from tests.support.bpmn import Flow, Node, document, message, message_ref, timer, user_task

PROPERTIES = ('<bpmn:extensionElements><camunda:properties>'
              '<camunda:property name="result" value="yes" />'
              '</camunda:properties></bpmn:extensionElements>')
FORM = ('<bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="note" type="string" />'
        '</camunda:formData></bpmn:extensionElements>')


def _chain(*middle: Node, start: Node | None = None, end: Node | None = None,
           extra: str = "") -> bytes:
    nodes = [start or Node("StartEvent_1", "startEvent"), *middle,
             end or Node("EndEvent_1", "endEvent")]
    flows = [Flow(a.id, b.id) for a, b in zip(nodes, nodes[1:], strict=False)]
    return document("p", nodes, flows, extra=extra)


def _findings(data: bytes, severity: str) -> list[Any]:
    return [f for f in lint({"p.bpmn": data}) if f.severity == severity]


@pytest.mark.parametrize("node", [
    Node("EndEvent_1", "endEvent", None, {}, PROPERTIES),
    Node("Gate", "exclusiveGateway", None, {}, PROPERTIES),
])
def test_properties_where_the_parser_drops_them_are_named(node: Node) -> None:
    data = _chain(user_task("Review"), end=node) if node.kind == "endEvent" else _chain(
        user_task("Review"), node)
    [warning] = _findings(data, "warning")
    assert warning.element_id == node.id and "camunda:properties" in warning.message
    assert not _findings(data, "error")


def test_properties_on_a_task_are_read_without_a_finding(engine: Engine) -> None:
    data = _chain(user_task("Review", inner=PROPERTIES))
    assert not lint({"p.bpmn": data})
    engine.deploy({"p.bpmn": data})


def test_end_event_properties_warn_and_the_file_still_runs(engine: Engine) -> None:
    data = _chain(user_task("Review"), end=Node("EndEvent_1", "endEvent", None, {}, PROPERTIES))
    engine.deploy({"p.bpmn": data})
    assert engine.start("p", "k", {}).instance.id


def test_form_on_the_process_start_event_is_the_start_form() -> None:
    data = _chain(user_task("Review"), start=Node("StartEvent_1", "startEvent", None, {}, FORM))
    assert not [f for f in lint({"p.bpmn": data}) if "formData" in f.message]


def test_form_on_a_boundary_event_is_named() -> None:
    nodes = [Node("StartEvent_1", "startEvent"), user_task("Review"),
             Node("Late", "boundaryEvent", None, {"attachedToRef": "Review"},
                  FORM + timer("PT1H")),
             Node("EndEvent_1", "endEvent"), Node("EndEvent_2", "endEvent")]
    flows = [Flow("StartEvent_1", "Review"), Flow("Review", "EndEvent_1"),
             Flow("Late", "EndEvent_2")]
    warnings = _findings(document("p", nodes, flows), "warning")
    assert [w.element_id for w in warnings if "formData" in w.message] == ["Late"]


def test_form_key_on_a_start_event_is_named() -> None:
    start = Node("StartEvent_1", "startEvent", None, {"camunda:formKey": "embedded:app:x.html"})
    [warning] = _findings(_chain(user_task("Review"), start=start), "warning")
    assert warning.element_id == "StartEvent_1" and "formKey" in warning.message


@pytest.mark.parametrize(("kind", "inner", "extra"), [
    ("intermediateCatchEvent", message_ref("Msg_1"), message("Msg_1", "paid_${orderId}")),
    ("intermediateCatchEvent", '<bpmn:signalEventDefinition signalRef="Sig_1" />',
     '  <bpmn:signal id="Sig_1" name="hold-#{region}" />\n'),
])
def test_message_or_signal_name_with_an_expression_is_refused(
        kind: str, inner: str, extra: str) -> None:
    [error] = _findings(_chain(Node("Wait", kind, None, {}, inner), extra=extra), "error")
    assert error.element_id == "Wait" and "expression name" in error.message


def test_receive_task_with_an_expression_message_name_is_refused() -> None:
    task = Node("Receive", "receiveTask", None, {"messageRef": "Msg_1"})
    [error] = _findings(_chain(task, extra=message("Msg_1", "${kind}-done")), "error")
    assert error.element_id == "Receive" and "'Msg_1'" in error.message


def test_fixed_message_name_is_not_refused() -> None:
    data = _chain(Node("Wait", "intermediateCatchEvent", None, {}, message_ref("Msg_1")),
                  extra=message("Msg_1", "paid"))
    assert not _findings(data, "error")


def test_conditional_start_events_deploy_and_a_missing_condition_is_named() -> None:
    """Conditional catch, boundary and start events run (engine.camunda.conditional,
    engine.camunda.conditional_start); one without a condition is refused by name."""
    from engine.lint import lint
    from tests.support.bpmn import Flow, Node, document, user_task

    condition = ('<bpmn:conditionalEventDefinition><bpmn:condition '
                 'xsi:type="bpmn:tFormalExpression">${approved == true}</bpmn:condition>'
                 "</bpmn:conditionalEventDefinition>")
    xml = document("conditional", [
        Node("start_event", "startEvent", inner=condition),
        Node("wait_approved", "intermediateCatchEvent", inner=condition),
        user_task("after_task", "oai"), Node("done_end", "endEvent"),
    ], [Flow("start_event", "wait_approved"), Flow("wait_approved", "after_task"),
        Flow("after_task", "done_end")])
    assert [f for f in lint({"c.bpmn": xml}) if f.severity == "error"] == []
    bare = xml.replace(condition.encode(), b"<bpmn:conditionalEventDefinition />", 1)
    errors = [f for f in lint({"c.bpmn": bare}) if f.severity == "error"]
    assert [f.element_id for f in errors] == ["start_event"]
    assert "conditional event has no condition" in errors[0].message


def test_a_pinned_decision_version_is_named_as_deployment_binding() -> None:
    """ciiflow binds decisions to their bundle: asking for a version is named, not ignored."""
    from engine.lint import lint

    hostile = Path(__file__).parent / "hostile"
    bpmn = (hostile / "clean_case.bpmn").read_bytes()
    assert b"camunda:decisionRef=" in bpmn
    pinned = bpmn.replace(b"camunda:decisionRef=",
                          b'camunda:decisionRefBinding="version" camunda:decisionRefVersion="3" '
                          b"camunda:decisionRef=", 1)
    findings = lint({"c.bpmn": pinned,
                     "t.dmn": (hostile / "clean_triage.dmn").read_bytes()})
    warnings = [f for f in findings if f.severity == "warning"]
    assert any("treated as 'deployment'" in f.message for f in warnings)
    assert not [f for f in findings if f.severity == "error"]
