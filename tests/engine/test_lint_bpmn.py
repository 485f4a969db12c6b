"""Deploy-time lint of BPMN files: structure, Camunda vocabulary, bindings, references, DI."""

from __future__ import annotations

import sys

import pytest

from engine.camunda.handlers import HandlerRegistry
from engine.lint import lint
from tests.engine.test_lint_corpus import (
    CLEAN_BPMN,
    CLEAN_DMN,
    assert_refused,
    clean_bundle,
    edited,
    errors,
    lint_replaced,
    read,
    warnings,
)

SERVICE_TASK = (
    '<bpmn:serviceTask id="Task_escalate" name="Escalate" camunda:type="external" '
    'camunda:topic="cii-escalate">'
)


def test_clean_modeler_file_has_no_error_and_no_warning() -> None:
    assert lint(clean_bundle()) == []


def test_without_the_expression_checker_every_expression_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "engine.expressions", None)
    findings = lint(clean_bundle())
    finding = assert_refused(findings, "Flow_B", "cannot be verified")
    assert "engine.expressions" in finding.message


@pytest.mark.parametrize(
    "attribute",
    [
        'camunda:exclusive="false"',
        'camunda:asyncAfter="false"',
        'camunda:isStartableInTasklist="false"',
        'camunda:historyTimeToLive="P180D"',
        'camunda:versionTag="2"',
    ],
)
def test_harmless_modeler_metadata_gives_no_finding(attribute: str) -> None:
    findings = lint_replaced(SERVICE_TASK, SERVICE_TASK.replace(">", f" {attribute}>"))
    assert findings == []


@pytest.mark.parametrize(
    ("attribute", "name"),
    [
        ('camunda:jobPriority="10"', "jobPriority"),
        ('camunda:taskPriority="10"', "taskPriority"),
        ('camunda:candidateStarterGroups="a"', "candidateStarterGroups"),
        ('camunda:candidateStarterUsers="b"', "candidateStarterUsers"),
        ('camunda:initiator="starter"', "initiator"),
        ('camunda:formHandlerClass="org.x.Form"', "formHandlerClass"),
        ('camunda:variableMappingClass="org.x.Map"', "variableMappingClass"),
        ('camunda:somethingNew="1"', "somethingNew"),
    ],
)
def test_unused_camunda_attributes_are_named_in_a_warning(
    attribute: str, name: str
) -> None:
    findings = lint_replaced(SERVICE_TASK, SERVICE_TASK.replace(">", f" {attribute}>"))
    assert errors(findings) == []
    [warning] = warnings(findings)
    assert warning.element_id == "Task_escalate"
    assert f"camunda:{name}" in warning.message


@pytest.mark.parametrize(
    ("element", "name"),
    [
        ("<camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>",
         "failedJobRetryTimeCycle"),
        ('<camunda:field name="url"><camunda:string>x</camunda:string></camunda:field>',
         "field"),
        ('<camunda:errorEventDefinition id="E1" expression="${true}" />',
         "errorEventDefinition"),
        ("<camunda:potentialStarter />", "potentialStarter"),
    ],
)
def test_unused_camunda_elements_are_named_in_a_warning(
    element: str, name: str
) -> None:
    findings = lint_replaced(
        SERVICE_TASK, SERVICE_TASK + f"<bpmn:extensionElements>{element}</bpmn:extensionElements>"
    )
    assert errors(findings) == []
    [warning] = warnings(findings)
    assert (warning.element_id, f"camunda:{name}" in warning.message) == ("Task_escalate", True)


