"""Modeler corpus files as Camunda 7 projects have them: Java delegates, listeners, error
variables. Written by `python -m tests.modeler.corpus` with the rest of the corpus; the
bindings that make them run are in `tests/modeler/files/camunda7_bindings.yaml`."""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.modeler import El, Fl, definitions


def _start(id: str = "StartEvent_1") -> El:
    return El("startEvent", id)


def _end(id: str, tail: str = "", name: str | None = None) -> El:
    return El("endEvent", id, name, tail=tail)


def _user(id: str, name: str, ext: str = "") -> El:
    return El("userTask", id, name, {"camunda:candidateGroups": "oai"}, ext)


def _chain(*ids: str, prefix: str = "Flow_") -> list[Fl]:
    pairs = zip(ids, ids[1:], strict=False)
    return [Fl(f"{prefix}{i + 1:02d}", a, b) for i, (a, b) in enumerate(pairs)]


def _delegate(pid: str, attribute: str, value: str) -> str:
    """start, one service task with a Java delegate, a user task after it, end."""
    task = El("serviceTask", "Do_Work", "Do work", {f"camunda:{attribute}": value})
    return definitions(pid, [_start(), task, _user("Check_Work", "Check work"),
                             _end("Event_Done")],
                       _chain("StartEvent_1", "Do_Work", "Check_Work", "Event_Done"))


def delegate_class() -> str:
    return _delegate("delegate_class", "class", "org.acme.SendLetterDelegate")


def delegate_expression() -> str:
    return _delegate("delegate_expression", "delegateExpression", "${letterService}")


def delegate_method_expression() -> str:
    return _delegate("delegate_method_expression", "expression", "#{logger.log(execution)}")


ERRORS = '<bpmn:error id="Error_Incomplete" name="Incomplete" errorCode="INCOMPLETE" />'


def error_variables() -> str:
    task = El("serviceTask", "Check_Docs", "Check documents",
              {"camunda:class": "org.acme.CheckDocumentsDelegate"})
    catch = El("boundaryEvent", "Caught_Incomplete", "Incomplete",
               {"attachedToRef": "Check_Docs"},
               tail='<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                    'errorRef="Error_Incomplete" camunda:errorCodeVariable="errorCode" '
                    'camunda:errorMessageVariable="errorMessage" />')
    nodes = [_start(), task, _user("Proceed", "Proceed"), _end("Event_Done"), catch,
             _user("Ask_Docs", "Ask for documents"), _end("Event_Asked")]
    flows = _chain("StartEvent_1", "Check_Docs", "Proceed", "Event_Done")
    flows += [Fl("Flow_E1", "Caught_Incomplete", "Ask_Docs"),
              Fl("Flow_E2", "Ask_Docs", "Event_Asked")]
    return definitions("error_variables", nodes, flows, roots=ERRORS)


LISTENERS = (
    '<camunda:executionListener class="org.acme.AuditListener" event="start" />\n'
    '<camunda:taskListener delegateExpression="${notifier}" event="create" />\n'
    '<camunda:taskListener delegateExpression="${notifier}" event="complete" />\n'
    '<camunda:executionListener class="org.acme.AuditListener" event="end" />')


def listeners() -> str:
    task = _user("Review", "Review", LISTENERS)
    return definitions("listeners", [_start(), task, _end("Event_Done")],
                       _chain("StartEvent_1", "Review", "Event_Done"))


def listener_on_event() -> str:
    end = El("endEvent", "Event_Done", None, ext='<camunda:executionListener '
             'class="org.acme.AuditListener" event="end" />')
    return definitions("listener_on_event", [_start(), end], _chain("StartEvent_1",
                                                                    "Event_Done"))


CALL_LOCAL = """
<camunda:in variables="all" local="true" />
<camunda:in source="caseNumber" target="number" />
<camunda:inputOutput>
  <camunda:inputParameter name="region">office-${canton}</camunda:inputParameter>
</camunda:inputOutput>
"""


