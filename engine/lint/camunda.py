"""The Camunda 7 vocabulary ciiflow understands, ignores, or refuses — kept in one place.

Nothing may be dropped silently: a ``camunda:`` attribute or element is either
used by ciiflow (SUPPORTED_*), harmless Modeler metadata (HARMLESS, no
finding), code we never run (scripts, connectors, listeners not bound in the
bundle's bindings.yaml or on events ciiflow does not mark: an error), or ignored
(everything else, a warning that names it so the owner knows it has no effect).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from engine.camunda.async_boundaries import BOUNDARIES, RETRY_CYCLE
from engine.camunda.async_lint import lint_boundary, lint_retry_cycle
from engine.camunda.listeners import listener_code, supports
from engine.camunda.namespaces import BPMN, CAMUNDA, CAMUNDA_DMN, MODELER, split
from engine.lint.report import Report, owner_id

SUPPORTED_ATTRIBUTES = frozenset(
    """
    assignee candidateGroups candidateUsers dueDate followUpDate priority
    formKey formRef formRefBinding formRefVersion
    calledElementBinding calledElementVersion calledElementVersionTag calledElementTenantId
    decisionRef decisionRefBinding decisionRefVersion decisionRefVersionTag decisionRefTenantId
    resultVariable mapDecisionResult type topic class delegateExpression expression
    collection elementVariable variableName variableEvents
    inputVariable errorMessage
    """.split()
)
"""camunda: attributes ciiflow reads (or checks and binds)."""

HARMLESS_ATTRIBUTES = frozenset(
    """
    exclusive historyTimeToLive versionTag isStartableInTasklist
    """.split()
)
"""Modeler metadata without effect on a case's path: accepted without a finding."""

SUPPORTED_ELEMENTS = frozenset(
    """
    formData formField value validation constraint properties property
    inputOutput inputParameter outputParameter list map entry in out
    """.split()
)
"""camunda: extension elements ciiflow reads."""

_CMMN = "CMMN cases are not run by ciiflow; call a BPMN process (calledElement) instead"
REFUSED_ATTRIBUTES = {
    "caseRef": _CMMN, "caseBinding": _CMMN, "caseVersion": _CMMN, "caseTenantId": _CMMN,
}
"""camunda: attributes whose behaviour ciiflow cannot give: an error, not a warning."""

LISTENERS = frozenset({"executionListener", "taskListener"})

IGNORED_HINTS = {
    "jobPriority": "ciiflow has no job executor priorities",
    "taskPriority": "external-task priorities are not used",
    "candidateStarterGroups": "who may start a case is decided by API roles",
    "candidateStarterUsers": "who may start a case is decided by API roles",
    "initiator": "the initiator is recorded in the case history instead",
    "formHandlerClass": "ciiflow runs no Java form handler",
    "errorEventDefinition": "external-task error mapping is not used",
    "errorCodeVariable": "not set by ciiflow here: only an error catch event stores "
                         "the caught error's code",
    "errorMessageVariable": "not set by ciiflow here: only an error catch event stores "
                            "the caught error's message",
    "field": "field injection into Java delegates is not used",
    "potentialStarter": "who may start a case is decided by API roles",
    "variableMappingClass": "ciiflow runs no Java variable mapping",
    "variableMappingDelegateExpression": "ciiflow runs no Java variable mapping",
    "async": "deprecated Camunda attribute; ciiflow runs steps synchronously",
}

_DMN_ATTRIBUTES = frozenset({"historyTimeToLive", "versionTag", "inputVariable"})


ERROR_VARIABLES = frozenset({"errorCodeVariable", "errorMessageVariable"})


def _on_error_catch(element: etree._Element) -> bool:
    """An error boundary event or an event subprocess's error start event."""
    parent = element.getparent()
    return parent is not None and split(parent.tag) in ((BPMN, "boundaryEvent"),
                                                        (BPMN, "startEvent"))


def _listener_code(listener: etree._Element) -> str:
    for attribute in ("class", "expression", "delegateExpression"):
        value = listener.get(attribute)
        if value:
            return f"{attribute}={value!r}"
    if listener.find(f"{{{CAMUNDA}}}script") is not None:
        return "an inline script"
    return "no code"


ListenerBound = Callable[[str, str], bool]
"""Whether the bundle's bindings file binds a listener's code to a registered handler."""


