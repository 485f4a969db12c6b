"""Constructs found by ``bench/corpus.py`` on Camunda 7 platform/example files that
deployed and then ran differently than drawn. Every document here is our own,
small and synthetic.
"""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.lint import lint
from engine.runtime import definitions
from tests.support.bpmn import Flow, Node, document, user_task

ANONYMOUS_FLOWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
  <process id="anon" isExecutable="true">
    <startEvent id="begin" />
    <sequenceFlow sourceRef="begin" targetRef="split" />
    <parallelGateway id="split" />
    <sequenceFlow sourceRef="split" targetRef="left" />
    <sequenceFlow sourceRef="split" targetRef="right" />
    <userTask id="left" />
    <userTask id="right" />
    <sequenceFlow sourceRef="left" targetRef="join" />
    <sequenceFlow sourceRef="right" targetRef="join" />
    <parallelGateway id="join" />
    <sequenceFlow sourceRef="join" targetRef="finish" />
    <endEvent id="finish" />
  </process>
</definitions>
"""


def test_sequence_flows_without_id_keep_their_paths() -> None:
    """Camunda 7 runs flows without an id; they used to collapse into one in SpiffWorkflow."""
    parser, _ = definitions.build_specs({"anon.bpmn": ANONYMOUS_FLOWS})
    workflow = BpmnWorkflow(parser.get_spec("anon"), parser.get_subprocess_specs("anon"))
    workflow.do_engine_steps()
    ready = sorted(t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY))
    assert ready == ["left", "right"]
    assert not workflow.completed


def test_generated_flow_ids_do_not_clash_with_existing_ids() -> None:
    data = ANONYMOUS_FLOWS.replace(b'<endEvent id="finish" />',
                                   b'<endEvent id="Flow_join_finish" />').replace(
        b'targetRef="finish"', b'targetRef="Flow_join_finish"')
    parser, _ = definitions.build_specs({"anon.bpmn": data})
    assert parser.get_spec("anon").task_specs["Flow_join_finish"]


def _escalation_event_subprocess(interrupting: str) -> bytes:
    sub_inner = (
        '<bpmn:startEvent id="EscStart" isInterrupting="' + interrupting + '">'
        '<bpmn:escalationEventDefinition escalationRef="Esc_1" /></bpmn:startEvent>'
        '<bpmn:endEvent id="EscEnd" />'
        '<bpmn:sequenceFlow id="Flow_esc" sourceRef="EscStart" targetRef="EscEnd" />')
    nodes = [Node("StartEvent_1", "startEvent"), user_task("Review"),
             Node("Handler", "subProcess", None, {"triggeredByEvent": "true"}, sub_inner),
             Node("EndEvent_1", "endEvent")]
    flows = [Flow("StartEvent_1", "Review"), Flow("Review", "EndEvent_1")]
    return document("p", nodes, flows, extra='  <bpmn:escalation id="Esc_1" name="late" '
                    'escalationCode="LATE" />\n')


def _errors(data: bytes) -> list:
    """Errors other than the missing shapes of the hand-written event subprocess."""
    return [f for f in lint({"p.bpmn": data})
            if f.severity == "error" and "diagram" not in f.message]


@pytest.mark.parametrize("interrupting", ["false", "true"])
def test_escalation_start_of_an_event_subprocess_is_accepted(interrupting: str) -> None:
    """engine.camunda.event_subprocess reads escalation starts of event subprocesses."""
    assert _errors(_escalation_event_subprocess(interrupting)) == []

