"""Modeler corpus files for Camunda 7 transaction boundaries (`asyncBefore`/`asyncAfter`)
and call activities bound to processes deployed before (`camunda:calledElementBinding`).

Written by `python -m tests.modeler.corpus` with the rest of the corpus; what ciiflow
does with them is in tests/modeler/test_async_boundaries.py and
tests/modeler/test_call_bindings.py.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, timer, user
from tests.modeler.modeler import El, Fl, definitions

RETRY = "<camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>"


def async_boundaries() -> str:
    """A review, then a service task after an asyncBefore (retried on R3/PT5M in Camunda),
    a user task with asyncAfter, end."""
    review = user("Review_Case", "Review case", candidateGroups="oai")
    notify = El("serviceTask", "Notify_Office", "Notify office",
                {"camunda:asyncBefore": "true", "camunda:type": "external",
                 "camunda:topic": "notify-office"}, ext=RETRY)
    archive = user("Archive_Case", "Archive case", candidateGroups="oai")
    archive.attrs["camunda:asyncAfter"] = "true"
    return definitions("async_boundaries",
                       [start(), review, notify, archive, end("Event_Done")],
                       chain("StartEvent_1", "Review_Case", "Notify_Office", "Archive_Case",
                             "Event_Done"))


def async_default_retries() -> str:
    """A service task after an asyncBefore without a retry cycle (Camunda: three tries in
    all, no wait), then a user task."""
    stamp = El("serviceTask", "Stamp_Case", "Stamp case",
               {"camunda:asyncBefore": "true", "camunda:type": "external",
                "camunda:topic": "stamp-case"})
    return definitions("async_default_retries",
                       [start(), stamp, user("Check_Stamp", "Check stamp",
                                             candidateGroups="oai"), end("Event_Done")],
                       chain("StartEvent_1", "Stamp_Case", "Check_Stamp", "Event_Done"))


def async_start() -> str:
    """A start event with asyncAfter (the start commits, a job runs the case from it),
    then a user task."""
    first = start()
    first.attrs["camunda:asyncAfter"] = "true"
    return definitions("async_start",
                       [first, user("Register_Case", "Register case", candidateGroups="oai"),
                        end("Event_Done")],
                       chain("StartEvent_1", "Register_Case", "Event_Done"))


def async_paths() -> str:
    """A user task with asyncBefore, a score computed by a service task with asyncAfter
    (one try a minute apart: R2/PT1M), then a gateway on `score > limit`."""
    intake = user("Intake", "Intake", candidateGroups="oai", asyncBefore="true")
    score = El("serviceTask", "Compute_Score", "Compute score",
               {"camunda:asyncAfter": "true", "camunda:type": "external",
                "camunda:topic": "compute-score"},
               ext="<camunda:failedJobRetryTimeCycle>R2/PT1M</camunda:failedJobRetryTimeCycle>")
    gateway = El("exclusiveGateway", "Gateway_Score", "Score high?", {"default": "Flow_Low"})
    nodes = [start(), intake, score, gateway,
             user("Review_High", "Review high score", candidateGroups="oai"),
             user("Review_Low", "Review low score", candidateGroups="oai"),
             end("Event_High"), end("Event_Low")]
    flows = chain("StartEvent_1", "Intake", "Compute_Score", "Gateway_Score")
    flows += [Fl("Flow_High", "Gateway_Score", "Review_High", "${score > limit}"),
              Fl("Flow_Low", "Gateway_Score", "Review_Low"),
              Fl("Flow_HighEnd", "Review_High", "Event_High"),
              Fl("Flow_LowEnd", "Review_Low", "Event_Low")]
    return definitions("async_paths", nodes, flows)


def async_boundary_timer() -> str:
    """Activities with timer boundary events and a boundary: Assess with asyncBefore (its
    timer, PT1H, escalates), then Archive with asyncAfter (its timer, PT30M, chases)."""
    assess = user("Assess", "Assess case", candidateGroups="oai", asyncBefore="true")
    late = El("boundaryEvent", "Assess_Late", "Assess late", {"attachedToRef": "Assess"},
              tail=timer("timeDuration", "PT1H"))
    archive = user("Archive", "Archive case", candidateGroups="oai", asyncAfter="true")
    slow = El("boundaryEvent", "Archive_Slow", "Archive slow", {"attachedToRef": "Archive"},
              tail=timer("timeDuration", "PT30M", 2))
    nodes = [start(), user("Intake", "Intake", candidateGroups="oai"), assess, archive,
             end("Event_Done"), late, user("Escalate", "Escalate", candidateGroups="oai"),
             end("Event_Escalated"), slow, user("Chase", "Chase archive", candidateGroups="oai"),
             end("Event_Chased")]
    flows = chain("StartEvent_1", "Intake", "Assess", "Archive", "Event_Done")
    flows += [Fl("Flow_Late", "Assess_Late", "Escalate"),
              Fl("Flow_Escalated", "Escalate", "Event_Escalated"),
              Fl("Flow_Slow", "Archive_Slow", "Chase"),
              Fl("Flow_Chased", "Chase", "Event_Chased")]
    return definitions("async_boundary_timer", nodes, flows)


LETTER_ERRORS = '<bpmn:error id="Error_Address" name="Bad address" errorCode="BAD_ADDRESS" />'


def async_boundary_service() -> str:
    """A service task with asyncBefore (R2/PT10M), a timer boundary (PT1H: call the
    office) and an error boundary (BAD_ADDRESS: fix the address), then Confirm."""
    send = El("serviceTask", "Send_Letter", "Send letter",
              {"camunda:asyncBefore": "true", "camunda:type": "external",
               "camunda:topic": "send-letter"},
              ext="<camunda:failedJobRetryTimeCycle>R2/PT10M</camunda:failedJobRetryTimeCycle>")
    late = El("boundaryEvent", "Letter_Late", "Letter late", {"attachedToRef": "Send_Letter"},
              tail=timer("timeDuration", "PT1H"))
    refused = El("boundaryEvent", "Letter_Refused", "Bad address",
                 {"attachedToRef": "Send_Letter"},
                 tail='<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                      'errorRef="Error_Address" />')
    nodes = [start(), send, user("Confirm", "Confirm", candidateGroups="oai"),
             end("Event_Done"), late, user("Call_Office", "Call office", candidateGroups="oai"),
             end("Event_Called"), refused,
             user("Fix_Address", "Fix address", candidateGroups="oai"), end("Event_Fixed")]
    flows = chain("StartEvent_1", "Send_Letter", "Confirm", "Event_Done")
    flows += [Fl("Flow_Late", "Letter_Late", "Call_Office"),
              Fl("Flow_Called", "Call_Office", "Event_Called"),
              Fl("Flow_Refused", "Letter_Refused", "Fix_Address"),
              Fl("Flow_Fixed", "Fix_Address", "Event_Fixed")]
    return definitions("async_boundary_service", nodes, flows, roots=LETTER_ERRORS)


def async_multi() -> str:
    """Multi-instance with boundaries: Consult (one instance per institution) with
    asyncBefore and asyncAfter on the activity (one job before the body, one after it),
    then Sign (two instances) with asyncBefore and asyncAfter on its loop characteristics
    (a job before and one after each instance), then File_Copy (two instances in
    sequence) with asyncAfter on its loop characteristics (a job after each), end."""
    loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${institutions}" '
            'camunda:elementVariable="institution" />')
    consult = user("Consult", "Consult institution", tail=loop,
                   candidateGroups="${institution}", asyncBefore="true", asyncAfter="true")
    per_instance = ('<bpmn:multiInstanceLoopCharacteristics camunda:asyncBefore="true" '
                    'camunda:asyncAfter="true">\n'
                    '  <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">2'
                    "</bpmn:loopCardinality>\n</bpmn:multiInstanceLoopCharacteristics>")
    sign = user("Sign", "Sign decision", tail=per_instance, candidateGroups="oai")
    after_each = ('<bpmn:multiInstanceLoopCharacteristics isSequential="true" '
                  'camunda:asyncAfter="true">\n'
                  '  <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">2'
                  "</bpmn:loopCardinality>\n</bpmn:multiInstanceLoopCharacteristics>")
    copy = user("File_Copy", "File a copy", tail=after_each, candidateGroups="oai")
    return definitions("async_multi",
                       [start(), user("Prepare", "Prepare", candidateGroups="oai"), consult,
                        sign, copy, end("Event_Done")],
                       chain("StartEvent_1", "Prepare", "Consult", "Sign", "File_Copy",
                             "Event_Done"))


def async_gateways() -> str:
    """Review, then Gateway_Route with asyncBefore (R2/PT1M) choosing on `amount > limit`:
    high amounts go to Fork_Checks, a parallel gateway with asyncAfter (Check_Office,
    Check_Bank, joined by Join_Checks, no boundary), the others to Gateway_Merge, an
    exclusive gateway with asyncAfter merging Standard's flow and the checks', then Sign."""
    route = El("exclusiveGateway", "Gateway_Route", "Amount high?",
               {"default": "Flow_Standard", "camunda:asyncBefore": "true"},
               ext="<camunda:failedJobRetryTimeCycle>R2/PT1M</camunda:failedJobRetryTimeCycle>")
    fork = El("parallelGateway", "Fork_Checks", None, {"camunda:asyncAfter": "true"})
    join = El("parallelGateway", "Join_Checks")
    merge = El("exclusiveGateway", "Gateway_Merge", None, {"camunda:asyncAfter": "true"})
    nodes = [start(), user("Review", "Review", candidateGroups="oai"), route, fork,
             user("Check_Office", "Check office", candidateGroups="oai"),
             user("Check_Bank", "Check bank", candidateGroups="oai"), join,
             user("Standard", "Standard handling", candidateGroups="oai"), merge,
             user("Sign", "Sign", candidateGroups="oai"), end("Event_Done")]
    flows = chain("StartEvent_1", "Review", "Gateway_Route")
    flows += [Fl("Flow_High", "Gateway_Route", "Fork_Checks", "${amount > limit}"),
              Fl("Flow_Standard", "Gateway_Route", "Standard"),
              Fl("Flow_Office", "Fork_Checks", "Check_Office"),
              Fl("Flow_Bank", "Fork_Checks", "Check_Bank"),
              Fl("Flow_OfficeDone", "Check_Office", "Join_Checks"),
              Fl("Flow_BankDone", "Check_Bank", "Join_Checks"),
              Fl("Flow_Checked", "Join_Checks", "Gateway_Merge"),
              Fl("Flow_StandardDone", "Standard", "Gateway_Merge"),
              Fl("Flow_Merged", "Gateway_Merge", "Sign"),
              Fl("Flow_Signed", "Sign", "Event_Done")]
    return definitions("async_gateways", nodes, flows)


def async_events() -> str:
    """Review, then Milestone_Reached (an intermediate none throw event with asyncBefore
    and asyncAfter), Decide, then End_Done with asyncBefore (R1/PT1M: one try) whose
    input mapping doubles `total`."""
    milestone = El("intermediateThrowEvent", "Milestone_Reached", "Milestone reached",
                   {"camunda:asyncBefore": "true", "camunda:asyncAfter": "true"})
    done = El("endEvent", "End_Done", "Done", {"camunda:asyncBefore": "true"},
              ext="<camunda:failedJobRetryTimeCycle>R1/PT1M</camunda:failedJobRetryTimeCycle>\n"
                  "<camunda:inputOutput>\n"
                  '  <camunda:inputParameter name="doubled">${total * 2}'
                  "</camunda:inputParameter>\n</camunda:inputOutput>")
    return definitions("async_events",
                       [start(), user("Review", "Review", candidateGroups="oai"), milestone,
                        user("Decide", "Decide", candidateGroups="oai"), done],
                       chain("StartEvent_1", "Review", "Milestone_Reached", "Decide",
                             "End_Done"))


def async_catch() -> str:
    """Submit, then Wait_Reply (a message catch event, message `reply`, with asyncAfter),
    Read_Reply, then Wait_Hour (a timer catch event, PT1H, with asyncAfter), Close."""
    reply = El("intermediateCatchEvent", "Wait_Reply", "Reply received",
               {"camunda:asyncAfter": "true"},
               tail='<bpmn:messageEventDefinition id="MessageEventDefinition_1" '
                    'messageRef="Message_Reply" />')
    hour = El("intermediateCatchEvent", "Wait_Hour", "One hour", {"camunda:asyncAfter": "true"},
              tail=timer("timeDuration", "PT1H"))
    return definitions("async_catch",
                       [start(), user("Submit", "Submit", candidateGroups="oai"), reply,
                        user("Read_Reply", "Read reply", candidateGroups="oai"), hour,
                        user("Close", "Close", candidateGroups="oai"), end("Event_Done")],
                       chain("StartEvent_1", "Submit", "Wait_Reply", "Read_Reply", "Wait_Hour",
                             "Close", "Event_Done"),
                       roots='<bpmn:message id="Message_Reply" name="reply" />')


def async_message_start() -> str:
    """A message start event (message `appeal-filed`) with asyncAfter, then Triage."""
    first = start("Event_Appeal", '<bpmn:messageEventDefinition id="MessageEventDefinition_1" '
                                  'messageRef="Message_Appeal" />', "Appeal filed")
    first.attrs["camunda:asyncAfter"] = "true"
    return definitions("async_message_start",
                       [first, user("Triage", "Triage", candidateGroups="oai"),
                        end("Event_Done")],
                       chain("Event_Appeal", "Triage", "Event_Done"),
                       roots='<bpmn:message id="Message_Appeal" name="appeal-filed" />')


def async_timer_start() -> str:
    """A timer start event (ten hours after the deployment: PT10H) with asyncAfter, then
    Daily_Check."""
    first = start("Event_Daily", timer("timeDuration", "PT10H"), "In 10 hours")
    first.attrs["camunda:asyncAfter"] = "true"
    return definitions("async_timer_start",
                       [first, user("Daily_Check", "Daily check", candidateGroups="oai"),
                        end("Event_Done")],
                       chain("Event_Daily", "Daily_Check", "Event_Done"))


def async_join() -> str:
    """Fork_Work (parallel), then Draft and Check in parallel, joined by Join_Work with
    asyncBefore (a job per arriving token), then Sign."""
    fork = El("parallelGateway", "Fork_Work")
    join = El("parallelGateway", "Join_Work", None, {"camunda:asyncBefore": "true"})
    nodes = [start(), fork, user("Draft", "Draft", candidateGroups="oai"),
             user("Check", "Check", candidateGroups="oai"), join,
             user("Sign", "Sign", candidateGroups="oai"), end("Event_Done")]
    flows = chain("StartEvent_1", "Fork_Work")
    flows += [Fl("Flow_Draft", "Fork_Work", "Draft"), Fl("Flow_Check", "Fork_Work", "Check"),
              Fl("Flow_Drafted", "Draft", "Join_Work"),
              Fl("Flow_Checked", "Check", "Join_Work"),
              Fl("Flow_Joined", "Join_Work", "Sign"), Fl("Flow_Signed", "Sign", "Event_Done")]
    return definitions("async_join", nodes, flows)


def async_receive() -> str:
    """Wait_Letter (a receive task, message `letter`, with asyncAfter), then Read_Letter."""
    wait = El("receiveTask", "Wait_Letter", "Wait for the letter",
              {"messageRef": "Message_Letter", "camunda:asyncAfter": "true"})
    return definitions("async_receive",
                       [start(), wait, user("Read_Letter", "Read letter", candidateGroups="oai"),
                        end("Event_Done")],
                       chain("StartEvent_1", "Wait_Letter", "Read_Letter", "Event_Done"),
                       roots='<bpmn:message id="Message_Letter" name="letter" />')


def async_refused() -> str:
    """Boundaries ciiflow refuses by name: on a joining inclusive gateway; and a malformed
    retry cycle.
    Beside them, boundaries that run: asyncBefore on loop characteristics, asyncAfter on
    an activity with a boundary event."""
    loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:asyncBefore="true" '
            'camunda:collection="${institutions}" camunda:elementVariable="institution" />')
    consult = user("Consult", "Consult institution", tail=loop,
                   candidateGroups="${institution}")
    wait = user("Wait_Answer", "Wait for the answer", candidateGroups="oai", asyncAfter="true")
    late = El("boundaryEvent", "Answer_Late", "Answer late", {"attachedToRef": "Wait_Answer"},
              tail=timer("timeDuration", "P10D"))
    gateway = El("inclusiveGateway", "Gateway_Join", None, {"camunda:asyncBefore": "true"})
    send = El("serviceTask", "Send_Letter", "Send letter",
              {"camunda:asyncBefore": "true", "camunda:type": "external",
               "camunda:topic": "send-letter"},
              ext="<camunda:failedJobRetryTimeCycle>R3/5 minutes"
                  "</camunda:failedJobRetryTimeCycle>")
    flows = chain("StartEvent_1", "Consult", "Wait_Answer", "Gateway_Join", "Send_Letter",
                  "Event_Done")
    flows.append(Fl("Flow_Late", "Answer_Late", "Gateway_Join"))
    return definitions("async_refused",
                       [start(), consult, wait, late, gateway, send, end("Event_Done")], flows)


def _shared_review(tag: str, task_id: str, task_name: str) -> str:
    """The called process `shared_review`, deployed on its own, tagged `tag`."""
    text = definitions("shared_review",
                       [start(), user(task_id, task_name, candidateGroups="sas"),
                        end("Event_ReviewEnd")],
                       chain("StartEvent_1", task_id, "Event_ReviewEnd"),
                       definitions_id=f"Definitions_shared_{tag}")
    return text.replace('<bpmn:process id="shared_review" isExecutable="true"',
                        f'<bpmn:process id="shared_review" isExecutable="true" '
                        f'camunda:versionTag="{tag}"', 1)


def shared_review_v1() -> str:
    return _shared_review("1.0", "Review_First", "Review (first release)")


def shared_review_v2() -> str:
    return _shared_review("2.0", "Review_Second", "Review (second release)")


CALL_IO = '<camunda:in source="caseNumber" target="number" />\n' \
          '<camunda:out source="verdict" target="reviewVerdict" />'


def _caller(pid: str, called: str = "shared_review", **binding: str) -> str:
    """start, a call activity bound as `binding` says, a user task after it, end."""
    attrs = {"calledElement": called, **{f"camunda:{k}": v for k, v in binding.items()}}
    call = El("callActivity", "Call_Review", "Review in the shared process", attrs, ext=CALL_IO)
    return definitions(pid, [start(), call, user("After_Call", "After call",
                                                 candidateGroups="oai"), end("Event_Done")],
                       chain("StartEvent_1", "Call_Review", "After_Call", "Event_Done"),
                       definitions_id=f"Definitions_{pid}")


def call_latest() -> str:
    return _caller("call_latest")  # Camunda's default binding: latest


def call_version() -> str:
    return _caller("call_version", calledElementBinding="version", calledElementVersion="1")


def call_version_tag() -> str:
    return _caller("call_version_tag", calledElementBinding="versionTag",
                   calledElementVersionTag="2.0")


def call_deployment() -> str:
    return _caller("call_deployment", calledElementBinding="deployment")


def call_unknown() -> str:
    return _caller("call_unknown", "unknown_review")


CORPUS: dict[str, Callable[[], str]] = {
    "async_boundaries.bpmn": async_boundaries,
    "async_default_retries.bpmn": async_default_retries,
    "async_refused.bpmn": async_refused,
    "async_start.bpmn": async_start,
    "async_paths.bpmn": async_paths,
    "async_boundary_timer.bpmn": async_boundary_timer,
    "async_multi.bpmn": async_multi,
    "async_boundary_service.bpmn": async_boundary_service,
    "async_gateways.bpmn": async_gateways,
    "async_join.bpmn": async_join,
    "async_events.bpmn": async_events,
    "async_catch.bpmn": async_catch,
    "async_receive.bpmn": async_receive,
    "async_message_start.bpmn": async_message_start,
    "async_timer_start.bpmn": async_timer_start,
    "shared_review_v1.bpmn": shared_review_v1,
    "shared_review_v2.bpmn": shared_review_v2,
    "call_latest.bpmn": call_latest,
    "call_version.bpmn": call_version,
    "call_version_tag.bpmn": call_version_tag,
    "call_deployment.bpmn": call_deployment,
    "call_unknown.bpmn": call_unknown,
}
