"""Modeler corpus files with interrupting event subprocesses (one per start-event kind)
and conditional events.

Written by `python -m tests.modeler.corpus` with the rest of the corpus. Each process
has work in progress (user tasks, some in an embedded subprocess) when the event
subprocess starts, so the tests can see what Camunda 7 cancels and what it keeps.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, timer, user
from tests.modeler.modeler import El, Fl, definitions

MESSAGES = ('<bpmn:message id="Message_Withdrawn" name="withdrawn" />\n'
            '<bpmn:message id="Message_Docs" name="documents-received" />')
ESCALATIONS = '<bpmn:escalation id="Escalation_Late" name="Late" escalationCode="LATE" />'


def _event_sub(sub_id: str, name: str, start_id: str, definition: str, task: El,
               prefix: str, interrupting: bool = True) -> El:
    attrs = {} if interrupting else {"isInterrupting": "false"}
    end_id = f"{start_id}_End"
    return El("subProcess", sub_id, name, {"triggeredByEvent": "true"},
              children=[El("startEvent", start_id, None, attrs, tail=definition), task,
                        end(end_id)],
              flows=chain(start_id, task.id, end_id, prefix=prefix))


def _fork(*branches: str) -> tuple[list[El], list[Fl]]:
    """start -> fork -> each branch -> join -> end, at the process level."""
    nodes = [start(), El("parallelGateway", "Gateway_Fork"), El("parallelGateway",
                                                                 "Gateway_Join"),
             end("Event_Done")]
    flows = [Fl("Flow_01", "StartEvent_1", "Gateway_Fork"),
             Fl("Flow_02", "Gateway_Join", "Event_Done")]
    for n, branch in enumerate(branches):
        flows += [Fl(f"Flow_B{n}1", "Gateway_Fork", branch),
                  Fl(f"Flow_B{n}2", branch, "Gateway_Join")]
    return nodes, flows


def esp_message() -> str:
    """Review and Check run; the message `withdrawn` interrupts both: Archive runs."""
    nodes, flows = _fork("Review", "Check")
    nodes += [user("Review", "Review", candidateGroups="sas"),
              user("Check", "Check", candidateGroups="oai"),
              _event_sub("On_Withdrawn", "Withdrawn", "Event_WithdrawnStart",
                         '<bpmn:messageEventDefinition id="MessageEventDefinition_1" '
                         'messageRef="Message_Withdrawn" />',
                         user("Archive", "Archive", candidateGroups="lead"), "Flow_W"),
              _event_sub("On_Docs", "Documents received", "Event_DocsStart",
                         '<bpmn:messageEventDefinition id="MessageEventDefinition_2" '
                         'messageRef="Message_Docs" />',
                         user("Read_Docs", "Read documents", candidateGroups="oai"), "Flow_D",
                         interrupting=False)]
    return definitions("esp_message", nodes, flows, roots=MESSAGES)


def esp_timer() -> str:
    """Review runs; after 5 days a reminder runs beside it, after 10 days both are cancelled."""
    nodes = [start(), user("Review", "Review", candidateGroups="sas"), end("Event_Done"),
             _event_sub("On_Reminder", "Reminder", "Event_ReminderStart",
                        timer("timeDuration", "P5D", 1),
                        user("Remind", "Remind", candidateGroups="oai"), "Flow_R",
                        interrupting=False),
             _event_sub("On_Deadline", "Deadline", "Event_DeadlineStart",
                        timer("timeDuration", "P10D", 2),
                        user("Decide_Late", "Decide late case", candidateGroups="lead"),
                        "Flow_T")]
    return definitions("esp_timer", nodes, chain("StartEvent_1", "Review", "Event_Done"))


def esp_escalation() -> str:
    """An escalation thrown in a subprocess (when Assess_Risk finds the case late)
    interrupts the process, the subprocess's Inner_Work included."""
    throw = El("intermediateThrowEvent", "Throw_Late", "Late",
               tail='<bpmn:escalationEventDefinition id="EscalationEventDefinition_1" '
                    'escalationRef="Escalation_Late" />')
    sub = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), El("parallelGateway", "Gateway_AFork"),
        user("Inner_Work", "Inner work", candidateGroups="sas"), end("Event_AEnd"),
        El("exclusiveGateway", "Gateway_Late", "Late?", {"default": "Flow_A5"}),
        user("Assess_Risk", "Assess risk", candidateGroups="oai"),
        throw, end("Event_AThrown"), end("Event_AOnTime")],
        flows=[*chain("Event_AStart", "Gateway_AFork", "Inner_Work", "Event_AEnd",
                      prefix="Flow_A"),
               Fl("Flow_A4", "Gateway_AFork", "Assess_Risk"),
               Fl("Flow_A8", "Assess_Risk", "Gateway_Late"),
               Fl("Flow_A5", "Gateway_Late", "Event_AOnTime"),
               Fl("Flow_A6", "Gateway_Late", "Throw_Late", "${late}"),
               Fl("Flow_A7", "Throw_Late", "Event_AThrown")])
    nodes = [start(), sub, user("After", "After", candidateGroups="oai"), end("Event_Done"),
             _event_sub("On_Late", "Late", "Event_LateStart",
                        '<bpmn:escalationEventDefinition id="EscalationEventDefinition_2" '
                        'escalationRef="Escalation_Late" />',
                        user("Handle_Late", "Handle late case", candidateGroups="lead"),
                        "Flow_L")]
    return definitions("esp_escalation", nodes,
                       chain("StartEvent_1", "Assess", "After", "Event_Done"),
                       roots=ESCALATIONS)


