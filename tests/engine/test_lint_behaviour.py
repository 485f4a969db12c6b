"""Lint rules for constructs SpiffWorkflow parses but ciiflow would run otherwise than drawn.

Each such construct must be refused at deploy (an error) or named in a warning,
so no difference is discovered in a running case (engine.lint.behaviour).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import Finding
from engine.lint import lint
from tests.engine.test_lint_corpus import (
    CLEAN_BPMN,
    assert_refused,
    clean_bundle,
    edited,
    errors,
    read,
    warnings,
)

LINT_FILES = Path(__file__).parent / "lint_files"
INTAKE = "message_start.bpmn"
SERVICE_TASK = (
    '<bpmn:serviceTask id="Task_escalate" name="Escalate" camunda:type="external" '
    'camunda:topic="cii-escalate">'
)
IO = ('<bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x">'
      "${amount}</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>")


def drawn(source: bytes, nodes: str, process_end: str = "</bpmn:process>") -> bytes:
    """Add flow elements to a process, with a shape or an edge for each (the diagram rule)."""
    text = source.decode()
    assert process_end in text
    text = text.replace(process_end, nodes + process_end, 1)
    diagram = []
    for kind, eid in re.findall(r'<bpmn:(\w+) id="([^"]+)"', nodes):
        if kind == "sequenceFlow":
            diagram.append(f'<bpmndi:BPMNEdge id="{eid}_di" bpmnElement="{eid}">'
                           '<di:waypoint x="0" y="0" /><di:waypoint x="10" y="0" />'
                           "</bpmndi:BPMNEdge>")
        elif not kind.endswith("EventDefinition"):
            diagram.append(f'<bpmndi:BPMNShape id="{eid}_di" bpmnElement="{eid}">'
                           '<dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape>')
    return text.replace("</bpmndi:BPMNPlane>", "".join(diagram) + "</bpmndi:BPMNPlane>", 1).encode()


def lint_clean_with(nodes: str) -> list[Finding]:
    return lint(clean_bundle() | {CLEAN_BPMN: drawn(read(CLEAN_BPMN), nodes)})


def intake(process_id: str = "intake", message: str = "cii-request") -> bytes:
    source = (LINT_FILES / INTAKE).read_bytes().decode()
    source = source.replace('"intake"', f'"{process_id}"').replace(
        'id="Definitions_intake"', f'id="Definitions_{process_id}"').replace(
        'name="cii-request"', f'name="{message}"')
    return source.encode()


def event_subprocess(start: str, definition: str, sub_id: str = "Sub_event") -> str:
    return (f'<bpmn:subProcess id="{sub_id}" triggeredByEvent="true">'
            f"<bpmn:startEvent {start}><bpmn:outgoing>{sub_id}_f</bpmn:outgoing>"
            f"{definition}</bpmn:startEvent>"
            f'<bpmn:endEvent id="{sub_id}_end"><bpmn:incoming>{sub_id}_f</bpmn:incoming>'
            "</bpmn:endEvent>"
            f'<bpmn:sequenceFlow id="{sub_id}_f" sourceRef="{sub_id}_start" '
            f'targetRef="{sub_id}_end" /></bpmn:subProcess>')


MESSAGE = '<bpmn:messageEventDefinition id="Sub_msg" messageRef="Message_docs" />'
TIMER = ('<bpmn:timerEventDefinition id="Sub_timer"><bpmn:timeDuration '
         'xsi:type="bpmn:tFormalExpression">P20D</bpmn:timeDuration></bpmn:timerEventDefinition>')
ERROR = '<bpmn:errorEventDefinition id="Sub_error" />'


# -- 1. interrupting event subprocesses -------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "definition"),
    [
        ("", TIMER),
        ("", MESSAGE),
        ('isInterrupting="true"', MESSAGE),
        ('isInterrupting="true"', TIMER),
        ("", ERROR),
        ('isInterrupting="false"', ERROR),  # an error start always interrupts
    ],
    ids=["timer", "message", "message-true", "timer-true", "error", "error-false"],
)
def test_interrupting_event_subprocess_of_the_process_is_accepted(attributes: str,
                                                                   definition: str) -> None:
    """engine.camunda.event_subprocess runs them as Camunda 7 does."""
    assert lint_clean_with(
        event_subprocess(f'id="Sub_event_start" {attributes}', definition)) == []


SIGNAL = '<bpmn:signalEventDefinition id="Sub_signal" />'
ESCALATION = '<bpmn:escalationEventDefinition id="Sub_escalation" />'


def _in_holder(start: str, definition: str) -> str:
    inner = event_subprocess(start, definition, "Inner_event")
    return ('<bpmn:subProcess id="Holder"><bpmn:startEvent id="Holder_start" />'
            f"{inner}</bpmn:subProcess>")


@pytest.mark.parametrize(("attributes", "definition"), [
    ("", MESSAGE), ("", ERROR), ("", ESCALATION),
    ('isInterrupting="false"', MESSAGE), ('isInterrupting="false"', ESCALATION)],
    ids=["message", "error", "escalation", "message-beside", "escalation-beside"])
def test_message_error_escalation_event_subprocess_in_a_subprocess_is_accepted(
        attributes: str, definition: str) -> None:
    """engine.camunda.event_subprocess_scope wires them to the subprocess's start."""
    assert lint_clean_with(_in_holder(f'id="Inner_event_start" {attributes}',
                                      definition)) == []


