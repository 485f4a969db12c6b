"""Modeler corpus files with message, error and escalation event subprocesses drawn
inside an embedded subprocess (`engine.camunda.event_subprocess_scope`).

Written by `python -m tests.modeler.corpus` with the rest of the corpus. In each, the
subprocess Assess runs beside Outer_Work and is followed by After, so the tests see what
Camunda 7 cancels (Assess's work only), what it keeps, and that the flow goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, user
from tests.modeler.corpus_events import _event_sub
from tests.modeler.modeler import El, Fl, definitions

MESSAGES = ('<bpmn:message id="Message_Withdrawn" name="scope-withdrawn" />\n'
            '<bpmn:message id="Message_Docs" name="scope-documents" />')
ERRORS = ('<bpmn:error id="Error_Incomplete" name="Incomplete" errorCode="INCOMPLETE" />\n'
          '<bpmn:error id="Error_Register" name="Register" errorCode="REGISTER" />')
ESCALATIONS = '<bpmn:escalation id="Escalation_Late" name="Late" escalationCode="LATE" />'


def _around(assess: El, *extra: El, extra_flows: tuple[Fl, ...] = (),
            pid: str, roots: str) -> str:
    """start -> fork -> (Assess -> After | Outer_Work) -> join -> end."""
    nodes = [start(), El("parallelGateway", "Gateway_Fork"), assess,
             user("After", "After", candidateGroups="lead"),
             user("Outer_Work", "Outer work", candidateGroups="oai"),
             El("parallelGateway", "Gateway_Join"), end("Event_Done"), *extra]
    flows = [Fl("Flow_01", "StartEvent_1", "Gateway_Fork"),
             Fl("Flow_02", "Gateway_Fork", "Assess"), Fl("Flow_03", "Assess", "After"),
             Fl("Flow_04", "After", "Gateway_Join"), Fl("Flow_05", "Gateway_Fork", "Outer_Work"),
             Fl("Flow_06", "Outer_Work", "Gateway_Join"), Fl("Flow_07", "Gateway_Join",
                                                             "Event_Done"),
             *extra_flows]
    return definitions(pid, nodes, flows, roots=roots)


def esp_scope_message() -> str:
    """Inside Assess: `scope-withdrawn` interrupts Inner_Work (Inner_Archive runs),
    `scope-documents` runs Read_Docs beside it, each time it comes."""
    assess = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), user("Inner_Work", "Inner work", candidateGroups="sas"),
        end("Event_AEnd"),
        _event_sub("On_Withdrawn", "Withdrawn", "Event_WithdrawnStart",
                   '<bpmn:messageEventDefinition id="MessageEventDefinition_1" '
                   'messageRef="Message_Withdrawn" />',
                   user("Inner_Archive", "Archive", candidateGroups="lead"), "Flow_W"),
        _event_sub("On_Docs", "Documents received", "Event_DocsStart",
                   '<bpmn:messageEventDefinition id="MessageEventDefinition_2" '
                   'messageRef="Message_Docs" />',
                   user("Read_Docs", "Read documents", candidateGroups="oai"), "Flow_D",
                   interrupting=False)],
        flows=chain("Event_AStart", "Inner_Work", "Event_AEnd", prefix="Flow_A"))
    return _around(assess, pid="esp_scope_message", roots=MESSAGES)


def esp_scope_error() -> str:
    """Inside Assess, Assess_Risk ends with the error INCOMPLETE when `incomplete`, and
    Check_Register's handler may raise REGISTER: Assess's error event subprocess (Repair)
    catches both, before the error boundary on Assess and the process's own."""
    assess = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), El("parallelGateway", "Gateway_AFork"),
        user("Inner_Work", "Inner work", candidateGroups="sas"), end("Event_AWorked"),
        user("Assess_Risk", "Assess risk", candidateGroups="oai"),
        El("exclusiveGateway", "Gateway_Complete", "Complete?", {"default": "Flow_A5"}),
        El("serviceTask", "Check_Register", "Check register",
           {"camunda:delegateExpression": "${checkRegister}"}),
        end("Event_AEnd"),
        end("Event_Incomplete", '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
            'errorRef="Error_Incomplete" />', "Incomplete"),
        _event_sub("On_Error", "Error", "Event_ErrorStart",
                   '<bpmn:errorEventDefinition id="ErrorEventDefinition_2" />',
                   user("Repair", "Repair", candidateGroups="lead"), "Flow_E")],
        flows=[*chain("Event_AStart", "Gateway_AFork", "Inner_Work", "Event_AWorked",
                      prefix="Flow_A"),
               Fl("Flow_A4", "Gateway_AFork", "Assess_Risk"),
               Fl("Flow_A8", "Assess_Risk", "Gateway_Complete"),
               Fl("Flow_A5", "Gateway_Complete", "Check_Register"),
               Fl("Flow_A9", "Check_Register", "Event_AEnd"),
               Fl("Flow_A6", "Gateway_Complete", "Event_Incomplete", "${incomplete}")])
    boundary = El("boundaryEvent", "Assess_Failed", "Assess failed",
                  {"attachedToRef": "Assess"},
                  tail='<bpmn:errorEventDefinition id="ErrorEventDefinition_3" />')
    outer = _event_sub("On_Process_Error", "Process error", "Event_ProcessErrorStart",
                       '<bpmn:errorEventDefinition id="ErrorEventDefinition_4" />',
                       user("Process_Repair", "Repair case", candidateGroups="lead"),
                       "Flow_P")
    return _around(assess, boundary, user("Boundary_Repair", "Repair after failure",
                                          candidateGroups="lead"),
                   end("Event_BoundaryDone"), outer,
                   extra_flows=(*chain("Assess_Failed", "Boundary_Repair",
                                       "Event_BoundaryDone", prefix="Flow_B"),),
                   pid="esp_scope_error", roots=ERRORS)


