"""Which BPMN elements ciiflow runs, and which it must refuse rather than drop.

The lists follow what SpiffWorkflow 3.2.0's ``CamundaParser`` builds
(``BpmnParser.PARSER_CLASSES`` plus the Camunda overrides, and the event
definitions ``EventDefinitionParser.get_event_definition`` knows). An element
the parser would skip or misread is an error naming it; structure the parser
does not need (documentation, annotations, data objects) is accepted.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import ACTIVITI, BPMN, BPMNDI, CAMUNDA, MODELER, XML, XSI, split
from engine.lint.behaviour import MULTI_INSTANCE_DATA
from engine.lint.report import Report, owner_id

FLOW_NODES = frozenset(
    """
    startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent
    task userTask manualTask serviceTask sendTask receiveTask businessRuleTask scriptTask
    subProcess transaction adHocSubProcess callActivity
    exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway
    """.split()
)
"""Flow nodes SpiffWorkflow parses (scriptTask is parsed, then refused by the lint)."""

UNSUPPORTED_FLOW_NODES = frozenset({"complexGateway"})

EVENT_DEFINITIONS = frozenset(
    """
    messageEventDefinition signalEventDefinition timerEventDefinition cancelEventDefinition
    errorEventDefinition escalationEventDefinition terminateEventDefinition
    conditionalEventDefinition linkEventDefinition compensateEventDefinition
    """.split()
)
STRUCTURE = frozenset(
    """
    definitions process collaboration participant messageFlow laneSet lane childLaneSet
    flowNodeRef sequenceFlow conditionExpression incoming outgoing documentation
    extensionElements textAnnotation text association group category categoryValue
    dataObject dataObjectReference dataStore dataStoreReference dataState
    dataInputAssociation dataOutputAssociation sourceRef targetRef
    ioSpecification dataInput dataOutput inputSet outputSet dataInputRefs dataOutputRefs
    property message error escalation signal itemDefinition
    timeDuration timeDate timeCycle condition
    multiInstanceLoopCharacteristics loopCardinality completionCondition
    standardLoopCharacteristics loopCondition
    correlationKey correlationProperty correlationPropertyRef
    correlationPropertyRetrievalExpression messagePath
    script
    """.split()
)
"""Supporting BPMN elements: read by SpiffWorkflow or without effect at run time."""

UNSUPPORTED = {
    "complexGateway": "use exclusive or inclusive gateways",
    "import": "everything a file needs must be in the deployed bundle",
    "choreography": "choreographies are not executable",
    "choreographyTask": "choreographies are not executable",
    "subChoreography": "choreographies are not executable",
    "callChoreography": "choreographies are not executable",
    "conversation": "conversations are not executable",
    "subConversation": "conversations are not executable",
    "callConversation": "conversations are not executable",
    "globalTask": "global tasks are not executable",
    "globalUserTask": "global tasks are not executable",
    "globalScriptTask": "global tasks are not executable",
    "globalBusinessRuleTask": "global tasks are not executable",
    "globalManualTask": "global tasks are not executable",
    "interface": "BPMN service interfaces are not used; bind the task by camunda:topic",
    "operation": "BPMN service interfaces are not used; bind the task by camunda:topic",
    "assignment": "data assignments are not run; use camunda:inputOutput",
    "transformation": "data transformations are not run; use camunda:inputOutput",
    "humanPerformer": "route work with lanes or camunda:candidateGroups",
    "potentialOwner": "route work with lanes or camunda:candidateGroups",
    "performer": "route work with lanes or camunda:candidateGroups",
    "resourceRole": "route work with lanes or camunda:candidateGroups",
    "rendering": "renderings are not used; use camunda:formKey",
}


def check_elements(root: etree._Element, report: Report) -> None:
    """Refuse every BPMN element that SpiffWorkflow would not run as drawn."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = split(element.tag)
        if namespace != BPMN:
            continue
        if _inside_camunda_element(element):
            continue  # e.g. camunda:potentialStarter's expression: reported with its owner
        _check_foreign_attributes(element, report)
        if local in FLOW_NODES or local in EVENT_DEFINITIONS or local in STRUCTURE:
            continue
        if local in MULTI_INSTANCE_DATA:
            continue  # refused on the activity by engine.lint.behaviour
        hint = UNSUPPORTED.get(local, "SpiffWorkflow does not run it")
        report.error(
            owner_id(element),
            f"bpmn:{local} is not supported ({hint}); remove it or redraw without it",
        )
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, local = split(element.tag)
        if namespace in (BPMN, BPMNDI) or namespace is None:
            continue
        parent = element.getparent()
        if parent is not None and split(parent.tag) == (BPMN, "extensionElements"):
            _check_extension(element, namespace, local, report)


_KNOWN_ATTRIBUTE_NAMESPACES = frozenset({None, CAMUNDA, MODELER, XSI, XML})
_ACTIVITI_HINT = (
    "Camunda 7 still reads the legacy namespace http://activiti.org/bpmn as camunda:, "
    "ciiflow does not; declare xmlns:camunda=\"http://camunda.org/schema/1.0/bpmn\" instead"
)


def _inside_camunda_element(element: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and split(parent.tag)[0] == CAMUNDA:
            return True
        parent = parent.getparent()
    return False


def _check_foreign_attributes(element: etree._Element, report: Report) -> None:
    """An attribute in a namespace nobody reads would be dropped silently: name it."""
    for name in element.attrib:
        namespace, local = split(name)
        if namespace in _KNOWN_ATTRIBUTE_NAMESPACES:
            continue
        if namespace == ACTIVITI:
            report.error(owner_id(element), f"attribute {local}={element.get(name)!r} refused: "
                         f"{_ACTIVITI_HINT}")
            continue
        report.warning(
            owner_id(element),
            f"attribute {{{namespace}}}{local} is ignored by ciiflow (only Camunda 7 "
            "extensions in http://camunda.org/schema/1.0/bpmn are read); remove it",
        )


def _check_extension(
    element: etree._Element, namespace: str | None, local: str, report: Report
) -> None:
    if namespace in (CAMUNDA, MODELER):
        return  # camunda: vocabulary is classified by engine.lint.camunda
    if namespace == ACTIVITI:
        report.error(owner_id(element), f"extension element {local} refused: {_ACTIVITI_HINT}")
        return
    report.warning(
        owner_id(element),
        f"extension element {{{namespace}}}{local} is ignored by ciiflow "
        "(only Camunda 7 extensions are read); remove it",
    )


def is_flow_node(element: etree._Element) -> bool:
    """Flow nodes need a diagram shape and may be the ends of a sequence flow."""
    namespace, local = split(element.tag) if isinstance(element.tag, str) else (None, "")
    return namespace == BPMN and (local in FLOW_NODES or local in UNSUPPORTED_FLOW_NODES)
