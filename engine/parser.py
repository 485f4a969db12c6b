"""The Camunda 7 flavour of SpiffWorkflow's parser, keeping what the Modeler writes.

SpiffWorkflow's `CamundaParser` drops `assignee`, `candidateGroups`,
`candidateUsers`, `dueDate`, `followUpDate` and `priority`. We subclass its task
parsers, the way SpiffWorkflow itself extends its core parser, and keep those
values in the task spec's `extensions` (which its serializer already stores):

    extensions = {"properties": {name: value}, "camunda": {"candidateGroups": ..., ...}}
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

from .dmn import DecisionTaskParser, DecisionTaskSpec, DmnBundleMixin
from .service_tasks import ServiceTaskParser, ServiceTaskSpec

USER_TASK_ATTRIBUTES = (
    "assignee",
    "candidateGroups",
    "candidateUsers",
    "dueDate",
    "followUpDate",
    "priority",
    "formKey",
    "formRef",
)


class CamundaUserTaskParser(UserTaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        properties = {}
        for prop in self.xpath(
            "./bpmn:extensionElements/camunda:properties/camunda:property"
        ):
            properties[prop.get("name")] = prop.get("value")
        camunda = {}
        for attr in USER_TASK_ATTRIBUTES:
            value = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attr}")
            if value is not None:
                camunda[attr] = value
        return {"properties": properties, "camunda": camunda}


class CiiflowParser(DmnBundleMixin, CamundaParser):
    """Camunda 7 files, with our DMN engine, service-task bindings and user-task routing."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (CamundaUserTaskParser, UserTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTaskSpec),
        full_tag("serviceTask"): (ServiceTaskParser, ServiceTaskSpec),
        full_tag("sendTask"): (ServiceTaskParser, ServiceTaskSpec),
    }
