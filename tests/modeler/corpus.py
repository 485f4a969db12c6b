"""The Modeler corpus: one small Camunda Modeler 5 file per construct.

Run `python -m tests.modeler.corpus` to rewrite `tests/modeler/files/`; the
tests read the checked-in files, not this module, so that they exercise the
bytes a process owner would upload. `tests/bpmn/test_regenerate.py` checks
that this module still writes exactly those bytes.
"""

from __future__ import annotations

from pathlib import Path

from tests.modeler.modeler import El, Fl, definitions

FILES = Path(__file__).parent / "files"


def start(id: str = "StartEvent_1", tail: str = "", name: str | None = None) -> El:
    return El("startEvent", id, name, tail=tail)


def end(id: str, tail: str = "", name: str | None = None) -> El:
    return El("endEvent", id, name, tail=tail)


def user(id: str, name: str, ext: str = "", tail: str = "", **attrs: str) -> El:
    return El("userTask", id, name, {f"camunda:{k}": v for k, v in attrs.items()}, ext, tail)


def chain(*ids: str, prefix: str = "Flow_") -> list[Fl]:
    pairs = zip(ids, ids[1:], strict=False)
    return [Fl(f"{prefix}{i + 1:02d}", a, b) for i, (a, b) in enumerate(pairs)]


def timer(kind: str, text: str, n: int = 1) -> str:
    return (f'<bpmn:timerEventDefinition id="TimerEventDefinition_{n}">\n'
            f'  <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{text}</bpmn:{kind}>\n'
            "</bpmn:timerEventDefinition>")


def user_task_attributes() -> str:
    ext = ('<camunda:properties><camunda:property name="sla" value="10d" /></camunda:properties>')
    task = user("Review_Case", "Review case", ext, assignee="${reviewer}",
                candidateGroups="cii-team-${region}", dueDate="P10D", followUpDate="P3D",
                priority="${urgent ? 80 : 50}", formRef="review-form", formRefBinding="latest")
    return definitions("user_task_attributes", [start(), task, end("Event_Done")],
                       chain("StartEvent_1", "Review_Case", "Event_Done"))


IO_TASK = """
<camunda:inputOutput>
  <camunda:inputParameter name="title">Case ${caseNumber}</camunda:inputParameter>
  <camunda:inputParameter name="amount">${amount * 2}</camunda:inputParameter>
  <camunda:inputParameter name="region">local-region</camunda:inputParameter>
  <camunda:inputParameter name="nothing" />
  <camunda:inputParameter name="reviewers">
    <camunda:list>
      <camunda:value>alice</camunda:value>
      <camunda:value>${owner}</camunda:value>
    </camunda:list>
  </camunda:inputParameter>
  <camunda:inputParameter name="address">
    <camunda:map>
      <camunda:entry key="city">${city}</camunda:entry>
      <camunda:entry key="zip">1950</camunda:entry>
    </camunda:map>
  </camunda:inputParameter>
  <camunda:outputParameter name="decision">${verdict == "yes"}</camunda:outputParameter>
  <camunda:outputParameter name="reviewedTitle">${title}</camunda:outputParameter>
</camunda:inputOutput>
"""

IO_SUB = """
<camunda:inputOutput>
  <camunda:inputParameter name="limit">${amount + 1}</camunda:inputParameter>
  <camunda:outputParameter name="subResult">${limit * 10}</camunda:outputParameter>
</camunda:inputOutput>
"""


def io_mapping() -> str:
    sub = El("subProcess", "Check_Sub", "Check", ext=IO_SUB, children=[
        start("Event_SubStart"), user("Sub_Task", "Look at limit", candidateGroups="sas"),
        end("Event_SubEnd")], flows=chain("Event_SubStart", "Sub_Task", "Event_SubEnd",
                                          prefix="Flow_S"))
    return definitions("io_mapping", [
        start(), user("Mapped_Task", "Review", IO_TASK, candidateGroups="${region}"), sub,
        user("After_Task", "After", candidateGroups="oai"), end("Event_Done")],
        chain("StartEvent_1", "Mapped_Task", "Check_Sub", "After_Task", "Event_Done"))