def test_interrupting_signal_event_subprocess_in_a_subprocess_is_refused() -> None:
    finding = assert_refused(lint_clean_with(_in_holder('id="Inner_event_start"', SIGNAL)),
                             "Inner_event_start", "interrupting event subprocesses in a "
                             "subProcess are supported with a message, timer, error, "
                             "escalation or conditional start only", "non-interrupting")
    assert "Inner_event" in finding.message


def test_non_interrupting_signal_event_subprocess_in_a_subprocess_is_refused() -> None:
    """It would wait for ever: SpiffWorkflow starts signal ones from the process only."""
    finding = assert_refused(
        lint_clean_with(_in_holder('id="Inner_event_start" isInterrupting="false"', SIGNAL)),
        "Inner_event_start", "non-interrupting signal start event inside an embedded "
        "subprocess", "move the event subprocess to the process")
    assert "Inner_event" in finding.message


def test_non_interrupting_timer_event_subprocess_in_a_subprocess_is_accepted() -> None:
    inner = event_subprocess('id="Inner_event_start" isInterrupting="false"', TIMER,
                             "Inner_event")
    nodes = ('<bpmn:subProcess id="Holder"><bpmn:startEvent id="Holder_start" />'
             f"{inner}</bpmn:subProcess>")
    assert lint_clean_with(nodes) == []


@pytest.mark.parametrize("definition", [MESSAGE, TIMER], ids=["message", "timer"])
def test_non_interrupting_message_or_timer_event_subprocess_is_accepted(definition: str) -> None:
    start = 'id="Sub_event_start" isInterrupting="false"'
    assert lint_clean_with(event_subprocess(start, definition)) == []


# -- 9. a service task's BPMN error: boundary events only --------------------------

ERROR_DEF = '<bpmn:error id="Error_late" name="Late" errorCode="LATE" />'


def _with_error_definition(source: bytes) -> bytes:
    return source.replace(b'<bpmn:message id="Message_docs"',
                          ERROR_DEF.encode() + b'<bpmn:message id="Message_docs"', 1)


def test_error_event_subprocess_beside_a_service_task_is_accepted() -> None:
    """An error start event subprocess interrupts as in Camunda 7, a handler's BPMN error
    included (tests/modeler/test_interrupting_event_subprocesses.py)."""
    nodes = event_subprocess('id="Sub_event_start"',
                             '<bpmn:errorEventDefinition id="Sub_error" errorRef="Error_late" />')
    files = clean_bundle() | {CLEAN_BPMN: _with_error_definition(drawn(read(CLEAN_BPMN), nodes))}
    assert [f for f in lint(files) if f.severity == "error"] == []


