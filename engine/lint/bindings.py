"""Service work is bound by name to a registered handler or to an external worker.

Design decision 11: a service task never carries code. ``camunda:topic`` on an
external task is fetched by a worker over the API, so any topic is fine;
``camunda:class``, ``camunda:delegateExpression`` and ``camunda:expression``
are names that must be bound in the engine's handler registry
(``engine.camunda.handlers.HandlerRegistry``), which the caller passes in:
without one no name is bound, so those are refused. A task with no binding at
all would wait forever, so it is refused too.
"""

from __future__ import annotations

from typing import Protocol

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.lint.report import Report

_BOUND_TASKS = ("serviceTask", "sendTask", "businessRuleTask")
_NAMED_KINDS = ("delegateExpression", "class", "expression")
"""In the order engine.camunda.service_tasks.binding_of picks them when several are set."""


class Bindings(Protocol):
    """What the lint asks of a handler registry."""

    def is_bound(self, kind: str, name: str) -> bool: ...


def _is_bound(bindings: Bindings | None, kind: str, name: str) -> bool:
    """Ask the handler registry; no registry means nothing is bound."""
    if bindings is None:
        return False
    try:
        return bool(bindings.is_bound(kind, name))
    except Exception:  # noqa: BLE001 - a broken registry binds nothing
        return False


def _camunda(element: etree._Element, name: str) -> str | None:
    """A camunda: attribute, blank counting as absent (as the runtime reads it)."""
    value = element.get(tag(CAMUNDA, name))
    return value.strip() if value and value.strip() else None


def check_bindings(root: etree._Element, report: Report, bindings: Bindings | None = None
                   ) -> None:
    """Each service, send and business-rule task is bound to something that will do it."""
    for local in _BOUND_TASKS:
        for task in root.iter(tag(BPMN, local)):
            _check_task(task, local, report, bindings)


def _check_task(task: etree._Element, local: str, report: Report,
                bindings: Bindings | None) -> None:
    eid = task.get("id")
    if local == "businessRuleTask":
        if task.get(tag(CAMUNDA, "decisionRef")) is None:
            report.error(
                eid,
                "business rule task has no camunda:decisionRef: ciiflow's business rule "
                "task evaluates a DMN decision only; choose the decision, or use a service task",
            )
        return  # a decisionRef is resolved against the bundle by engine.lint.references
    if task.find(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}connector") is not None:
        return  # refused by engine.lint.camunda, once
    impl_type = _camunda(task, "type")
    if impl_type is not None:
        if impl_type != "external":
            report.error(
                eid,
                f"camunda:type {impl_type!r} is not supported; use camunda:type='external' "
                "with a camunda:topic",
            )
        elif not _camunda(task, "topic"):
            report.error(eid, "external task has no camunda:topic; name the topic workers fetch")
        return
    for kind in _NAMED_KINDS:
        name = _camunda(task, kind)
        if name is None:
            continue
        if not _is_bound(bindings, kind, name):
            explain = getattr(bindings, "unbound_message", None)
            report.error(eid, explain(kind, name) if explain else (
                f"no handler registered for camunda:{kind} {name!r}: bind it in the "
                "bindings.yaml deployed with this file, register a handler in the engine's "
                "handler registry, or use camunda:type='external' with a camunda:topic"))
        return
    kind_name = "service" if local == "serviceTask" else "send"
    report.error(
        eid,
        f"unbound {kind_name} task would wait forever: set camunda:type='external' with a "
        "camunda:topic, or bind a registered handler",
    )