def esp_scope_escalation() -> str:
    """Inside Assess, Assess_Risk throws the escalation LATE when `late`: Assess's
    non-interrupting event subprocess runs Handle_Late beside Inner_Work."""
    throw = El("intermediateThrowEvent", "Throw_Late", "Late",
               tail='<bpmn:escalationEventDefinition id="EscalationEventDefinition_1" '
                    'escalationRef="Escalation_Late" />')
    assess = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), El("parallelGateway", "Gateway_AFork"),
        user("Inner_Work", "Inner work", candidateGroups="sas"), end("Event_AEnd"),
        El("exclusiveGateway", "Gateway_Late", "Late?", {"default": "Flow_A5"}),
        user("Assess_Risk", "Assess risk", candidateGroups="oai"),
        throw, end("Event_AThrown"), end("Event_AOnTime"),
        _event_sub("On_Late", "Late", "Event_LateStart",
                   '<bpmn:escalationEventDefinition id="EscalationEventDefinition_2" '
                   'escalationRef="Escalation_Late" />',
                   user("Handle_Late", "Handle late case", candidateGroups="lead"), "Flow_L",
                   interrupting=False)],
        flows=[*chain("Event_AStart", "Gateway_AFork", "Inner_Work", "Event_AEnd",
                      prefix="Flow_A"),
               Fl("Flow_A4", "Gateway_AFork", "Assess_Risk"),
               Fl("Flow_A8", "Assess_Risk", "Gateway_Late"),
               Fl("Flow_A5", "Gateway_Late", "Event_AOnTime"),
               Fl("Flow_A6", "Gateway_Late", "Throw_Late", "${late}"),
               Fl("Flow_A7", "Throw_Late", "Event_AThrown")])
    return _around(assess, pid="esp_scope_escalation", roots=ESCALATIONS)


def esp_scope_stray() -> str:
    """Outer_Work ends in the error INCOMPLETE, thrown at the process level, where nobody
    catches it: Assess's error event subprocess (beside, in another scope) stays idle."""
    assess = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), user("Inner_Work", "Inner work", candidateGroups="sas"),
        end("Event_AEnd"),
        _event_sub("On_Error", "Error", "Event_ErrorStart",
                   '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" />',
                   user("Repair", "Repair", candidateGroups="lead"), "Flow_E")],
        flows=chain("Event_AStart", "Inner_Work", "Event_AEnd", prefix="Flow_A"))
    nodes = [start(), El("parallelGateway", "Gateway_Fork"), assess, end("Event_Done"),
             user("Outer_Work", "Outer work", candidateGroups="oai"),
             end("Event_Failed", '<bpmn:errorEventDefinition id="ErrorEventDefinition_2" '
                 'errorRef="Error_Incomplete" />', "Failed")]
    flows = [*chain("StartEvent_1", "Gateway_Fork", "Assess", "Event_Done"),
             *chain("Gateway_Fork", "Outer_Work", "Event_Failed", prefix="Flow_O")]
    return definitions("esp_scope_stray", nodes, flows, roots=ERRORS)


CORPUS: dict[str, Callable[[], str]] = {
    "esp_scope_stray.bpmn": esp_scope_stray,
    "esp_scope_message.bpmn": esp_scope_message,
    "esp_scope_error.bpmn": esp_scope_error,
    "esp_scope_escalation.bpmn": esp_scope_escalation,
}