CALL_EXT = """
<camunda:in businessKey="#{execution.processBusinessKey}" />
<camunda:in source="caseNumber" target="number" />
<camunda:in sourceExpression="${amount * 100}" target="cents" />
<camunda:out source="verdict" target="calledVerdict" />
<camunda:out sourceExpression="${number + '-done'}" target="label" />
"""


def call_caller() -> str:
    call = El("callActivity", "Call_Review", "Review elsewhere",
              {"calledElement": "called_review"}, ext=CALL_EXT)
    return definitions("call_caller", [start(), call, user("After_Call", "After call",
                                                           candidateGroups="oai"),
                                       end("Event_Done")],
                       chain("StartEvent_1", "Call_Review", "After_Call", "Event_Done"),
                       definitions_id="Definitions_caller")


def call_called() -> str:
    return definitions("called_review", [start(), user("Called_Task", "Decide",
                                                       candidateGroups="sas"),
                                         end("Event_CalledEnd")],
                       chain("StartEvent_1", "Called_Task", "Event_CalledEnd"),
                       definitions_id="Definitions_called")


def call_all() -> str:
    call = El("callActivity", "Call_All", "Call with all", {"calledElement": "called_review"},
              ext='<camunda:in variables="all" />\n<camunda:out variables="all" />')
    return definitions("call_all", [start(), call, end("Event_Done")],
                       chain("StartEvent_1", "Call_All", "Event_Done"),
                       definitions_id="Definitions_callall")


def mi_parallel_user() -> str:
    loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${institutions}" '
            'camunda:elementVariable="institution">\n'
            '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
            '${nrOfCompletedInstances >= 2 || veto}</bpmn:completionCondition>\n'
            "</bpmn:multiInstanceLoopCharacteristics>")
    task = user("Consult", "Consult institution", tail=loop, candidateGroups="${institution}")
    return definitions("mi_parallel_user", [start(), task, user("Decide", "Decide",
                                                                candidateGroups="oai"),
                                            end("Event_Done")],
                       chain("StartEvent_1", "Consult", "Decide", "Event_Done"))


def mi_sequential_sub() -> str:
    loop = ('<bpmn:multiInstanceLoopCharacteristics isSequential="true">\n'
            '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">${rounds}'
            "</bpmn:loopCardinality>\n</bpmn:multiInstanceLoopCharacteristics>")
    sub = El("subProcess", "Round_Sub", "Round", tail=loop, children=[
        start("Event_RoundStart"), user("Round_Task", "Do round", candidateGroups="sas"),
        end("Event_RoundEnd")], flows=chain("Event_RoundStart", "Round_Task", "Event_RoundEnd",
                                            prefix="Flow_R"))
    return definitions("mi_sequential_sub", [start(), sub, end("Event_Done")],
                       chain("StartEvent_1", "Round_Sub", "Event_Done"))


MESSAGES = """
<bpmn:message id="Message_Request" name="cii-request" />
<bpmn:message id="Message_Docs" name="documents-received" />
<bpmn:message id="Message_Withdraw" name="withdrawn" />
<bpmn:message id="Message_Answer" name="answer" />
"""


def message_start() -> str:
    msg = '<bpmn:messageEventDefinition id="MessageEventDefinition_1" ' \
          'messageRef="Message_Request" />'
    return definitions("message_start", [start("Event_Request", msg, "Request received"),
                                         user("Triage", "Triage", candidateGroups="oai"),
                                         end("Event_Done")],
                       chain("Event_Request", "Triage", "Event_Done"), roots=MESSAGES)


def message_events() -> str:
    catch = El("intermediateCatchEvent", "Wait_Docs", "Documents received",
               tail='<bpmn:messageEventDefinition id="MessageEventDefinition_2" '
                    'messageRef="Message_Docs" />')
    receive = El("receiveTask", "Wait_Answer", "Wait for answer", {"messageRef": "Message_Answer"})
    work = user("Assess", "Assess", candidateGroups="oai")
    boundary = El("boundaryEvent", "Withdrawn", "Withdrawn", {"attachedToRef": "Assess"},
                  tail='<bpmn:messageEventDefinition id="MessageEventDefinition_3" '
                       'messageRef="Message_Withdraw" />')
    nodes = [start(), catch, receive, work, end("Event_Done"), boundary, end("Event_Withdrawn")]
    flows = chain("StartEvent_1", "Wait_Docs", "Wait_Answer", "Assess", "Event_Done")
    flows.append(Fl("Flow_W", "Withdrawn", "Event_Withdrawn"))
    return definitions("message_events", nodes, flows, roots=MESSAGES)


