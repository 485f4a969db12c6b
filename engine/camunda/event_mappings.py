"""`camunda:inputOutput` on intermediate throw and catch events and on end events.

Camunda 7 applies an event's input/output mapping as it does an activity's: the
input parameters are set when the event is entered, as variables local to it
(a throw event's payload sees them), the output parameters when it is left, into
the flow that goes on, and the locals are then dropped
(`engine.camunda.mappings`). SpiffWorkflow's event parsers keep no extensions, so
the parsers here keep the mapping in the spec's `extensions["camunda"]`, and the
event specs (`engine.camunda.throws`, `CamundaCatchEvent`) apply it. A catch
event is entered, for ciiflow, when its trigger arrives: its inputs are set then,
before its outputs read what the trigger carried. Start and boundary events keep
no mapping, as in Camunda.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import IntermediateCatchEvent
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
)

from .error_variables import ErrorMessageMixin
from .mappings import InputOutputMixin, parse_mappings


class EventMappingsParserMixin:
    """An event parser that keeps the event's `camunda:inputOutput`."""

    node: Any

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        io = parse_mappings(self.node).get("inputOutput")
        return {"camunda": {"inputOutput": io}} if io else {}


class EndEventParser(ErrorMessageMixin, EventMappingsParserMixin, CamundaEndEventParser):
    """End events: their mapping, and the message of the error they throw."""


class ThrowEventParser(EventMappingsParserMixin, CamundaIntermediateThrowEventParser):
    pass


class CatchEventParser(EventMappingsParserMixin, CamundaIntermediateCatchEventParser):
    pass


class CamundaCatchEvent(InputOutputMixin, IntermediateCatchEvent):
    """An intermediate catch event with Camunda's input/output mapping."""


CONVERTERS: dict[type, type] = {CamundaCatchEvent: EventConverter}
"""Registered by `engine.camunda.serializer.serializer()`."""
