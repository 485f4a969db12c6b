"""The Camunda 7 flavour of SpiffWorkflow's parser, keeping what the Modeler writes.

SpiffWorkflow's `CamundaParser` drops `assignee`, `candidateGroups`,
`candidateUsers`, `dueDate`, `followUpDate`, `priority`, `formRef`,
`camunda:inputOutput`, `camunda:in`/`camunda:out`, and runs multi-instance by
rewriting the shared spec. We subclass its task parsers, the way SpiffWorkflow
itself extends its core parser, and keep those values in the task spec's
`extensions` (which its serializer already stores), on every activity:

    extensions = {"properties": {name: value},
                  "camunda": {"candidateGroups": ..., "inputOutput": {...}, "in": [...]}}

Activities are built as the classes of `engine.camunda.activities` (mappings) and
multi-instance as `engine.camunda.multiinstance` (no spec mutation).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import MESSAGE_EVENT_XPATH, ReceiveTaskParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess, ParallelGateway, ReceiveTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaEventDefinitionParser,
)
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    CallActivityParser,
    CamundaTaskParser,
    SubWorkflowParser,
    UserTaskParser,
)

from engine.dmn import DecisionTaskParser, DmnBundleMixin

from .activities import (
    CamundaCallActivity,
    CamundaDecisionTask,
    CamundaManualTask,
    CamundaNoneTask,
    CamundaServiceTask,
    CamundaSubProcess,
    CamundaUserTask,
    narrow,
)
from .async_boundaries import parse_boundaries
from .async_events import with_async_event
from .async_gateways import AsyncGatewayParser, ParallelGatewayParser
from .async_start import with_async_start
from .async_wrapped import async_split
from .compensation import (
    CompensationBoundaryMixin,
    CompensationEndEventParser,
    CompensationThrowEventParser,
    with_compensation_start,
)
from .conditional import with_conditions
from .conditional_start import ConditionalScopeProcessParser
from .error_variables import ERROR_BOUNDARY_EVENT, ERROR_START_EVENT
from .event_mappings import CamundaCatchEvent
from .event_subprocess_scope import ScopedTriggerProcessParser
from .gateways import RecordingExclusiveGateway, RecordingInclusiveGateway
from .links import LinkCatchEventParser
from .listeners import parse_listeners
from .mappings import parse_mappings
from .multiinstance import add_multiinstance
from .service_tasks import ServiceTaskParser, bundle_bindings
from .throws import CamundaEndEvent, CamundaThrowEvent
from .triggers import TriggerEventDefinition

USER_TASK_ATTRIBUTES = (
    "assignee",
    "candidateGroups",
    "candidateUsers",
    "dueDate",
    "followUpDate",
    "priority",
    "formKey",
    "formRef",
    "formRefBinding",
    "formRefVersion",
)


class ActivityParserMixin:
    """What every Camunda activity keeps: properties, mappings, multi-instance."""

    node: Any
    spec_class: type
    camunda_attributes: tuple[str, ...] = ()

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        # own extensionElements only: SpiffWorkflow's `.//` also collects a
        # subprocess's inner tasks' properties
        properties = {
            prop.get("name"): prop.get("value")
            for prop in self.xpath(  # type: ignore[attr-defined]
                "./bpmn:extensionElements/camunda:properties/camunda:property")
        }
        camunda: dict[str, Any] = {}
        for attr in self.camunda_attributes:
            value = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attr}")
            if value is not None:
                camunda[attr] = value
        camunda.update(parse_mappings(self.node))
        camunda.update(parse_boundaries(self.node, CAMUNDA_MODEL_NS))
        camunda.update(parse_listeners(  # type: ignore[attr-defined]
            self.node, bundle_bindings(self.process_parser.parser)))
        return {"properties": properties, "camunda": camunda}

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        add_multiinstance(self, loop_characteristics)

    def _add_boundary_event(self, children: Any) -> Any:
        return async_split(super()._add_boundary_event(children), self.task)  # type: ignore[misc]

    def create_task(self) -> Any:
        return narrow(super().create_task(), self.spec_class)  # type: ignore[misc]


class CamundaUserTaskParser(ActivityParserMixin, UserTaskParser):
    camunda_attributes = USER_TASK_ATTRIBUTES


class CamundaServiceTaskParser(ActivityParserMixin, ServiceTaskParser):
    pass


class CamundaDecisionTaskParser(ActivityParserMixin, DecisionTaskParser):
    pass


class CamundaPlainTaskParser(ActivityParserMixin, CamundaTaskParser):
    pass


class CamundaSubProcessParser(ActivityParserMixin, SubWorkflowParser):
    def create_task(self) -> Any:
        if self.node.get("triggeredByEvent") == "true":
            # the Camunda flavour builds event subprocesses as call activities
            self.spec_class = EventSubprocess
        return super().create_task()


class CamundaCallActivityParser(ActivityParserMixin, CallActivityParser):
    pass


class CamundaReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):
    """A receive task with the Camunda message definition (the library's core one
    cannot be serialized by the Camunda converters: such a file failed at deploy);
    without a message, one that waits for a trigger (`engine.camunda.triggers`)."""

    def create_task(self) -> Any:
        if self.node.get("messageRef") is None and first(
                self.xpath(MESSAGE_EVENT_XPATH)) is None:
            return self._create_task(TriggerEventDefinition(self.node.get("id")))
        return super().create_task()


class CiiflowProcessParser(CompensationBoundaryMixin, ScopedTriggerProcessParser,
                           ConditionalScopeProcessParser):
    """Processes and subprocesses: conditional event subprocesses wait from the scope's
    start, and so do an embedded subprocess's message, error and escalation ones
    (`engine.camunda.event_subprocess_scope`); compensation boundary events are no
    triggers (`engine.camunda.compensation`)."""


class CiiflowParser(DmnBundleMixin, CamundaParser):
    """Camunda 7 files, with our DMN engine, service-task bindings, routing and mappings."""

    PROCESS_PARSER_CLASS = CiiflowProcessParser
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (CamundaUserTaskParser, CamundaUserTask),
        full_tag("businessRuleTask"): (CamundaDecisionTaskParser, CamundaDecisionTask),
        full_tag("serviceTask"): (CamundaServiceTaskParser, CamundaServiceTask),
        full_tag("sendTask"): (CamundaServiceTaskParser, CamundaServiceTask),
        full_tag("task"): (CamundaPlainTaskParser, CamundaNoneTask),
        full_tag("manualTask"): (CamundaPlainTaskParser, CamundaManualTask),
        full_tag("subProcess"): (CamundaSubProcessParser, CamundaSubProcess),
        full_tag("callActivity"): (CamundaCallActivityParser, CamundaCallActivity),
        full_tag("receiveTask"): with_async_event((CamundaReceiveTaskParser, ReceiveTask)),
        full_tag("boundaryEvent"): with_conditions(ERROR_BOUNDARY_EVENT),
        full_tag("startEvent"): with_compensation_start(with_async_start(ERROR_START_EVENT)),
        full_tag("endEvent"): with_async_event((CompensationEndEventParser, CamundaEndEvent)),
        full_tag("intermediateThrowEvent"): with_async_event((CompensationThrowEventParser,
                                                               CamundaThrowEvent)),
        full_tag("intermediateCatchEvent"): with_async_event(with_conditions((
            LinkCatchEventParser, CamundaCatchEvent))),
        full_tag("exclusiveGateway"): (AsyncGatewayParser, RecordingExclusiveGateway),
        full_tag("inclusiveGateway"): (AsyncGatewayParser, RecordingInclusiveGateway),
        full_tag("parallelGateway"): (ParallelGatewayParser, ParallelGateway),
    }

    def get_document_positions(self, root: Any) -> dict[str, Any]:
        """No positions: outgoing flows keep their XML order, as Camunda 7 evaluates them.

        SpiffWorkflow orders a gateway's outgoing flows by the diagram's y coordinate,
        so when two conditions hold, moving a shape in the Modeler would change the
        branch taken. Positions serve nothing else in the library (sorting is stable).
        """
        return {}