def test_service_task_error_caught_by_an_error_boundary_event_is_accepted() -> None:
    nodes = ('<bpmn:boundaryEvent id="Catch_late" attachedToRef="Task_escalate">'
             "<bpmn:outgoing>Flow_late_error</bpmn:outgoing>"
             '<bpmn:errorEventDefinition id="Catch_late_def" errorRef="Error_late" />'
             "</bpmn:boundaryEvent>"
             '<bpmn:endEvent id="End_late"><bpmn:incoming>Flow_late_error</bpmn:incoming>'
             "</bpmn:endEvent>"
             '<bpmn:sequenceFlow id="Flow_late_error" sourceRef="Catch_late" '
             'targetRef="End_late" />')
    files = clean_bundle() | {CLEAN_BPMN: _with_error_definition(drawn(read(CLEAN_BPMN), nodes))}
    assert lint(files) == []


# -- 2. error variables -------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["errorCodeVariable", "errorMessageVariable"])
def test_error_variables_on_a_boundary_event_are_set_without_a_finding(attribute: str) -> None:
    nodes = ('<bpmn:boundaryEvent id="Catch_late" attachedToRef="Task_escalate">'
             "<bpmn:outgoing>Flow_late_error</bpmn:outgoing>"
             f'<bpmn:errorEventDefinition id="Catch_late_def" camunda:{attribute}="err" />'
             "</bpmn:boundaryEvent>"
             '<bpmn:endEvent id="End_late"><bpmn:incoming>Flow_late_error</bpmn:incoming>'
             "</bpmn:endEvent>"
             '<bpmn:sequenceFlow id="Flow_late_error" sourceRef="Catch_late" '
             'targetRef="End_late" />')
    findings = lint_clean_with(nodes)
    assert errors(findings) == [] and warnings(findings) == []


# -- 3. multi-instance sources ---------------------------------------------------------

LOOP = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="institutions" '
        'camunda:elementVariable="institution">')


@pytest.mark.parametrize(
    "element",
    [
        '<bpmn:loopDataInputRef>institutions</bpmn:loopDataInputRef>',
        '<bpmn:loopDataOutputRef>answers</bpmn:loopDataOutputRef>',
        '<bpmn:inputDataItem id="DataItem_in" name="institution" />',
        '<bpmn:outputDataItem id="DataItem_out" name="answer" />',
    ],
    ids=["loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem"],
)
def test_bpmn_multi_instance_data_is_refused(element: str) -> None:
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (LOOP, LOOP + element))})
    local = element[6:].split(">")[0].split()[0]
    assert_refused(findings, "Task_institutions", f"bpmn:{local}",
                   "camunda:collection/camunda:elementVariable or loopCardinality")
    assert all(f.element_id == "Task_institutions" for f in errors(findings))


def test_multi_instance_with_both_sources_is_refused() -> None:
    cardinality = '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>'
    findings = lint(clean_bundle()
                    | {CLEAN_BPMN: edited(CLEAN_BPMN, (LOOP, LOOP + cardinality))})
    assert_refused(findings, "Task_institutions", "both loopCardinality and camunda:collection")


def test_multi_instance_without_a_source_is_refused() -> None:
    bare = '<bpmn:multiInstanceLoopCharacteristics camunda:elementVariable="institution">'
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (LOOP, bare))})
    assert_refused(findings, "Task_institutions", "neither loopCardinality nor camunda:collection")


def test_multi_instance_with_cardinality_only_is_accepted() -> None:
    cardinality = ('<bpmn:multiInstanceLoopCharacteristics camunda:elementVariable="i">'
                   '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${2}'
                   "</bpmn:loopCardinality>")
    files = clean_bundle() | {CLEAN_BPMN: edited(
        CLEAN_BPMN, (LOOP, cardinality),
        ('camunda:candidateGroups="${institution}"', 'camunda:candidateGroups="oai"'))}
    assert lint(files) == []


