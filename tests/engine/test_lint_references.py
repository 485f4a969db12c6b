"""Lint of references: decisions, call activities, and the refs of event definitions and
messages must resolve in the bundle (or, for a call activity, be left to run time)."""

from __future__ import annotations

import pytest

from engine.lint import lint
from tests.engine.test_lint_bpmn import SERVICE_TASK
from tests.engine.test_lint_corpus import (
    CLEAN_BPMN,
    assert_refused,
    clean_bundle,
    edited,
    errors,
    lint_replaced,
    read,
)


def test_unknown_decision_is_refused() -> None:
    findings = lint_replaced('camunda:decisionRef="triage"', 'camunda:decisionRef="nope"')
    assert_refused(findings, "Task_triage", "decisionRef", "'nope'")


def test_decision_ref_resolves_across_the_bundle_only() -> None:
    findings = lint({CLEAN_BPMN: read(CLEAN_BPMN)})
    assert_refused(findings, "Task_triage", "not a decision of this bundle")


def test_expression_decision_ref_is_refused_as_the_decision_task_refuses_it(
) -> None:
    findings = lint_replaced('camunda:decisionRef="triage"', 'camunda:decisionRef="${which}"')
    assert_refused(findings, "Task_triage", "is an expression")


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("mapDecisionResult", "everything"), ("decisionRefBinding", "tomorrow")],
)
def test_decision_options_must_be_known(attribute: str, value: str) -> None:
    old = 'camunda:mapDecisionResult="singleEntry"'
    findings = lint_replaced(old, f'camunda:{attribute}="{value}"')
    assert_refused(findings, "Task_triage", f"camunda:{attribute} '{value}'")


def _call_activity(called: str) -> bytes:
    return edited(
        CLEAN_BPMN,
        (SERVICE_TASK, f'<bpmn:callActivity id="Task_escalate" name="Escalate" '
                       f'calledElement="{called}">'),
        ("</bpmn:serviceTask>", "</bpmn:callActivity>"),
    )


def test_call_activity_outside_the_bundle_is_left_to_run_time() -> None:
    # resolved when a case reaches it; deploy and `Engine.lint` warn against the store
    # (tests/modeler/test_call_bindings.py)
    files = clean_bundle() | {CLEAN_BPMN: _call_activity("pai")}
    assert errors(lint(files)) == []

    callee = read("script_groovy.bpmn").replace(b"scriptTask", b"userTask").replace(
        b'scriptFormat="groovy"', b"").replace(b"<bpmn:script>", b"<!--").replace(
        b"</bpmn:script>", b"-->").replace(b'"hostile"', b'"pai"')
    files["pai.bpmn"] = callee
    assert lint(files) == []


def test_call_activity_without_called_element_is_refused() -> None:
    files = clean_bundle() | {CLEAN_BPMN: _call_activity("")}
    assert_refused(lint(files), "Task_escalate", "no calledElement")


def test_call_activity_with_expression_is_refused() -> None:
    files = clean_bundle() | {CLEAN_BPMN: _call_activity("${which}")}
    assert_refused(lint(files), "Task_escalate", "is an expression")


@pytest.mark.parametrize(
    ("old", "new", "element_id", "word"),
    [
        ('messageRef="Message_docs"', 'messageRef="Message_none"', "Event_docs_received",
         "bpmn:message"),
        ('targetRef="Task_review"', 'targetRef="Task_gone"', "Flow_B", "targetRef"),
        ('sourceRef="Gateway_track" targetRef="SubProcess_docs"',
         'sourceRef="Gateway_gone" targetRef="SubProcess_docs"', "Flow_default", "sourceRef"),
        ('default="Flow_default"', 'default="Flow_gone"', "Gateway_track", "default flow"),
        ('default="Flow_default"', 'default="Flow_1"', "Gateway_track", "does not leave"),
        ('targetRef="Event_docs_received"', 'targetRef="Task_review"', "Flow_s1",
         "cross a subprocess"),
        ('attachedToRef="Task_review"', 'attachedToRef="Task_gone"', "Event_review_late",
         "attached"),
    ],
)
def test_unresolved_references_are_refused(
    old: str, new: str, element_id: str, word: str
) -> None:
    assert_refused(lint_replaced(old, new), element_id, word)


@pytest.mark.parametrize(
    ("definition", "word"),
    [
        ('<bpmn:errorEventDefinition id="Err_1" errorRef="Error_none" />', "bpmn:error"),
        ('<bpmn:escalationEventDefinition id="Esc_1" escalationRef="Esc_none" />',
         "bpmn:escalation"),
        ('<bpmn:signalEventDefinition id="Sig_1" signalRef="Signal_none" />', "bpmn:signal"),
    ],
)
def test_event_definition_refs_must_resolve(definition: str, word: str) -> None:
    end = '<bpmn:endEvent id="EndEvent_reviewed" name="Reviewed">'
    findings = lint_replaced(end, end + definition)
    assert_refused(findings, "EndEvent_reviewed", word)


def test_defined_signal_resolves() -> None:
    end = '<bpmn:endEvent id="EndEvent_reviewed" name="Reviewed">'
    files = clean_bundle()
    files[CLEAN_BPMN] = edited(
        CLEAN_BPMN,
        ('<bpmn:message id', '<bpmn:signal id="Signal_1" name="s" /><bpmn:message id'),
        (end, end + '<bpmn:signalEventDefinition id="Sig_1" signalRef="Signal_1" />'),
    )
    assert lint(files) == []


def test_source_expression_of_call_mapping_is_checked() -> None:
    files = clean_bundle() | {
        CLEAN_BPMN: _call_activity("cii_case_clean").replace(
            b'calledElement="cii_case_clean">',
            b'calledElement="cii_case_clean"><bpmn:extensionElements><camunda:in '
            b'sourceExpression="${().__class__}" target="x" /></bpmn:extensionElements>',
        )
    }
    assert_refused(lint(files), "Task_escalate", "sourceExpression")


def test_business_key_of_call_mapping_is_checked() -> None:
    files = clean_bundle() | {
        CLEAN_BPMN: _call_activity("cii_case_clean").replace(
            b'calledElement="cii_case_clean">',
            b'calledElement="cii_case_clean"><bpmn:extensionElements><camunda:in '
            b'businessKey="${open(1)}" /></bpmn:extensionElements>',
        )
    }
    assert_refused(lint(files), "Task_escalate", "businessKey")
