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


CORPUS: dict[str, Callable[[], str]] = {
    "listeners.bpmn": listeners,
    "listener_on_event.bpmn": listener_on_event,
    "delegate_class.bpmn": delegate_class,
    "delegate_expression.bpmn": delegate_expression,
    "delegate_method_expression.bpmn": delegate_method_expression,
    "error_variables.bpmn": error_variables,
}
