"""`camunda:errorCodeVariable` and `camunda:errorMessageVariable` on error catch events.

Camunda 7 lets an error boundary event and the error start event of an event
subprocess keep what it caught: the error's code in the variable named by
`camunda:errorCodeVariable`, its message in `camunda:errorMessageVariable`,
both set when the error is caught, before the flow after the catch goes on. The
message is the one a handler raised (`BpmnError(code, message)`), a worker
reported with its BPMN error over the API, or the `camunda:errorMessage` of the
`bpmn:error` an error end event throws (taken as written); an error without a
message sets the message variable to None.

SpiffWorkflow's parser drops both attributes. The catch event's definition is
built here as `CamundaErrorEventDefinition` (a subclass, matched like the
library's own), which writes the two variables into the catching task's data.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    ErrorEscalationEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.camunda.parser.event_parsers import CamundaBoundaryEventParser

from .event_subprocess import EventSubprocessStartEventParser
from .namespaces import BPMN, CAMUNDA, tag

_CAUGHT = "ciiflow_caught_error"


class CamundaErrorEventDefinition(ErrorEventDefinition):
    """An error catch that keeps the caught code and message in variables."""

    def __init__(self, name: str, code: str | None = None, *, code_variable: str | None = None,
                 message_variable: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, code, **kwargs)
        self.code_variable = code_variable
        self.message_variable = message_variable

    def catch(self, my_task: Any, event: Any = None) -> None:
        thrown = event.event_definition
        my_task.internal_data[_CAUGHT] = {"code": thrown.code,
                                          "message": getattr(thrown, "message", None)}
        super().catch(my_task, event)

    def update_task_data(self, my_task: Any) -> None:
        super().update_task_data(my_task)
        caught = my_task.internal_data.get(_CAUGHT)
        if caught is None:
            return
        if self.code_variable:
            my_task.data[self.code_variable] = caught["code"]
        if self.message_variable:
            my_task.data[self.message_variable] = caught["message"]

    def reset(self, my_task: Any) -> None:
        my_task.internal_data.pop(_CAUGHT, None)
        super().reset(my_task)

    def __eq__(self, other: object) -> bool:
        # the library compares classes; a thrown error is the library's own class
        return isinstance(other, ErrorEventDefinition) and self.code in (None, other.code)

    __hash__ = None  # type: ignore[assignment]


class ThrownErrorEventDefinition(ErrorEventDefinition):
    """An error end event's error whose `bpmn:error` has a `camunda:errorMessage`."""

    def __init__(self, name: str, code: str | None = None, *, message: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name, code, **kwargs)
        self.message = message

    def __eq__(self, other: object) -> bool:
        # asked as `catcher == thrown`, Python gives this subclass the first word:
        # the library's rule, seen from the thrown side
        return isinstance(other, ErrorEventDefinition) and other.code in (None, self.code)

    __hash__ = None  # type: ignore[assignment]


class ErrorMessageMixin:
    """For the end-event parser: the error thrown carries its `camunda:errorMessage`."""

    def parse_error_event(self, error_event: Any) -> ErrorEventDefinition:
        plain = super().parse_error_event(error_event)  # type: ignore[misc]
        ref = error_event.get("errorRef")
        root = error_event.getroottree().getroot()
        message = next((e.get(tag(CAMUNDA, "errorMessage")) for e in root.iter(tag(BPMN, "error"))
                        if ref and e.get("id") == ref), None)
        if not message:
            return plain
        return ThrownErrorEventDefinition(plain.name, plain.code, description=plain.description,
                                          message=message)


def thrown_error(code: str, message: str | None) -> ErrorEventDefinition:
    """The definition of an error a handler or worker raised, carrying its message."""
    definition = ErrorEventDefinition(code, code=code)
    definition.message = message  # type: ignore[attr-defined]
    return definition


class ErrorVariablesMixin:
    """For a Camunda event parser: error definitions that keep the two variables."""

    process_parser: Any

    def parse_error_event(self, error_event: Any) -> ErrorEventDefinition:
        plain = super().parse_error_event(error_event)  # type: ignore[misc]
        code_variable = error_event.get(tag(CAMUNDA, "errorCodeVariable"))
        message_variable = error_event.get(tag(CAMUNDA, "errorMessageVariable"))
        if not (code_variable or message_variable):
            return plain
        return CamundaErrorEventDefinition(
            plain.name, plain.code, description=plain.description,
            code_variable=code_variable or None, message_variable=message_variable or None)


class CamundaErrorBoundaryParser(ErrorVariablesMixin, CamundaBoundaryEventParser):
    """Boundary events, with Camunda's error variables."""


class CamundaErrorStartParser(ErrorVariablesMixin, EventSubprocessStartEventParser):
    """Start events (an event subprocess's error start), with Camunda's error variables."""


ERROR_BOUNDARY_EVENT = (CamundaErrorBoundaryParser, BoundaryEvent)
"""The parser and spec class of `bpmn:boundaryEvent` in `engine.camunda.parser`."""
ERROR_START_EVENT = (CamundaErrorStartParser, StartEvent)
"""The parser and spec class of `bpmn:startEvent` in `engine.camunda.parser`."""


class CamundaErrorEventDefinitionConverter(ErrorEscalationEventDefinitionConverter):
    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct = super().to_dict(event_definition)
        dct.update(code_variable=event_definition.code_variable,
                   message_variable=event_definition.message_variable)
        return dct


class ThrownErrorEventDefinitionConverter(ErrorEscalationEventDefinitionConverter):
    def to_dict(self, event_definition: Any) -> dict[str, Any]:
        dct = super().to_dict(event_definition)
        dct["message"] = event_definition.message
        return dct


CONVERTERS: dict[type, type] = {
    CamundaErrorEventDefinition: CamundaErrorEventDefinitionConverter,
    ThrownErrorEventDefinition: ThrownErrorEventDefinitionConverter,
}
"""Registered by `engine.camunda.serializer.serializer()`."""