def timer_start_cycle() -> str:
    return definitions("timer_start_cycle", [
        start("Event_Every10h", timer("timeCycle", "R3/PT10H"), "Every 10 hours"),
        user("Periodic_Check", "Periodic check", candidateGroups="oai"), end("Event_Done")],
        chain("Event_Every10h", "Periodic_Check", "Event_Done"))


def timer_start_date() -> str:
    return definitions("timer_start_date", [
        start("Event_OnDate", timer("timeDate", "2026-02-01T09:00:00Z"), "On 1 February"),
        user("Yearly_Review", "Yearly review", candidateGroups="oai"), end("Event_Done")],
        chain("Event_OnDate", "Yearly_Review", "Event_Done"))


def timer_start_duration() -> str:
    return definitions("timer_start_duration", [
        start("Event_AfterDeploy", timer("timeDuration", "PT2H"), "2 hours after deployment"),
        user("First_Check", "First check", candidateGroups="oai"), end("Event_Done")],
        chain("Event_AfterDeploy", "First_Check", "Event_Done"))


def timer_events() -> str:
    wait = El("intermediateCatchEvent", "Wait_Until", "Until 10 January",
              tail=timer("timeDate", "2026-01-10T08:00:00Z"))
    task = user("Long_Task", "Long task", candidateGroups="oai")
    remind = El("boundaryEvent", "Every_30_Days", "Every 30 days",
                {"cancelActivity": "false", "attachedToRef": "Long_Task"},
                tail=timer("timeCycle", "R/P30D", 2))
    reminder = El("serviceTask", "Send_Reminder", "Send reminder",
                  {"camunda:delegateExpression": "${modelerReminder}"})
    nodes = [start(), wait, task, end("Event_Done"), remind, reminder, end("Event_Reminded")]
    flows = chain("StartEvent_1", "Wait_Until", "Long_Task", "Event_Done")
    flows += [Fl("Flow_R1", "Every_30_Days", "Send_Reminder"),
              Fl("Flow_R2", "Send_Reminder", "Event_Reminded")]
    return definitions("timer_events", nodes, flows)


ERRORS = '<bpmn:error id="Error_Incomplete" name="Incomplete" errorCode="INCOMPLETE" />'