def call_local() -> str:
    """`camunda:in local="true"`: only the call activity's own variables go in."""
    call = El("callActivity", "Call_Local", "Review with local variables",
              {"calledElement": "called_review"}, ext=CALL_LOCAL)
    return definitions("call_local", [_start(), call, _end("Event_Done")],
                       _chain("StartEvent_1", "Call_Local", "Event_Done"),
                       definitions_id="Definitions_calllocal")


def error_variables_event_subprocess() -> str:
    """An error end event's error caught by an event subprocess's error start event."""
    task = El("subProcess", "Check_Docs", "Check documents", children=[
        _start("Event_CheckStart"),
        El("exclusiveGateway", "Gateway_Complete", "Complete?", {"default": "Flow_C3"}),
        _end("Event_Incomplete", '<bpmn:errorEventDefinition id="ErrorEventDefinition_2" '
                                 'errorRef="Error_Incomplete" />', "Incomplete"),
        _end("Event_CheckEnd")],
        flows=[Fl("Flow_C1", "Event_CheckStart", "Gateway_Complete"),
               Fl("Flow_C2", "Gateway_Complete", "Event_Incomplete", "${!complete}"),
               Fl("Flow_C3", "Gateway_Complete", "Event_CheckEnd")])
    err_start = El("startEvent", "Event_ErrStart", None,
                   tail='<bpmn:errorEventDefinition id="ErrorEventDefinition_1" '
                        'errorRef="Error_Incomplete" camunda:errorCodeVariable="errorCode" '
                        'camunda:errorMessageVariable="errorMessage" />')
    err_sub = El("subProcess", "On_Incomplete", "Documents incomplete",
                 {"triggeredByEvent": "true"},
                 children=[err_start, _user("Ask_Docs", "Ask for documents"),
                           _end("Event_ErrEnd")],
                 flows=_chain("Event_ErrStart", "Ask_Docs", "Event_ErrEnd", prefix="Flow_X"))
    nodes = [_start(), task, _user("Proceed", "Proceed"), _end("Event_Done"), err_sub]
    return definitions("error_variables_event_subprocess", nodes,
                       _chain("StartEvent_1", "Check_Docs", "Proceed", "Event_Done"),
                       roots=ERRORS.replace(" />", ' camunda:errorMessage="Documents are '
                                            'incomplete" />'))


def _io(inputs: dict[str, str], outputs: dict[str, str]) -> str:
    rows = [f'<camunda:inputParameter name="{k}">{v}</camunda:inputParameter>'
            for k, v in inputs.items()]
    rows += [f'<camunda:outputParameter name="{k}">{v}</camunda:outputParameter>'
             for k, v in outputs.items()]
    return "<camunda:inputOutput>\n  " + "\n  ".join(rows) + "\n</camunda:inputOutput>"


def event_io() -> str:
    """Input/output mappings on a throw event, a timer catch event and an end event."""
    throw = El("intermediateThrowEvent", "Event_Announce", "Announce",
               ext=_io({"label": "Case ${caseNumber}"}, {"announced": "${label}"}))
    wait = El("intermediateCatchEvent", "Event_Wait", "One hour",
              ext=_io({"waitedFor": "${caseNumber}"}, {"reminded": "${waitedFor}-late"}),
              tail='<bpmn:timerEventDefinition id="TimerEventDefinition_1">\n'
                   '  <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H'
                   '</bpmn:timeDuration>\n</bpmn:timerEventDefinition>')
    end = El("endEvent", "Event_Done", "Done",
             ext=_io({"closing": "closed ${caseNumber}"}, {"closedAs": "${closing}"}))
    return definitions("event_io", [_start(), throw, _user("Check", "Check"), wait, end],
                       _chain("StartEvent_1", "Event_Announce", "Check", "Event_Wait",
                              "Event_Done"))


CORPUS: dict[str, Callable[[], str]] = {
    "event_io.bpmn": event_io,
    "error_variables_event_subprocess.bpmn": error_variables_event_subprocess,
    "call_local.bpmn": call_local,
    "listeners.bpmn": listeners,
    "listener_on_event.bpmn": listener_on_event,
    "delegate_class.bpmn": delegate_class,
    "delegate_expression.bpmn": delegate_expression,
    "delegate_method_expression.bpmn": delegate_method_expression,
    "error_variables.bpmn": error_variables,
}