def test_foreign_extension_elements_are_named_in_a_warning() -> None:
    files = clean_bundle()
    files[CLEAN_BPMN] = edited(
        CLEAN_BPMN,
        ('xmlns:modeler=', 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler='),
        (SERVICE_TASK, SERVICE_TASK + '<bpmn:extensionElements><zeebe:taskDefinition '
         'type="x" /></bpmn:extensionElements>'),
    )
    [warning] = lint(files)
    assert warning.severity == "warning" and "taskDefinition" in warning.message


@pytest.mark.parametrize("reserved", ["Start", "End"])
def test_reserved_ids_are_refused(reserved: str) -> None:
    old = "EndEvent_reviewed" if reserved == "End" else "StartEvent_1"
    files = clean_bundle()
    files[CLEAN_BPMN] = read(CLEAN_BPMN).replace(old.encode(), reserved.encode())
    findings = lint(files)
    assert_refused(findings, reserved, "reserved")
    assert len(errors(findings)) == 1


def test_lowercase_start_is_not_reserved() -> None:
    files = clean_bundle()
    files[CLEAN_BPMN] = read(CLEAN_BPMN).replace(b"StartEvent_1", b"start")
    assert lint(files) == []


@pytest.mark.parametrize(
    ("shape", "element_id"),
    [
        ('bpmnElement="Task_review"', "Task_review"),
        ('bpmnElement="Flow_B"', "Flow_B"),
        ('bpmnElement="StartEvent_docs"', "StartEvent_docs"),
        ('bpmnElement="Flow_s2"', "Flow_s2"),
        ('bpmnElement="Event_review_late"', "Event_review_late"),
    ],
)
def test_element_without_diagram_shape_is_refused(
    shape: str, element_id: str
) -> None:
    findings = lint_replaced(shape, 'bpmnElement="Nothing"')
    finding = assert_refused(findings, element_id, "no diagram shape")
    assert "no diagram to display" in finding.message


def test_process_must_be_executable() -> None:
    findings = lint_replaced('isExecutable="true"', 'isExecutable="false"')
    assert_refused(findings, "cii_case_clean", "executable")


@pytest.mark.parametrize(
    ("replacement", "word"),
    [
        ('<bpmn:serviceTask id="Task_escalate" name="Escalate">', "would wait forever"),
        ('<bpmn:serviceTask id="Task_escalate" camunda:class="org.cii.Escalate">',
         "no handler registered for camunda:class 'org.cii.Escalate'"),
        ('<bpmn:serviceTask id="Task_escalate" camunda:delegateExpression="${escalate}">',
         "no handler registered for camunda:delegateExpression"),
        ('<bpmn:serviceTask id="Task_escalate" camunda:expression="${svc.run()}">',
         "no handler registered for camunda:expression"),
        ('<bpmn:serviceTask id="Task_escalate" camunda:type="external">', "no camunda:topic"),
        ('<bpmn:serviceTask id="Task_escalate" camunda:type="mail">', "not supported"),
    ],
)
def test_unbound_service_tasks_are_refused(replacement: str, word: str) -> None:
    assert_refused(lint_replaced(SERVICE_TASK, replacement), "Task_escalate", word)


def test_registered_handler_binds_a_service_task() -> None:
    registry = HandlerRegistry()
    registry.register("class", "org.cii.Escalate", lambda ctx: None)

    def linted(task: str) -> list:
        return lint(clean_bundle() | {CLEAN_BPMN: edited(CLEAN_BPMN, (SERVICE_TASK, task))},
                    registry)

    bound = '<bpmn:serviceTask id="Task_escalate" camunda:class="org.cii.Escalate">'
    assert linted(bound) == []
    unbound = '<bpmn:serviceTask id="Task_escalate" camunda:class="org.cii.Other">'
    assert_refused(linted(unbound), "Task_escalate", "org.cii.Other")
    # a registry is what the engine passes at deploy; without one nothing is bound
    assert_refused(lint_replaced(SERVICE_TASK, bound), "Task_escalate", "org.cii.Escalate")


def test_unbound_send_task_is_refused() -> None:
    findings = lint(
        clean_bundle()
        | {
            CLEAN_BPMN: edited(
                CLEAN_BPMN,
                (SERVICE_TASK, '<bpmn:sendTask id="Task_escalate" name="Notify">'),
                ("</bpmn:serviceTask>", "</bpmn:sendTask>"),
            )
        }
    )
    assert_refused(findings, "Task_escalate", "unbound send task")


@pytest.mark.parametrize(
    ("element", "name"),
    [
        ("complexGateway", "bpmn:complexGateway"),
    ],
)
def test_unsupported_flow_node_is_refused(element: str, name: str) -> None:
    files = clean_bundle()
    files[CLEAN_BPMN] = read(CLEAN_BPMN).replace(b"exclusiveGateway", element.encode())
    assert_refused(lint(files), "Gateway_track", name)


@pytest.mark.parametrize("definition", ["linkEventDefinition"])
def test_unsupported_event_definition_is_refused(definition: str) -> None:
    end = '<bpmn:endEvent id="EndEvent_reviewed" name="Reviewed">'
    findings = lint_replaced(end, end + f'<bpmn:{definition} id="Def_1" />')
    assert_refused(findings, "EndEvent_reviewed", f"bpmn:{definition}")


def test_duplicate_ids_are_refused() -> None:
    findings = lint_replaced('id="EndEvent_answered"', 'id="EndEvent_reviewed"')
    assert_refused(findings, "EndEvent_reviewed", "used twice")


def test_process_defined_twice_in_a_bundle_is_refused() -> None:
    files = clean_bundle() | {"copy.bpmn": read(CLEAN_BPMN)}
    assert_refused(lint(files), "cii_case_clean", "also defined in")


@pytest.mark.parametrize("groups", ["a;b", "cii coordination", "x'); drop table"])
def test_literal_candidate_groups_must_be_plain_names(groups: str) -> None:
    findings = lint_replaced(
        'camunda:candidateGroups="cii-coordination,cii-${region}"',
        f'camunda:candidateGroups="{groups}"',
    )
    assert_refused(findings, "Task_review", "plain name")


def test_unknown_juel_function_in_condition_is_refused() -> None:
    findings = lint_replaced('${track == "B" &amp;&amp; amount &gt; 1000}', "${amount.size()}")
    assert_refused(findings, "Flow_B", "does not parse")


def test_empty_condition_is_refused() -> None:
    findings = lint_replaced('${track == "B" &amp;&amp; amount &gt; 1000}', "  ")
    assert_refused(findings, "Flow_B", "empty")


def test_dmn_file_keeps_its_name_in_findings() -> None:
    files = clean_bundle()
    files[CLEAN_DMN] = files[CLEAN_DMN].replace(b"&gt; 1000", b"&gt;&gt;")
    [finding] = lint(files)
    assert (finding.file, finding.element_id) == (CLEAN_DMN, "UnaryTests_large")


def test_file_wide_script_language_is_refused() -> None:
    findings = lint_replaced(
        'id="Definitions_clean"', 'id="Definitions_clean" expressionLanguage="groovy"'
    )
    assert_refused(findings, "Definitions_clean", "expressionLanguage 'groovy'")


def test_send_task_with_only_a_message_is_unbound() -> None:
    findings = lint(
        clean_bundle()
        | {
            CLEAN_BPMN: edited(
                CLEAN_BPMN,
                (SERVICE_TASK,
                 '<bpmn:sendTask id="Task_escalate" name="Notify" messageRef="Message_docs">'),
                ("</bpmn:serviceTask>", "</bpmn:sendTask>"),
            )
        }
    )
    assert_refused(findings, "Task_escalate", "unbound send task")


def test_business_rule_task_needs_a_decision() -> None:
    findings = lint_replaced(
        'camunda:decisionRef="triage"', 'camunda:topic="x" camunda:type="external"'
    )
    assert_refused(findings, "Task_triage", "no camunda:decisionRef")