def error_subprocess() -> str:
    sub = El("subProcess", "Check_Docs", "Check documents", children=[
        start("Event_CheckStart"),
        El("exclusiveGateway", "Gateway_Complete", "Complete?", {"default": "Flow_C3"}),
        end("Event_Incomplete", '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                                'errorRef="Error_Incomplete" />', "Incomplete"),
        end("Event_CheckEnd")],
        flows=[Fl("Flow_C1", "Event_CheckStart", "Gateway_Complete"),
               Fl("Flow_C2", "Gateway_Complete", "Event_Incomplete", "${!complete}"),
               Fl("Flow_C3", "Gateway_Complete", "Event_CheckEnd")])
    catch = El("boundaryEvent", "Caught_Incomplete", "Incomplete", {"attachedToRef": "Check_Docs"},
               tail='<bpmn:errorEventDefinition id="ErrorEventDefinition_2" '
                    'errorRef="Error_Incomplete" camunda:errorCodeVariable="errorCode" />')
    nodes = [start(), sub, user("Proceed", "Proceed", candidateGroups="oai"), end("Event_Done"),
             catch, user("Ask_Docs", "Ask for documents", candidateGroups="oai"),
             end("Event_Asked")]
    flows = chain("StartEvent_1", "Check_Docs", "Proceed", "Event_Done")
    flows += [Fl("Flow_E1", "Caught_Incomplete", "Ask_Docs"), Fl("Flow_E2", "Ask_Docs",
                                                                   "Event_Asked")]
    return definitions("error_subprocess", nodes, flows, roots=ERRORS)


def error_uncaught() -> str:
    return definitions("error_uncaught", [
        start(), end("Event_Fail", '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                                   'errorRef="Error_Incomplete" />', "Fail")],
        chain("StartEvent_1", "Event_Fail"), roots=ERRORS)


ESCALATIONS = ('<bpmn:escalation id="Escalation_Late" name="Late" escalationCode="LATE" />\n'
               '<bpmn:escalation id="Escalation_Abort" name="Abort" escalationCode="ABORT" />')


def escalation() -> str:
    throw = El("intermediateThrowEvent", "Throw_Late", "Late",
               tail='<bpmn:escalationEventDefinition id="EscalationEventDefinition_1" '
                    'escalationRef="Escalation_Late" />')
    sub = El("subProcess", "Handle_Sub", "Handle", children=[
        start("Event_HStart"), throw, user("Inner_Work", "Inner work", candidateGroups="sas"),
        El("exclusiveGateway", "Gateway_Abort", "Abort?", {"default": "Flow_H5"}),
        end("Event_Abort", '<bpmn:escalationEventDefinition id="EscalationEventDefinition_2" '
                           'escalationRef="Escalation_Abort" />', "Abort"),
        end("Event_HEnd")],
        flows=[*chain("Event_HStart", "Throw_Late", "Inner_Work", "Gateway_Abort",
                      prefix="Flow_H"),
               Fl("Flow_H4", "Gateway_Abort", "Event_Abort", "${abort}"),
               Fl("Flow_H5", "Gateway_Abort", "Event_HEnd")])
    late = El("boundaryEvent", "On_Late", "Late", {"cancelActivity": "false",
                                                    "attachedToRef": "Handle_Sub"},
              tail='<bpmn:escalationEventDefinition id="EscalationEventDefinition_3" '
                   'escalationRef="Escalation_Late" />')
    abort = El("boundaryEvent", "On_Abort", "Abort", {"attachedToRef": "Handle_Sub"},
               tail='<bpmn:escalationEventDefinition id="EscalationEventDefinition_4" '
                    'escalationRef="Escalation_Abort" />')
    nodes = [start(), sub, end("Event_Done"), late, abort,
             user("Notify_Lead", "Notify lead", candidateGroups="lead"), end("Event_Notified"),
             user("Aborted_Task", "Handle abort", candidateGroups="lead"), end("Event_Aborted")]
    flows = chain("StartEvent_1", "Handle_Sub", "Event_Done")
    flows += [Fl("Flow_L1", "On_Late", "Notify_Lead"), Fl("Flow_L2", "Notify_Lead",
                                                            "Event_Notified"),
              Fl("Flow_A1", "On_Abort", "Aborted_Task"), Fl("Flow_A2", "Aborted_Task",
                                                              "Event_Aborted")]
    return definitions("escalation", nodes, flows, roots=ESCALATIONS)


def event_subprocess() -> str:
    msg_sub = El("subProcess", "On_Info", "Info received", {"triggeredByEvent": "true"},
                 children=[El("startEvent", "Event_InfoStart", None,
                              {"isInterrupting": "false"},
                              tail='<bpmn:messageEventDefinition '
                                   'id="MessageEventDefinition_1" messageRef="Message_Docs" />'),
                           user("Read_Info", "Read info", candidateGroups="oai"),
                           end("Event_InfoEnd")],
                 flows=chain("Event_InfoStart", "Read_Info", "Event_InfoEnd", prefix="Flow_I"))
    timer_sub = El("subProcess", "On_Timeout", "Timeout", {"triggeredByEvent": "true"},
                   children=[El("startEvent", "Event_TimeoutStart", None,
                                {"isInterrupting": "false"},
                                tail=timer("timeDuration", "P20D", 2)),
                             user("Timed_Out", "Handle timeout", candidateGroups="lead"),
                             end("Event_TimeoutEnd")],
                   flows=chain("Event_TimeoutStart", "Timed_Out", "Event_TimeoutEnd",
                               prefix="Flow_T"))
    nodes = [start(), user("Main_Work", "Main work", candidateGroups="oai"), end("Event_Done"),
             msg_sub, timer_sub]
    return definitions("event_subprocess", nodes, chain("StartEvent_1", "Main_Work",
                                                        "Event_Done"), roots=MESSAGES)


def error_event_subprocess() -> str:
    check = El("subProcess", "Register", "Register", children=[
        start("Event_RegStart"),
        El("exclusiveGateway", "Gateway_Valid", "Valid?", {"default": "Flow_G3"}),
        end("Event_RegFailed", '<bpmn:errorEventDefinition id="ErrorEventDefinition_2" '
                               'errorRef="Error_Incomplete" />', "Failed"),
        end("Event_RegEnd")],
        flows=[Fl("Flow_G1", "Event_RegStart", "Gateway_Valid"),
               Fl("Flow_G2", "Gateway_Valid", "Event_RegFailed", "${!valid}"),
               Fl("Flow_G3", "Gateway_Valid", "Event_RegEnd")])
    err_sub = El("subProcess", "On_Error", "Registration failed", {"triggeredByEvent": "true"},
                 children=[start("Event_ErrStart", '<bpmn:errorEventDefinition '
                                 'id="ErrorEventDefinition_1" errorRef="Error_Incomplete" />'),
                           user("Repair", "Repair", candidateGroups="lead"),
                           end("Event_ErrEnd")],
                 flows=chain("Event_ErrStart", "Repair", "Event_ErrEnd", prefix="Flow_X"))
    return definitions("error_event_subprocess",
                       [start(), check, user("Next", "Next", candidateGroups="oai"),
                        end("Event_Done"), err_sub],
                       chain("StartEvent_1", "Register", "Next", "Event_Done"), roots=ERRORS)


CORPUS = {
    "user_task_attributes.bpmn": user_task_attributes,
    "io_mapping.bpmn": io_mapping,
    "call_caller.bpmn": call_caller,
    "call_called.bpmn": call_called,
    "call_all.bpmn": call_all,
    "mi_parallel_user.bpmn": mi_parallel_user,
    "mi_sequential_sub.bpmn": mi_sequential_sub,
    "message_start.bpmn": message_start,
    "message_events.bpmn": message_events,
    "timer_start_cycle.bpmn": timer_start_cycle,
    "timer_start_date.bpmn": timer_start_date,
    "timer_start_duration.bpmn": timer_start_duration,
    "timer_events.bpmn": timer_events,
    "error_subprocess.bpmn": error_subprocess,
    "error_uncaught.bpmn": error_uncaught,
    "escalation.bpmn": escalation,
    "event_subprocess.bpmn": event_subprocess,
    "error_event_subprocess.bpmn": error_event_subprocess,
}


def write_corpus(out: Path = FILES) -> list[Path]:
    """Write every corpus file into `out`; `tests/bpmn/test_regenerate.py` uses a temp dir."""
    from tests.modeler.corpus_boundaries import CORPUS as BOUNDARIES  # asyncBefore, calls
    from tests.modeler.corpus_camunda7 import CORPUS as CAMUNDA7  # Java delegates, listeners
    from tests.modeler.corpus_compensation import CORPUS as COMPENSATION  # compensation
    from tests.modeler.corpus_conditional_start import CORPUS as CONDITIONAL_STARTS
    from tests.modeler.corpus_esp_scope import CORPUS as ESP_SCOPE  # in embedded subprocesses
    from tests.modeler.corpus_events import CORPUS as EVENTS  # interrupting event subprocesses
    from tests.modeler.corpus_links import CORPUS as LINKS  # link events
    from tests.modeler.corpus_signals import CORPUS as SIGNALS  # signals across cases

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in {**CORPUS, **CAMUNDA7, **EVENTS, **BOUNDARIES, **LINKS,
                        **COMPENSATION, **SIGNALS, **CONDITIONAL_STARTS, **ESP_SCOPE}.items():
        (out / name).write_text(build(), encoding="utf-8")
        written.append(out / name)
    return written


def main() -> None:
    write_corpus()


if __name__ == "__main__":
    main()