def esp_embedded() -> str:
    """A timer event subprocess inside Assess interrupts Assess only: Outer_Work stays."""
    sub = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), user("Inner_Work", "Inner work", candidateGroups="sas"),
        end("Event_AEnd"),
        _event_sub("On_Timeout", "Timeout", "Event_TimeoutStart",
                   timer("timeDuration", "P5D", 1),
                   user("Inner_Timeout", "Handle timeout", candidateGroups="lead"), "Flow_T")],
        flows=chain("Event_AStart", "Inner_Work", "Event_AEnd", prefix="Flow_A"))
    nodes, flows = _fork("Assess", "Outer_Work")
    nodes += [sub, user("Outer_Work", "Outer work", candidateGroups="oai")]
    return definitions("esp_embedded", nodes, flows)


ERRORS = '<bpmn:error id="Error_Incomplete" name="Incomplete" errorCode="INCOMPLETE" />'


def esp_service_error() -> str:
    """Check_Register's handler reports the BPMN error INCOMPLETE: the error event
    subprocess interrupts the process, Review included."""
    nodes, flows = _fork("Review", "Collect")
    check = El("serviceTask", "Check_Register", "Check register",
               {"camunda:delegateExpression": "${checkRegister}"})
    nodes += [user("Review", "Review", candidateGroups="sas"),
              user("Collect", "Collect", candidateGroups="oai"), check,
              _event_sub("On_Incomplete", "Incomplete", "Event_IncompleteStart",
                         '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                         'errorRef="Error_Incomplete" />',
                         user("Repair", "Repair", candidateGroups="lead"), "Flow_E")]
    flows = [f for f in flows if f.source != "Collect"]
    flows += [Fl("Flow_S1", "Collect", "Check_Register"),
              Fl("Flow_S2", "Check_Register", "Gateway_Join")]
    return definitions("esp_service_error", nodes, flows, roots=ERRORS)


def _condition(n: int, expression: str, **camunda: str) -> str:
    attrs = "".join(f' camunda:{k}="{v}"' for k, v in camunda.items())
    return (f'<bpmn:conditionalEventDefinition id="ConditionalEventDefinition_{n}"{attrs}>\n'
            f'  <bpmn:condition xsi:type="bpmn:tFormalExpression">{expression}'
            "</bpmn:condition>\n</bpmn:conditionalEventDefinition>")


def cond_catch() -> str:
    """Send_Decision waits until the amount is over 100, looked at when `approved` changes."""
    wait = El("intermediateCatchEvent", "Wait_Approved", "Approved and over 100",
              tail=_condition(1, "${amount &gt; 100}", variableName="approved"))
    nodes, flows = _fork("Approve", "Wait_Approved")
    nodes += [user("Approve", "Approve", candidateGroups="lead"),
              user("Confirm", "Confirm", candidateGroups="lead"), wait,
              user("Send_Decision", "Send decision", candidateGroups="oai")]
    flows = [f for f in flows if f.source not in ("Approve", "Wait_Approved")]
    flows += [Fl("Flow_C1", "Approve", "Confirm"), Fl("Flow_C2", "Confirm", "Gateway_Join"),
              Fl("Flow_C3", "Wait_Approved", "Send_Decision"),
              Fl("Flow_C4", "Send_Decision", "Gateway_Join")]
    return definitions("cond_catch", nodes, flows)


def cond_boundary() -> str:
    """Review is interrupted when the case is withdrawn (Close_File takes its place, merged
    before the join); an update of `urgent` to true notifies beside it."""
    withdrawn = El("boundaryEvent", "On_Withdrawn", "Withdrawn", {"attachedToRef": "Review"},
                   tail=_condition(1, "${withdrawn}"))
    urgent = El("boundaryEvent", "On_Urgent", "Urgent",
                {"cancelActivity": "false", "attachedToRef": "Review"},
                tail=_condition(2, "${urgent}", variableName="urgent",
                                variableEvents="update"))
    nodes, flows = _fork("Review", "Update_Case")
    nodes += [user("Review", "Review", candidateGroups="sas"),
              user("Update_Case", "Update case", candidateGroups="oai"),
              user("Update_Again", "Update again", candidateGroups="oai"),
              withdrawn, urgent,
              user("Close_File", "Close file", candidateGroups="lead"),
              El("exclusiveGateway", "Gateway_Merge"),
              user("Notify_Urgent", "Notify urgent", candidateGroups="lead"),
              end("Event_Notified")]
    flows = [f for f in flows if f.source not in ("Update_Case", "Review")]
    flows += [Fl("Flow_R1", "Review", "Gateway_Merge"),
              Fl("Flow_R2", "Gateway_Merge", "Gateway_Join"),
              Fl("Flow_U1", "Update_Case", "Update_Again"),
              Fl("Flow_U2", "Update_Again", "Gateway_Join"),
              *chain("On_Withdrawn", "Close_File", "Gateway_Merge", prefix="Flow_W"),
              *chain("On_Urgent", "Notify_Urgent", "Event_Notified", prefix="Flow_N")]
    return definitions("cond_boundary", nodes, flows)


CORPUS: dict[str, Callable[[], str]] = {
    "cond_catch.bpmn": cond_catch,
    "cond_boundary.bpmn": cond_boundary,
    "esp_message.bpmn": esp_message,
    "esp_timer.bpmn": esp_timer,
    "esp_escalation.bpmn": esp_escalation,
    "esp_embedded.bpmn": esp_embedded,
    "esp_service_error.bpmn": esp_service_error,
}
