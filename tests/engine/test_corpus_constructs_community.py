"""Constructs found by ``bench/corpus.py`` on public community Camunda 7 files.

Each one deployed with a lint that said nothing (the parser then refused the file
without naming the element), or ran differently than in Camunda 7 without a finding.
Every document here is our own, small and synthetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from engine import Engine
from engine.dmn import evaluate_decision, parse_dmn
from engine.lint import lint
from tests.support.bpmn import Flow, Node, document, message, message_ref, timer, user_task

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
def test_unconditioned_flow_beside_others_runs_as_in_camunda(kind: str,
                                                             engine: Engine) -> None:
    """Camunda 7 takes a flow without condition whenever it is reached; so does ciiflow,
    with a warning on the flow, since it is often a modelling slip."""
    data = _choice(kind)
    assert not _errors(data)
    warnings = [f for f in lint({"p.bpmn": data}) if f.severity == "warning"]
    [warning] = [f for f in warnings if "reads `ok`" not in f.message]  # start data: right
    assert warning.element_id == "F_no" and "without a condition" in warning.message
    engine.deploy({"p.bpmn": data})
    refused = engine.start("p", "k1", {"ok": False}).instance.id
    assert [t.activity_id for t in engine.tasks(instance_id=refused)] == ["No"]
    both = engine.start("p", "k2", {"ok": True}).instance.id
    expected = ["Yes"] if kind == "exclusiveGateway" else ["No", "Yes"]
    assert sorted(t.activity_id for t in engine.tasks(instance_id=both)) == expected
    assert engine.definition("p").resources["p.bpmn"].count("${true}") == 0  # source kept


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


def _event_gateway() -> bytes:
    nodes = [Node("StartEvent_1", "startEvent"), Node("Wait", "eventBasedGateway"),
             Node("Go", "intermediateCatchEvent", None, {}, message_ref("Msg_Go")),
             Node("Late", "intermediateCatchEvent", None, {}, timer("PT1H")),
             user_task("AfterMessage"), user_task("AfterTimer"),
             Node("EndEvent_1", "endEvent"), Node("EndEvent_2", "endEvent")]
    flows = [Flow("StartEvent_1", "Wait"), Flow("Wait", "Go"), Flow("Wait", "Late"),
             Flow("Go", "AfterMessage"), Flow("Late", "AfterTimer"),
             Flow("AfterMessage", "EndEvent_1"), Flow("AfterTimer", "EndEvent_2")]
    return document("p", nodes, flows, extra=message("Msg_Go", "go"))


def _ready(engine: Engine, instance_id: str) -> list[str]:
    return [t.activity_id for t in engine.tasks(instance_id=instance_id)]


def test_event_based_gateway_waits_for_its_message(engine: Engine) -> None:
    engine.deploy({"p.bpmn": _event_gateway()})
    started = engine.start("p", "k", {})
    engine.correlate("go", business_key="k")
    assert _ready(engine, started.instance.id) == ["AfterMessage"]


def test_event_based_gateway_schedules_its_timer(engine: Engine, clock: Any) -> None:
    engine.deploy({"p.bpmn": _event_gateway()})
    started = engine.start("p", "k", {})
    due = engine.instance(started.instance.id).next_timer_at
    assert due is not None
    assert engine.run_due_timers(clock.now() + dt.timedelta(hours=2)) == 1
    assert _ready(engine, started.instance.id) == ["AfterTimer"]


def _error_in_sequential_loop(sequential: str) -> bytes:
    shapes = ["StartEvent_1", "Loop", "Sub_Start", "Sub_Fail", "Caught", "Handle",
              "EndEvent_1", "EndEvent_2"]
    di = "".join(
        f'<bpmndi:BPMNShape id="{s}_di" bpmnElement="{s}"><dc:Bounds x="{100 + 120 * i}" '
        f'y="100" width="36" height="36" /></bpmndi:BPMNShape>' for i, s in enumerate(shapes))
    flows = [("F1", "StartEvent_1", "Loop"), ("F2", "Loop", "EndEvent_1"),
             ("F3", "Caught", "Handle"), ("F4", "Handle", "EndEvent_2"),
             ("S1", "Sub_Start", "Sub_Fail")]
    di += "".join(
        f'<bpmndi:BPMNEdge id="{f}_di" bpmnElement="{f}"><di:waypoint x="1" y="1" />'
        '<di:waypoint x="2" y="2" /></bpmndi:BPMNEdge>' for f, _, _ in flows)

    def flow(f: str, a: str, b: str) -> str:
        return f'<bpmn:sequenceFlow id="{f}" sourceRef="{a}" targetRef="{b}" />'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" '
        'targetNamespace="http://bpmn.io/schema/bpmn">'
        '<bpmn:error id="Err" name="Failed" errorCode="FAILED" />'
        '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="StartEvent_1" />'
        '<bpmn:subProcess id="Loop">'
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{sequential}">'
        '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">2</bpmn:loopCardinality>'
        '</bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:startEvent id="Sub_Start" />'
        '<bpmn:endEvent id="Sub_Fail"><bpmn:errorEventDefinition errorRef="Err" />'
        "</bpmn:endEvent>"
        f"{flow('S1', 'Sub_Start', 'Sub_Fail')}"
        "</bpmn:subProcess>"
        '<bpmn:boundaryEvent id="Caught" attachedToRef="Loop">'
        '<bpmn:errorEventDefinition errorRef="Err" /></bpmn:boundaryEvent>'
        '<bpmn:userTask id="Handle" />'
        '<bpmn:endEvent id="EndEvent_1" /><bpmn:endEvent id="EndEvent_2" />'
        + "".join(flow(*f) for f in flows[:4]) +
        '</bpmn:process><bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">'
        f"{di}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()


@pytest.mark.parametrize("sequential", ["true", "false"])
def test_error_ending_a_loop_instance_is_caught_on_the_loop(sequential: str,
                                                            engine: Engine) -> None:
    engine.deploy({"p.bpmn": _error_in_sequential_loop(sequential)})
    started = engine.start("p", "k", {})
    assert started.incident is None
    assert _ready(engine, started.instance.id) == ["Handle"]


def _signal_catch(*, thrown: bool) -> bytes:
    signal = '<bpmn:signalEventDefinition signalRef="Sig" />'
    nodes = [Node("StartEvent_1", "startEvent"), Node("Hear", "intermediateCatchEvent",
                                                      None, {}, signal)]
    flows = [Flow("StartEvent_1", "Hear")]
    if thrown:
        nodes.append(Node("Shout", "intermediateThrowEvent", None, {}, signal))
        flows.append(Flow("Hear", "Shout"))
        nodes.append(Node("EndEvent_1", "endEvent"))
        flows.append(Flow("Shout", "EndEvent_1"))
    else:
        nodes.append(Node("EndEvent_1", "endEvent"))
        flows.append(Flow("Hear", "EndEvent_1"))
    return document("p", nodes, flows, extra='  <bpmn:signal id="Sig" name="alarm" />\n')


def test_signal_nobody_throws_is_named() -> None:
    findings = lint({"p.bpmn": _signal_catch(thrown=False)})
    assert [(f.severity, f.element_id) for f in findings if "signal" in f.message] == [
        ("warning", "Hear")]


def test_signal_thrown_in_the_file_is_not_named() -> None:
    assert not [f for f in lint({"p.bpmn": _signal_catch(thrown=True)})
                if "signal" in f.message]