# -- 4. inputOutput where it is not applied ----------------------------------------------


@pytest.mark.parametrize(
    ("opening", "element_id"),
    [
        ('<bpmn:startEvent id="StartEvent_1" name="Case opened">', "StartEvent_1"),
        ('<bpmn:boundaryEvent id="Event_review_late" name="10 days" '
         'attachedToRef="Task_review">', "Event_review_late"),
    ],
    ids=["start", "boundary"],
)
def test_input_output_on_a_start_or_boundary_event_is_named_in_a_warning(
        opening: str, element_id: str) -> None:
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (opening, opening + IO))})
    assert errors(findings) == []
    [warning] = warnings(findings)
    assert warning.element_id == element_id
    assert "not applied on this element" in warning.message


@pytest.mark.parametrize(
    "opening",
    ['<bpmn:endEvent id="EndEvent_reviewed" name="Reviewed">',
     '<bpmn:intermediateCatchEvent id="Event_docs_received" name="Documents received">'],
    ids=["end", "intermediate"],
)
def test_input_output_on_an_end_or_catch_event_is_applied_without_a_finding(
        opening: str) -> None:
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (opening, opening + IO))})
    assert errors(findings) == [] and warnings(findings) == []


def test_input_output_on_a_throw_event_is_applied_without_a_finding() -> None:
    nodes = ('<bpmn:intermediateThrowEvent id="Throw_1">' + IO + "</bpmn:intermediateThrowEvent>")
    assert warnings(lint_clean_with(nodes)) == []


def test_input_output_on_a_receive_task_is_named_in_a_warning() -> None:
    receive = '<bpmn:receiveTask id="Task_escalate" name="Wait" messageRef="Message_docs">'
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(
        CLEAN_BPMN, (SERVICE_TASK, receive + IO), ("</bpmn:serviceTask>", "</bpmn:receiveTask>"))})
    assert errors(findings) == []
    [warning] = warnings(findings)
    assert warning.element_id == "Task_escalate"
    assert "not applied on this element" in warning.message


def test_input_output_on_an_event_subprocess_is_named_in_a_warning() -> None:
    nodes = event_subprocess('id="Sub_event_start" isInterrupting="false"', MESSAGE).replace(
        'triggeredByEvent="true">', 'triggeredByEvent="true">' + IO, 1)
    [warning] = warnings(lint_clean_with(nodes))
    assert (warning.element_id, "not applied" in warning.message) == ("Sub_event", True)


# -- 5. camunda:in local, and in/out away from call activities ------------------------------


def _call_activity(extensions: str) -> bytes:
    return edited(
        CLEAN_BPMN,
        (SERVICE_TASK, '<bpmn:callActivity id="Task_escalate" name="Escalate" '
                       'calledElement="cii_case_clean"><bpmn:extensionElements>'
                       f"{extensions}</bpmn:extensionElements>"),
        ("</bpmn:serviceTask>", "</bpmn:callActivity>"),
    )


def test_local_in_mapping_is_applied_without_a_finding() -> None:
    files = clean_bundle() | {CLEAN_BPMN: _call_activity(
        '<camunda:in source="amount" target="amount" local="true" />')}
    findings = lint(files)
    assert errors(findings) == [] and warnings(findings) == []


def test_plain_call_mappings_give_no_finding() -> None:
    files = clean_bundle() | {CLEAN_BPMN: _call_activity(
        '<camunda:in source="amount" target="amount" />'
        '<camunda:out variables="all" />')}
    assert lint(files) == []


def test_in_mapping_outside_a_call_activity_is_named_in_a_warning() -> None:
    opening = '<bpmn:endEvent id="EndEvent_reviewed" name="Reviewed">'
    mapping = ('<bpmn:extensionElements><camunda:in source="a" target="b" />'
               "</bpmn:extensionElements>")
    findings = lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (opening, opening + mapping))})
    [warning] = warnings(findings)
    assert warning.element_id == "EndEvent_reviewed"
    assert "call activities only" in warning.message

