"""A receive task without a message waits until it is triggered, as in Camunda 7.

Camunda 7 keeps such a receive task waiting until `RuntimeService.signal(executionId)`
(REST `POST /execution/{id}/signal`) moves it on. SpiffWorkflow builds it with a none
event definition, which fires as soon as the task is reached: the case would run straight
past a wait its author drew. The parser (`engine.camunda.parser`) builds it with this
definition instead, named by the receive task's id, which only an event of the same
name catches: the runtime sends one when the task is triggered
(`engine.runtime.signals.trigger`).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition


class TriggerEventDefinition(EventDefinition):
    """Caught by a trigger of the same receive task (its name is the task's id)."""

    def __init__(self, name: str, description: str | None = None) -> None:
        super().__init__(name, description)

    def __eq__(self, other: Any) -> bool:
        return super().__eq__(other) and self.name == other.name

    def __hash__(self) -> int:
        return hash((type(self), self.name))


CONVERTERS: dict[type, type] = {TriggerEventDefinition: EventDefinitionConverter}