def check_vocabulary(root: etree._Element, report: Report, bindings: object = None) -> None:
    """Classify every camunda: attribute and element of a BPMN or DMN file; listeners
    against the bundle's bindings (`engine.lint.delegates.BundleDelegates`)."""
    listener_bound = getattr(bindings, "listener_bound", None) or (lambda kind, name: False)
    _check_attributes(root, report)
    _walk(root, report, listener_bound)


def _walk(element: etree._Element, report: Report, listener_bound: ListenerBound) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        _check_attributes(child, report)
        namespace, local = split(child.tag)
        if namespace == CAMUNDA and not _check_element(child, local, report, listener_bound):
            continue  # reported as a whole; its children add nothing
        _walk(child, report, listener_bound)


def _check_attributes(element: etree._Element, report: Report) -> None:
    for name in element.attrib:
        namespace, local = split(name)
        if namespace == MODELER:
            continue
        if namespace == CAMUNDA_DMN:
            if local not in _DMN_ATTRIBUTES:
                report.warning(
                    owner_id(element),
                    f"camunda:{local} is not used by ciiflow and is ignored; remove it",
                )
            continue
        if namespace != CAMUNDA:
            continue
        if local in BOUNDARIES:  # transaction boundaries (engine.camunda.async_boundaries)
            message = lint_boundary(element, local)
            if message:
                report.error(owner_id(element), message)
            continue
        if local in SUPPORTED_ATTRIBUTES or local in HARMLESS_ATTRIBUTES:
            continue
        if local in ERROR_VARIABLES and _on_error_catch(element):
            continue  # set on catch (engine.camunda.error_variables)
        if local in REFUSED_ATTRIBUTES:
            report.error(owner_id(element), f"camunda:{local}={element.get(name)!r} refused: "
                         f"{REFUSED_ATTRIBUTES[local]}")
            continue
        hint = IGNORED_HINTS.get(local, "ciiflow does not implement it")
        report.warning(
            owner_id(element),
            f"camunda:{local}={element.get(name)!r} is ignored ({hint}); remove it",
        )


def _check_listener(element: etree._Element, local: str, report: Report,
                    listener_bound: ListenerBound) -> None:
    """A listener runs when it is bound to a handler and ciiflow marks its event."""
    event = element.get("event") or "?"
    code = listener_code(element)
    extensions = element.getparent()
    owner = extensions.getparent() if extensions is not None else None
    owner_tag = split(owner.tag)[1] if owner is not None else "?"
    if code is None:
        report.error(owner_id(element),
                     f"camunda:{local} on event {event!r} with {_listener_code(element)} "
                     "refused: ciiflow runs no code from a file; bind a Java listener in "
                     "bindings.yaml, or model the work as a service task")
    elif not supports(local, event, owner_tag):
        report.error(owner_id(element),
                     f"camunda:{local} on event {event!r} of a bpmn:{owner_tag} is not run "
                     "by ciiflow: listeners run at start and end of an activity and at "
                     "create and complete of a user task; move the work to a service task")
    elif not listener_bound(*code):
        report.error(owner_id(element),
                     f"camunda:{local} on event {event!r} with {code[0]}={code[1]!r} is not "
                     f"bound: add it to bindings.yaml deployed with this file (listeners: "
                     f"{code[1]}: {{handler: NAME}}) with a handler the engine registered")


def _check_element(element: etree._Element, local: str, report: Report,
                   listener_bound: ListenerBound) -> bool:
    """Report a camunda: element; return True when its children need checking too."""
    where = owner_id(element)
    if local in LISTENERS:
        _check_listener(element, local, report, listener_bound)
        return False
    if local == "script":
        fmt = element.get("scriptFormat") or "unknown language"
        report.error(
            where,
            f"camunda:script ({fmt}) refused: ciiflow runs no scripts from a file; "
            "use a ${…} expression or a service task bound to a registered handler",
        )
        return False
    if local == "connector":
        connector = element.findtext(f"{{{CAMUNDA}}}connectorId") or "?"
        report.error(
            where,
            f"camunda:connector {connector!r} is not supported: use camunda:type='external' "
            "with a camunda:topic, or a registered handler",
        )
        return False
    if local in SUPPORTED_ELEMENTS:
        return True
    if local == RETRY_CYCLE:
        finding = lint_retry_cycle(element)
        if finding is not None:
            getattr(report, finding[0])(where, finding[1])
        return False
    hint = IGNORED_HINTS.get(local, "ciiflow does not implement it")
    report.warning(where, f"camunda:{local} is ignored ({hint}); remove it")
    return False
