"""Lint rules for start events: a none start beside a message or timer start, one message
name per process, and timer starts without case data (engine.lint.behaviour)."""

from __future__ import annotations

import pytest

from engine.lint import lint
from tests.engine.test_lint_behaviour import (
    INTAKE,
    MESSAGE,
    TIMER,
    drawn,
    event_subprocess,
    intake,
    lint_clean_with,
)
from tests.engine.test_lint_corpus import CLEAN_BPMN, assert_refused, clean_bundle, errors, read

# -- 6. a none start event beside a message or timer start ---------------------------------

NONE_START = ('<bpmn:startEvent id="Start_by_hand"><bpmn:outgoing>Flow_hand</bpmn:outgoing>'
              "</bpmn:startEvent>"
              '<bpmn:endEvent id="End_by_hand"><bpmn:incoming>Flow_hand</bpmn:incoming>'
              "</bpmn:endEvent>"
              '<bpmn:sequenceFlow id="Flow_hand" sourceRef="Start_by_hand" '
              'targetRef="End_by_hand" />')
TIMER_START = ('<bpmn:timerEventDefinition id="TimerEventDefinition_start"><bpmn:timeCycle '
               'xsi:type="bpmn:tFormalExpression">{cycle}</bpmn:timeCycle>'
               "</bpmn:timerEventDefinition>")
MESSAGE_DEF = '<bpmn:messageEventDefinition id="MessageEventDefinition_1" ' \
              'messageRef="Message_Request" />'


def timer_intake(cycle: str = "R3/PT10H") -> bytes:
    return intake().replace(MESSAGE_DEF.encode(), TIMER_START.format(cycle=cycle).encode())


def test_message_start_alone_is_accepted() -> None:
    assert lint({INTAKE: intake()}) == []
    assert lint({INTAKE: timer_intake()}) == []


@pytest.mark.parametrize("kind", ["message", "timer"])
def test_none_start_beside_a_message_or_timer_start_is_refused(kind: str) -> None:
    source = intake() if kind == "message" else timer_intake()
    findings = lint({INTAKE: drawn(source, NONE_START)})
    finding = assert_refused(findings, "Event_Request", "SpiffWorkflow also fires the none "
                             "start event", "Start_by_hand")
    assert f"{kind} start event" in finding.message


def test_none_start_of_a_subprocess_does_not_count() -> None:
    nodes = ('<bpmn:subProcess id="Sub_inner"><bpmn:incoming>Flow_sub_in</bpmn:incoming>'
             + NONE_START + '</bpmn:subProcess>'
             '<bpmn:startEvent id="Start_sub_msg"><bpmn:outgoing>Flow_sub_in</bpmn:outgoing>'
             '<bpmn:messageEventDefinition id="Sub_msg_def" messageRef="Message_Request" />'
             '</bpmn:startEvent>'
             '<bpmn:sequenceFlow id="Flow_sub_in" sourceRef="Start_sub_msg" '
             'targetRef="Sub_inner" />')
    assert errors(lint({INTAKE: drawn(intake(), nodes)})) == []


# -- 7. one message name, one process ---------------------------------------------------------


def test_message_start_name_shared_by_two_processes_is_refused() -> None:
    files = {INTAKE: intake(), "other.bpmn": intake("intake_other")}
    findings = lint(files)
    [finding] = findings
    assert (finding.severity, finding.file, finding.element_id) == (
        "error", "other.bpmn", "Event_Request")
    assert "'intake'" in finding.message and "'intake_other'" in finding.message
    assert "cii-request" in finding.message


def test_different_message_start_names_are_accepted() -> None:
    files = {INTAKE: intake(), "other.bpmn": intake("intake_other", "other-request")}
    assert lint(files) == []


def test_message_start_name_also_caught_by_an_event_subprocess_is_accepted() -> None:
    nodes = event_subprocess('id="Sub_event_start" isInterrupting="false"', MESSAGE)
    clean = _with_message(drawn(read(CLEAN_BPMN), nodes), "cii-request")
    assert lint(clean_bundle() | {CLEAN_BPMN: clean, INTAKE: intake()}) == []


def _with_message(source: bytes, name: str) -> bytes:
    return source.replace(b'name="documents_received"', f'name="{name}"'.encode(), 1)


# -- 8. timer start events have no case data ---------------------------------------------------


def test_timer_start_with_an_expression_is_refused() -> None:
    findings = lint({INTAKE: timer_intake("R3/${interval}")})
    assert_refused(findings, "Event_Request", "evaluated with no case data")


def test_timer_of_an_event_subprocess_may_use_case_data() -> None:
    timer = TIMER.replace("P20D", "${reviewDue}")
    start = 'id="Sub_event_start" isInterrupting="false"'
    assert lint_clean_with(event_subprocess(start, timer)) == []
